/**
 * Appends queued behind a running write, gathered so the log can stamp them
 * in call order and write them with one writev. Pipelined produce requests
 * queue several appends to one partition at once; one system call (and one
 * thread-pool round trip) for all of them is what keeps produce cheap.
 *
 * Owned by PartitionLog: it opens a group when an append finds none open,
 * closes it (start()) when the group's turn in the mutation queue comes, and
 * settles every entry: `settle` after the write that holds it (and after the
 * roll that split it off, if any), `fail` on an error, which rejects every
 * entry not settled yet.
 */
import { assert } from '@runnel/common';
import type { AppendedBatch } from './log-batch.ts';

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

/** What an append learns when its write is done: its offsets, and whether it must wait for an fsync. */
export interface AppendOutcome {
  result: AppendResult;
  sync: boolean;
}

export interface PendingAppend {
  readonly batches: Buffer;
  readonly leaderEpoch: number;
  readonly recordCount: number | undefined;
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
  join(batches: Buffer, opts: { leaderEpoch: number; recordCount?: number }): Promise<AppendOutcome> | null {
    if (this.#started) return null;
    const count = this.#entries.length;
    if (count >= groupAppendsMax || (count > 0 && this.#bytes + batches.length > groupBytesMax)) return null;
    return new Promise<AppendOutcome>((settle, fail) => {
      this.#entries.push({ batches, leaderEpoch: opts.leaderEpoch, recordCount: opts.recordCount, settle, fail });
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
