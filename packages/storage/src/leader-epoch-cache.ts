/**
 * The leader epoch cache of one partition replica (KIP-101): for every
 * leader epoch that wrote to this log, the offset of its first batch. A
 * follower asks the leader "where did my latest epoch end on your log?"
 * (OffsetForLeaderEpoch) and truncates to the answer, rather than to its
 * high watermark, which loses acknowledged data or leaves logs diverged.
 *
 * Pure in-memory state: every mutation says whether it changed anything,
 * so the owner writes the checkpoint (leader-epoch-checkpoint.ts) only
 * then. Entries are strictly increasing in both epoch and start offset.
 *
 * Owned by PartitionLog, which mutates it only inside its serialised
 * mutations; `entries()` returns a copy the caller may keep. A broken
 * invariant (an epoch starting before an earlier one) is a bug and asserts.
 */
import { assert } from '@runnel/common';

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: bigint;
}

/** An OffsetForLeaderEpoch answer: the largest known epoch <= the requested one, and where it ended. */
export interface EpochEndOffset {
  epoch: number;
  endOffset: bigint;
}

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: "this log cannot answer for that epoch". */
export const undefinedEpoch = -1;
export const undefinedEpochOffset = -1n;

export class LeaderEpochCache {
  #entries: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    for (let i = 1; i < entries.length; i++) {
      const prev = entries[i - 1];
      const next = entries[i];
      assert(prev !== undefined && next !== undefined);
      assert(next.epoch > prev.epoch && next.startOffset > prev.startOffset, 'epoch entries must strictly increase');
    }
    this.#entries = entries.map((e) => ({ epoch: e.epoch, startOffset: e.startOffset }));
  }

  /** The newest epoch that wrote to the log, or -1 when none did. */
  get latestEpoch(): number {
    return this.#entries.at(-1)?.epoch ?? undefinedEpoch;
  }

  /** Oldest first; a copy. */
  entries(): readonly EpochEntry[] {
    return [...this.#entries];
  }

  /**
   * Records that `epoch` wrote its first batch at `startOffset`. An epoch not
   * newer than the latest is ignored (appends of a known epoch call this
   * freely). A newer epoch starting at the latest entry's start offset
   * replaces it: that epoch ended up owning no offsets (it wrote nothing
   * that survived, or retention moved it onto the log start). Returns
   * whether the cache changed.
   */
  assign(epoch: number, startOffset: bigint): boolean {
    assert(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0x7fffffff, `bad leader epoch ${epoch}`);
    assert(startOffset >= 0n, `bad epoch start offset ${startOffset}`);
    const latest = this.#entries.at(-1);
    if (latest !== undefined) {
      if (epoch <= latest.epoch) return false;
      assert(
        startOffset >= latest.startOffset,
        `epoch ${epoch} would start at ${startOffset}, before epoch ${latest.epoch} at ${latest.startOffset}`,
      );
      if (startOffset === latest.startOffset) this.#entries.pop();
    }
    this.#entries.push({ epoch, startOffset });
    return true;
  }

  /**
   * KIP-101 OffsetForLeaderEpoch: the largest known epoch <= `epoch`, with
   * the start offset of the next known epoch as its end, or `logEndOffset`
   * when it is the latest. Undefined (-1, -1) when the log knows no epoch
   * <= `epoch` (below the earliest entry, or an empty cache).
   */
  endOffsetFor(epoch: number, logEndOffset: bigint): EpochEndOffset {
    // Followers ask about recent epochs, so the walk from the newest end is short.
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const floor = this.#entries[i];
      assert(floor !== undefined);
      if (floor.epoch > epoch) continue;
      return { epoch: floor.epoch, endOffset: this.#entries[i + 1]?.startOffset ?? logEndOffset };
    }
    return { epoch: undefinedEpoch, endOffset: undefinedEpochOffset };
  }

  /** The log lost every offset >= `offset` (truncation): epochs starting there are gone. */
  truncateFromEnd(offset: bigint): boolean {
    const kept = this.#entries.filter((e) => e.startOffset < offset);
    if (kept.length === this.#entries.length) return false;
    this.#entries = kept;
    return true;
  }

  /**
   * The log now starts at `offset` (retention): the epoch holding `offset`
   * keeps an entry, moved to `offset`; epochs wholly before it are dropped.
   */
  truncateFromStart(offset: bigint): boolean {
    const firstAtOrAfter = this.#entries.findIndex((e) => e.startOffset >= offset);
    const before = firstAtOrAfter === -1 ? this.#entries.length : firstAtOrAfter;
    if (before === 0) return false;
    const rest = this.#entries.slice(before);
    const holder = this.#entries[before - 1];
    assert(holder !== undefined);
    // When the next epoch starts exactly at `offset`, the holder owns no offsets left in the log.
    this.#entries = rest[0]?.startOffset === offset ? rest : [{ epoch: holder.epoch, startOffset: offset }, ...rest];
    return true;
  }

  /** The log was emptied and restarted elsewhere: no epoch wrote any of it. */
  clear(): boolean {
    if (this.#entries.length === 0) return false;
    this.#entries = [];
    return true;
  }
}
