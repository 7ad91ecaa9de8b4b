/**
 * The node's log: the durable part the application keeps in RaftStorage, and
 * an in-memory unstable tail (entries, or an incoming snapshot) that the
 * driver has not persisted yet. Also the commit and applied indexes.
 *
 * Owned by one Raft instance. Storage is only read here; the driver writes it
 * from a Ready and then tells us via stableTo()/stableSnapshotTo(). A broken
 * invariant (commit beyond the end, truncation below commit) asserts.
 */
import { assert } from '@runnel/common';
import type { Entry, RaftStorage, Snapshot } from './types.ts';

const entryBytes = (entry: Entry): number => entry.data.byteLength;

export class RaftLog {
  readonly #storage: RaftStorage;
  #unstableSnapshot: Snapshot | null = null;
  #unstable: Entry[] = [];
  /** Index of #unstable[0] (or where it would be). */
  #offset: number;
  #committed: number;
  #applied: number;

  constructor(storage: RaftStorage, committed: number, applied: number) {
    this.#storage = storage;
    this.#offset = storage.lastIndex() + 1;
    const first = storage.firstIndex();
    assert(committed >= first - 1 && committed <= storage.lastIndex(), `commit ${committed} outside the stored log`);
    assert(applied >= first - 1 && applied <= committed, `applied ${applied} outside [${first - 1}, ${committed}]`);
    this.#committed = committed;
    this.#applied = applied;
  }

  get committed(): number {
    return this.#committed;
  }

  get applied(): number {
    return this.#applied;
  }

  firstIndex(): number {
    if (this.#unstableSnapshot !== null) return this.#unstableSnapshot.metadata.index + 1;
    return this.#storage.firstIndex();
  }

  lastIndex(): number {
    if (this.#unstable.length > 0) return this.#offset + this.#unstable.length - 1;
    if (this.#unstableSnapshot !== null) return this.#unstableSnapshot.metadata.index;
    return this.#storage.lastIndex();
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== undefined, 'the last entry always has a term');
    return term;
  }

  /** Undefined when `index` is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    if (index >= this.#offset) return this.#unstable[index - this.#offset]?.term;
    const snapshot = this.#unstableSnapshot;
    if (snapshot !== null) return index === snapshot.metadata.index ? snapshot.metadata.term : undefined;
    return this.#storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: is a candidate whose log ends at (lastIndex, lastTerm) at least as up to date as us? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry that is new or disagrees with our log; 0 if all match. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`: entries above it
   * cannot match a log whose entry at `index` has `term`, so a rejected
   * append can skip them all at once.
   */
  findConflictByTerm(index: number, term: number): number {
    let candidate = Math.min(index, this.lastIndex());
    for (; candidate > 0; candidate--) {
      const ours = this.term(candidate);
      if (ours === undefined || ours <= term) break;
    }
    return candidate;
  }

  /**
   * The follower side of the log-matching check. Returns the index of the
   * last new entry, or undefined when our entry at prevIndex has another term.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.#committed, `entry ${conflict} conflicts with committed entry ${this.#committed}`);
      this.append(entries.slice(conflict - prevIndex - 1));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** Appends to the unstable tail, truncating whatever follows the first new index. */
  append(entries: readonly Entry[]): number {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    assert(first.index > this.#committed, `truncating at ${first.index} would drop committed ${this.#committed}`);
    assert(first.index <= this.lastIndex() + 1, `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    if (first.index === this.#offset + this.#unstable.length) {
      this.#unstable.push(...entries);
    } else if (first.index <= this.#offset) {
      // Replaces stored entries too; the driver truncates storage when it appends these.
      this.#offset = first.index;
      this.#unstable = [...entries];
    } else {
      this.#unstable = [...this.#unstable.slice(0, first.index - this.#offset), ...entries];
    }
    return this.lastIndex();
  }

  /** Entries [lo, hi) within maxBytes (at least one); undefined if lo is compacted. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined;
    assert(hi <= this.lastIndex() + 1, `slice [${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    if (lo >= hi) return [];
    let result: Entry[] = [];
    let bytes = 0;
    if (lo < this.#offset) {
      const storedHi = Math.min(hi, this.#offset);
      result = this.#storage.entries(lo, storedHi, maxBytes);
      if (result.length < storedHi - lo) return result;
      for (const entry of result) bytes += entryBytes(entry);
    }
    for (let index = Math.max(lo, this.#offset); index < hi; index++) {
      const entry = this.#unstable[index - this.#offset];
      assert(entry !== undefined, `unstable entry ${index} missing`);
      if (result.length > 0 && bytes + entryBytes(entry) > maxBytes) break;
      bytes += entryBytes(entry);
      result.push(entry);
    }
    return result;
  }

  commitTo(index: number): void {
    if (index <= this.#committed) return;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.#committed = index;
  }

  appliedTo(index: number): void {
    assert(
      index >= this.#applied && index <= this.#committed,
      `applied ${index} outside [${this.#applied}, ${this.#committed}]`,
    );
    this.#applied = index;
  }

  hasNextCommittedEntries(): boolean {
    return this.#unstableSnapshot === null && this.#committed > this.#applied;
  }

  /** Committed entries not yet applied; none while a snapshot waits to be applied. */
  nextCommittedEntries(maxBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.#applied + 1, this.firstIndex());
    return this.slice(lo, this.#committed + 1, maxBytes) ?? [];
  }

  unstableEntries(): readonly Entry[] {
    return this.#unstable;
  }

  unstableSnapshot(): Snapshot | null {
    return this.#unstableSnapshot;
  }

  /** The driver persisted entries up to (index, term); a later truncation makes this a no-op. */
  stableTo(index: number, term: number): void {
    if (index < this.#offset || this.term(index) !== term) return;
    this.#unstable = this.#unstable.slice(index + 1 - this.#offset);
    this.#offset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.#unstableSnapshot?.metadata.index === index) this.#unstableSnapshot = null;
  }

  /** The snapshot to send a lagging follower: the pending one if any, else storage's. */
  snapshot(): Snapshot {
    return this.#unstableSnapshot ?? this.#storage.snapshot();
  }

  /** Replace the whole log by `snapshot` (the caller checked it is ahead of our commit). */
  restore(snapshot: Snapshot): void {
    assert(snapshot.metadata.index > this.#committed, 'restoring a snapshot behind the commit index');
    this.#unstableSnapshot = snapshot;
    this.#unstable = [];
    this.#offset = snapshot.metadata.index + 1;
    this.#committed = snapshot.metadata.index;
  }

  /** The driver applied the snapshot: the state machine is now at its index. */
  appliedSnapshot(index: number): void {
    if (index > this.#applied) this.#applied = index;
  }
}
