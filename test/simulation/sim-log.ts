/**
 * One replica's partition log in the replication simulation: batches with
 * their offsets and leader epochs, the real LeaderEpochCache from
 * @runnel/storage, and how much of the log is flushed (what survives a power
 * loss). Offsets always start at 0: the simulation has no retention.
 *
 * It mirrors PartitionLog's rules that replication depends on: a leader
 * append stamps its epoch and records it in the epoch cache; a follower
 * append keeps the leader's offsets and epochs and refuses a batch that does
 * not start at the log end or whose epoch is older than the latest;
 * truncation drops whole batches and is durable. Owned by one SimBroker; a
 * broken invariant (an append past a gap by the leader) asserts.
 */
import { assert } from '@runnel/common';
import type { EpochEndOffset } from '@runnel/storage';
import { LeaderEpochCache } from '@runnel/storage';

export interface SimBatch {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly epoch: number;
  readonly values: readonly string[];
}

/** One record as a consumer or the checker sees it. */
export interface SimRecord {
  readonly value: string;
  readonly epoch: number;
}

export type SimFollowerAppendError = 'offset_mismatch' | 'epoch_regression';

export class SimLog {
  #batches: SimBatch[] = [];
  /** Flat view, index = offset, for cheap invariant checks. */
  #records: SimRecord[] = [];
  #epochs = new LeaderEpochCache();
  /** Offsets below this are on disk; a power loss keeps only them. */
  #flushedEnd = 0n;

  get logEndOffset(): bigint {
    return BigInt(this.#records.length);
  }

  get logStartOffset(): bigint {
    return 0n;
  }

  get latestEpoch(): number {
    return this.#epochs.latestEpoch;
  }

  get flushedEnd(): bigint {
    return this.#flushedEnd;
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.#epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  record(offset: bigint): SimRecord | undefined {
    return this.#records[Number(offset)];
  }

  records(): readonly SimRecord[] {
    return this.#records;
  }

  /** Batches holding offsets at or after `from`, first to last, up to `batchesMax` of them. */
  batchesFrom(from: bigint, batchesMax: number): SimBatch[] {
    const out: SimBatch[] = [];
    for (const batch of this.#batches) {
      if (batch.lastOffset < from) continue;
      out.push(batch);
      if (out.length >= batchesMax) break;
    }
    return out;
  }

  appendAsLeader(values: readonly string[], epoch: number): SimBatch {
    assert(values.length > 0, 'empty batch');
    assert(epoch >= this.latestEpoch, `leader append of epoch ${epoch} after epoch ${this.latestEpoch}`);
    const batch: SimBatch = {
      baseOffset: this.logEndOffset,
      lastOffset: this.logEndOffset + BigInt(values.length - 1),
      epoch,
      values,
    };
    this.#push(batch);
    return batch;
  }

  /** Appends the leader's batches as they are; nothing is written when one does not fit. */
  appendAsFollower(batches: readonly SimBatch[]): SimFollowerAppendError | null {
    let next = this.logEndOffset;
    let latest = this.latestEpoch;
    for (const batch of batches) {
      if (batch.baseOffset !== next) return 'offset_mismatch';
      if (batch.epoch < latest) return 'epoch_regression';
      next = batch.lastOffset + 1n;
      latest = batch.epoch;
    }
    for (const batch of batches) this.#push(batch);
    return null;
  }

  /** Drops every batch at or after `offset` (the whole batch holding it); durable, like PartitionLog.truncateTo. */
  truncateTo(offset: bigint): void {
    if (offset >= this.logEndOffset) return;
    while (true) {
      const last = this.#batches.at(-1);
      if (last === undefined || last.baseOffset < offset) break;
      this.#batches.pop();
    }
    const end = this.#batches.at(-1)?.lastOffset ?? -1n;
    this.#records.length = Number(end + 1n);
    this.#epochs.truncateFromEnd(this.logEndOffset);
    if (this.#flushedEnd > this.logEndOffset) this.#flushedEnd = this.logEndOffset;
  }

  flush(): void {
    this.#flushedEnd = this.logEndOffset;
  }

  /** Power loss: the unflushed tail is gone (with the epochs that started in it). */
  loseUnflushed(): void {
    this.truncateTo(this.#flushedEnd);
  }

  #push(batch: SimBatch): void {
    this.#batches.push(batch);
    for (const value of batch.values) this.#records.push({ value, epoch: batch.epoch });
    this.#epochs.assign(batch.epoch, batch.baseOffset);
  }
}
