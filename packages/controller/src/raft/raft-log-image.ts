/**
 * The in-memory copy of everything in the Raft store. The Raft core reads
 * it synchronously through RaftLogStore; only a WritePlan's apply() (after
 * its batch is durable) or the loader changes it.
 */
import { assert } from '@runnel/common';
import type { ConfState, Entry, HardState, Snapshot } from '@runnel/raft';

export const emptyConfState: ConfState = { voters: [], learners: [] };
export const emptyHardState: HardState = { term: 0, vote: 0, commit: 0 };
export const emptySnapshot: Snapshot = {
  metadata: { index: 0, term: 0, confState: emptyConfState },
  data: new Uint8Array(0),
};

/**
 * Owned by one RaftLogStore. Entries handed out are shared, never copied:
 * nobody may mutate them. The image is only ever replaced piecewise by
 * apply() of a plan whose batch has been written.
 */
export class RaftLogImage {
  /** entries[i].index === firstIndex + i. */
  readonly entries: Entry[];
  firstIndex: number;
  /** Term of the entry at firstIndex-1: the snapshot's, or the last compacted one's. */
  termBefore: number;
  snapshot: Snapshot;
  hardState: HardState;
  /** Membership as last saved (a snapshot install replaces it); null until first saved. */
  savedConfState: ConfState | null;
  /** Restarted on an empty store and not yet caught up from a leader (see RaftConfig.rejoining). */
  rejoining: boolean;

  constructor(init: {
    entries: Entry[];
    firstIndex: number;
    termBefore: number;
    snapshot: Snapshot;
    hardState: HardState;
    savedConfState: ConfState | null;
    rejoining: boolean;
  }) {
    this.entries = init.entries;
    this.firstIndex = init.firstIndex;
    this.termBefore = init.termBefore;
    this.snapshot = init.snapshot;
    this.hardState = init.hardState;
    this.savedConfState = init.savedConfState;
    this.rejoining = init.rejoining;
  }

  static empty(): RaftLogImage {
    return new RaftLogImage({
      entries: [],
      firstIndex: 1,
      termBefore: 0,
      snapshot: emptySnapshot,
      hardState: emptyHardState,
      savedConfState: null,
      rejoining: false,
    });
  }

  /** The membership initialState() reports: as saved, or else the newest snapshot's. */
  confState(): ConfState {
    return this.savedConfState ?? this.snapshot.metadata.confState;
  }

  lastIndex(): number {
    return this.firstIndex + this.entries.length - 1;
  }

  /** True when `index` is firstIndex-1 or an entry still in the log. */
  hasTerm(index: number): boolean {
    return index >= this.firstIndex - 1 && index <= this.lastIndex();
  }

  term(index: number): number {
    assert(
      this.hasTerm(index),
      `Raft store asked for the term of ${index}, outside [${this.firstIndex - 1}, ${this.lastIndex()}]`,
    );
    if (index === this.firstIndex - 1) return this.termBefore;
    return this.entryAt(index).term;
  }

  entryAt(index: number): Entry {
    const entry = this.entries[index - this.firstIndex];
    assert(entry !== undefined, `Raft store has no entry ${index} in [${this.firstIndex}, ${this.lastIndex()}]`);
    return entry;
  }

  /** Replaces the whole log (and the saved membership) with `snapshot`. */
  installSnapshot(snapshot: Snapshot): void {
    const { index, term, confState } = snapshot.metadata;
    this.entries.length = 0;
    this.firstIndex = index + 1;
    this.termBefore = term;
    this.snapshot = snapshot;
    this.savedConfState = confState;
  }

  /** Drops the suffix from fresh[0].index on, then appends `fresh` (contiguous, checked by the planner). */
  truncateAndAppend(fresh: readonly Entry[]): void {
    const start = fresh[0]?.index;
    if (start === undefined) return;
    this.entries.length = start - this.firstIndex;
    for (const entry of fresh) this.entries.push(entry);
  }

  /** Drops entries up to and including `index`. */
  compactTo(index: number): void {
    const termBefore = this.term(index);
    this.entries.splice(0, index - this.firstIndex + 1);
    this.firstIndex = index + 1;
    this.termBefore = termBefore;
  }

  /** Entries [lo, hi) up to maxBytes of data, but at least one when lo < hi. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(
      lo >= this.firstIndex && hi <= this.lastIndex() + 1 && lo <= hi,
      `Raft store asked for entries [${lo}, ${hi}) outside [${this.firstIndex}, ${this.lastIndex() + 1})`,
    );
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.entryAt(index);
      bytes += entry.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }
}

/**
 * The invariants every image must satisfy, as a description of the first
 * one broken (null when all hold). Entry contiguity holds by construction
 * (the loader checks the keys); this checks what relates the pieces: terms
 * never decrease along the log nor exceed the hard state's, the commit index
 * is within the log, and the snapshot covers the compacted prefix and agrees
 * with the log's term at its index.
 */
export function imageViolation(image: RaftLogImage): string | null {
  const last = image.lastIndex();
  let previousTerm = image.termBefore;
  for (const entry of image.entries) {
    if (entry.term < previousTerm) {
      return `entry ${entry.index} has term ${entry.term}, below the term ${previousTerm} before it (terms must not decrease)`;
    }
    previousTerm = entry.term;
  }
  const { commit, term } = image.hardState;
  // A node stores an entry only once it is in the entry's term, in the same batch.
  if (previousTerm > term) return `the last entry's term ${previousTerm} is above the hard state's term ${term}`;
  if (commit > last) return `the hard state's commit index ${commit} is beyond the last entry ${last}`;
  const snap = image.snapshot.metadata;
  if (image.firstIndex > 1 && snap.index === 0) {
    return `entries before ${image.firstIndex} were compacted but there is no snapshot covering them`;
  }
  if (snap.index < image.firstIndex - 1) {
    return `the snapshot at ${snap.index} does not cover the compacted entries up to ${image.firstIndex - 1}`;
  }
  if (snap.index > last) return `the snapshot at ${snap.index} is beyond the last entry ${last}`;
  if (snap.index > 0 && image.term(snap.index) !== snap.term) {
    return `the snapshot at ${snap.index} has term ${snap.term} but the log has term ${image.term(snap.index)} there`;
  }
  return null;
}
