/**
 * Appends queued behind a running write, gathered so the log can stamp them
 * in call order and write them with one writev. Pipelined produce requests
 * queue several appends to one partition at once; one system call (and one
 * thread-pool round trip) for all of them is what keeps produce cheap.
 *
 * Owned by PartitionLog: it opens a group when an append finds none open,
 * closes it (start()) when the group's turn in the mutation queue comes, and
 * settles every entry: `settle` after the write that holds it (and after the
 * roll that split it off, if any), or at once for a refused follower append
 * (nothing of it is written), `fail` on an error, which rejects every entry
 * not settled yet.
 */
import { assert } from '@runnel/common';
import { type FollowerBatches, type FollowerRefusal, followerRefusal } from './follower-batches.ts';
import type { EpochEntry } from './leader-epoch-cache.ts';
import { type AppendedBatch, stampAppendedBatches } from './log-batch.ts';
import type { ClientBatchesCheck, ProducerAppendError, ProducerOrigin } from './producer-state/producer-checks.ts';
import type { TxnVerification } from './producer-state/producer-state-table.ts';

/** Offsets an append was given; logAppendTimeMs is -1 unless the log stamps LogAppendTime. */
export interface AppendResult {
  baseOffset: bigint;
  lastOffset: bigint;
  logAppendTimeMs: bigint | -1n;
}

/** At most this many appends per group: a bound on latency, far below IOV_MAX (1024). */
export const groupAppendsMax = 64;
/** A group stops taking appends at this many bytes (one larger append still forms a group alone). */
export const groupBytesMax = 8 * 1024 * 1024;

/**
 * What an append learns on its turn: once written, its offsets and whether it
 * must wait for an fsync; for a follower append, why it was refused; for a
 * client's append, that it repeats batches already stored (their offsets,
 * once the writes before it are done) or why the producer checks refused it.
 */
export type AppendOutcome =
  | { written: true; result: AppendResult; sync: boolean }
  | { written: false; refusal: FollowerRefusal }
  | { written: false; duplicate: AppendResult; sync: boolean }
  | { written: false; producerRefusal: { error: ProducerAppendError; message: string } };

/**
 * The leader stamps offsets and its epoch into the batches (a client's are
 * checked against the producer state first); a follower's carry the
 * leader's, checked on arrival.
 */
export type AppendSource =
  | {
      readonly origin: 'leader';
      readonly leaderEpoch: number;
      readonly recordCount: number | undefined;
      /** Whose batches these are: a client's and a coordinator's are checked against the producer state. */
      readonly producerChecks: ProducerOrigin | null;
      /** A client's append with KIP-890 verification: the guard it verified with (see ProducerStateTable.check). */
      readonly verification?: TxnVerification | undefined;
    }
  | { readonly origin: 'follower'; readonly checked: FollowerBatches };

export interface PendingAppend {
  readonly batches: Buffer;
  readonly source: AppendSource;
  settle(outcome: AppendOutcome): void;
  fail(error: unknown): void;
}

export class AppendGroup {
  readonly #entries: PendingAppend[] = [];
  #bytes = 0;
  #started = false;

  /**
   * Adds an append unless the group has started or is full; null then (the
   * caller opens a new group). The promise settles when the append's write
   * is done or failed.
   */
  join(batches: Buffer, source: AppendSource): Promise<AppendOutcome> | null {
    if (this.#started) return null;
    const count = this.#entries.length;
    if (count >= groupAppendsMax || (count > 0 && this.#bytes + batches.length > groupBytesMax)) return null;
    return new Promise<AppendOutcome>((settle, fail) => {
      this.#entries.push({ batches, source, settle, fail });
      this.#bytes += batches.length;
    });
  }

  /** Closes the group to further appends and hands over its entries, in call order. */
  start(): readonly PendingAppend[] {
    assert(!this.#started, 'append group started twice');
    this.#started = true;
    return this.#entries;
  }

  /** Rejects every entry that has not been settled (settling twice is a no-op). */
  fail(error: unknown): void {
    this.#started = true;
    for (const entry of this.#entries) entry.fail(error);
  }
}

/**
 * Stamped appends bound for one write to the active segment. Owned by the
 * PartitionLog call writing a group; after a failed write it is dropped
 * (the group's fail() rejects its appends).
 */
export class AppendRun {
  readonly chunks: Buffer[] = [];
  readonly batches: AppendedBatch[] = [];
  readonly entries: { entry: PendingAppend; result: AppendResult }[] = [];
  bytes = 0;

  add(entry: PendingAppend, summaries: AppendedBatch[], result: AppendResult): void {
    // Batch positions count from the start of the run's first chunk.
    for (const summary of summaries) {
      summary.bufferPosition += this.bytes;
      this.batches.push(summary);
    }
    this.chunks.push(entry.batches);
    this.entries.push({ entry, result });
    this.bytes += entry.batches.length;
  }

  clear(): void {
    this.chunks.length = 0;
    this.batches.length = 0;
    this.entries.length = 0;
    this.bytes = 0;
  }
}

/** An append's offsets before its write: the batch summaries to index, its result, and the epochs it starts. */
export interface Placement {
  summaries: AppendedBatch[];
  result: AppendResult;
  /** Candidates for the leader epoch cache; only epochs newer than its latest start anything. */
  epochStarts: readonly EpochEntry[];
}

/**
 * Gives an append its offsets at `nextOffset`, the log end once the appends
 * before it are written. A leader append is stamped in place (offsets, its
 * epoch, LogAppendTime when `logAppendTimeMs` is set); a follower append is
 * checked against the log (`latestEpoch`: its newest epoch) and left as the
 * leader wrote it, or refused.
 */
export function placeAppend(
  entry: PendingAppend,
  nextOffset: bigint,
  latestEpoch: number,
  logAppendTimeMs: bigint | null,
): Placement | { refusal: FollowerRefusal } {
  const { source } = entry;
  if (source.origin === 'follower') {
    const { checked } = source;
    const refusal = followerRefusal(checked, nextOffset, latestEpoch);
    if (refusal !== null) return { refusal };
    const result = { baseOffset: checked.baseOffset, lastOffset: checked.lastOffset, logAppendTimeMs: -1n } as const;
    return { summaries: checked.batches, result, epochStarts: checked.epochStarts };
  }
  const summaries = stampAppendedBatches(entry.batches, nextOffset, source.leaderEpoch, logAppendTimeMs);
  const last = summaries.at(-1);
  assert(last !== undefined, 'append of no batches');
  const lastOffset = last.baseOffset + BigInt(last.lastOffsetDelta);
  const result = { baseOffset: nextOffset, lastOffset, logAppendTimeMs: logAppendTimeMs ?? -1n };
  // Epoch -1 (none) starts nothing: it is never newer than the latest.
  return { summaries, result, epochStarts: [{ epoch: source.leaderEpoch, startOffset: nextOffset }] };
}

/**
 * A client's append on its turn, before placement: null to place it as
 * usual; the outcome to settle it with when the producer checks refuse it;
 * or, for batches already stored, the original offsets (settled once the
 * writes before it are done). `logAppendTimeMs` is set on LogAppendTime logs.
 */
export function checkClientTurn(
  entry: PendingAppend,
  nextOffset: bigint,
  logAppendTimeMs: bigint | null,
  producers: {
    check(buf: Buffer, nextOffset: bigint, origin: ProducerOrigin, verification?: TxnVerification): ClientBatchesCheck;
  },
): null | { refused: AppendOutcome } | { duplicate: AppendResult } {
  if (entry.source.origin !== 'leader' || entry.source.producerChecks === null) return null;
  const check = producers.check(entry.batches, nextOffset, entry.source.producerChecks, entry.source.verification);
  switch (check.kind) {
    case 'append':
      return null;
    case 'refused':
      return { refused: { written: false, producerRefusal: { error: check.error, message: check.message } } };
    case 'duplicate':
      return {
        duplicate: {
          baseOffset: check.firstOffset,
          lastOffset: check.lastOffset,
          logAppendTimeMs: logAppendTimeMs === null ? -1n : check.timestampMs,
        },
      };
  }
}

/** Records the append adds toward flush.messages: as told or counted, else one per offset. */
export function recordCountOf(entry: PendingAppend, result: AppendResult): number {
  const counted = entry.source.origin === 'leader' ? entry.source.recordCount : entry.source.checked.recordCount;
  return counted ?? Number(result.lastOffset - result.baseOffset + 1n);
}
