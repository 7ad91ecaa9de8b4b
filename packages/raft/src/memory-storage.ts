/**
 * RaftStorage kept in memory: for tests, the simulation, and as the shape a
 * durable implementation follows. The log is a snapshot (everything up to
 * snapshot.metadata.index, folded into the application's image) followed by
 * entries.
 *
 * Owned by the driver, which writes it from each Ready before advance();
 * the Raft core only reads it. Misuse (gaps, compacting past the end,
 * snapshots older than the current one) is a driver bug and asserts.
 */
import { assert } from '@runnel/common';
import type { ConfState, Entry, HardState, RaftStorage, Snapshot } from './types.ts';

const emptySnapshot: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
};

export class MemoryStorage implements RaftStorage {
  #hardState: HardState = { term: 0, vote: 0, commit: 0 };
  #snapshot: Snapshot = emptySnapshot;
  /** The entry just before #entries: the last one compacted away (index 0, term 0 at the start). */
  #compactedIndex = 0;
  #compactedTerm = 0;
  /** #entries[0].index === #compactedIndex + 1. */
  #entries: Entry[] = [];

  /** `confState` bootstraps a fresh node's configuration (as if from an empty snapshot at index 0). */
  constructor(confState?: ConfState) {
    if (confState !== undefined)
      this.#snapshot = { ...emptySnapshot, metadata: { ...emptySnapshot.metadata, confState } };
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.#hardState, confState: this.#snapshot.metadata.confState };
  }

  setHardState(hardState: HardState): void {
    this.#hardState = hardState;
  }

  firstIndex(): number {
    return this.#compactedIndex + 1;
  }

  lastIndex(): number {
    return this.#compactedIndex + this.#entries.length;
  }

  term(index: number): number {
    if (index === this.#compactedIndex) return this.#compactedTerm;
    const entry = this.#entries[index - this.firstIndex()];
    assert(entry !== undefined, `term(${index}) outside [${this.#compactedIndex}, ${this.lastIndex()}]`);
    return entry.term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo >= this.firstIndex() && hi <= this.lastIndex() + 1 && lo <= hi, `entries [${lo}, ${hi}) out of range`);
    const result: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.#entries[index - this.firstIndex()];
      assert(entry !== undefined, `entry ${index} missing`);
      if (result.length > 0 && bytes + entry.data.byteLength > maxBytes) break;
      bytes += entry.data.byteLength;
      result.push(entry);
    }
    return result;
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Appends, replacing any entries from the first new index on (a follower's truncation). */
  append(entries: readonly Entry[]): void {
    // Entries already compacted away are dropped, not re-appended.
    const fresh = entries.filter((entry) => entry.index >= this.firstIndex());
    const head = fresh[0];
    if (head === undefined) return;
    assert(head.index <= this.lastIndex() + 1, `append at ${head.index} leaves a gap after ${this.lastIndex()}`);
    this.#entries = [...this.#entries.slice(0, head.index - this.firstIndex()), ...fresh];
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    assert(snapshot.metadata.index >= this.#snapshot.metadata.index, 'applying an older snapshot');
    this.#snapshot = snapshot;
    this.#compactedIndex = snapshot.metadata.index;
    this.#compactedTerm = snapshot.metadata.term;
    this.#entries = [];
  }

  /** Records the application's image at `index` (which it has applied) as the snapshot. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    assert(index >= this.#snapshot.metadata.index && index <= this.lastIndex(), `snapshot at ${index} out of range`);
    assert(index >= this.#compactedIndex, `snapshot at ${index} below the compacted index`);
    this.#snapshot = { metadata: { index, term: this.term(index), confState }, data };
    return this.#snapshot;
  }

  /** Drops entries up to and including `index`, which the snapshot must already cover. */
  compact(index: number): void {
    assert(index <= this.#snapshot.metadata.index, `compact(${index}) beyond the snapshot`);
    if (index <= this.#compactedIndex) return;
    this.#compactedTerm = this.term(index);
    this.#entries = this.#entries.slice(index - this.#compactedIndex);
    this.#compactedIndex = index;
  }
}
