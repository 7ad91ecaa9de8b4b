import { assert } from '@runnel/common';
import type { Entry, HardState, Snapshot } from '@runnel/raft';

/** One write the driver issued; it reaches the durable image only when the disk syncs. */
export type DiskWrite =
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hard-state'; readonly hardState: HardState }
  /** replacesLog: a snapshot from the leader replaces the whole log; one the node took keeps the entries after it. */
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot; readonly replacesLog: boolean }
  /** Clears the mark of a node that restarted on a lost store (RaftConfig.rejoining): it caught up. */
  | { readonly kind: 'rejoined' };

/** What survives a crash: the last synced snapshot, the log after it, and the hard state. */
export interface DurableImage {
  readonly hardState: HardState;
  readonly snapshot: Snapshot;
  /** Contiguous entries starting at snapshot.metadata.index + 1. */
  readonly entries: readonly Entry[];
  /** The node restarted on a lost store and has not yet caught up from a leader. */
  readonly rejoining: boolean;
}

/**
 * One node's simulated disk. Writes are held unsynced until sync(); crash()
 * throws them away, so a restarted node sees only what was synced — the
 * fault that tests whether raft asks for a sync (Ready.mustSync) whenever it
 * must.
 *
 * Owned by the node's driver in RaftCluster; the disk outlives the node's
 * crashes. It never fails a write: disk errors are not part of this model.
 */
export class SimDisk {
  #hardState: HardState;
  #snapshot: Snapshot;
  #entries: Entry[] = [];
  #unsynced: DiskWrite[] = [];
  #writesLost = 0;
  #rejoining: boolean;

  constructor(initial: Snapshot, hardState: HardState, rejoining = false) {
    this.#snapshot = initial;
    this.#hardState = hardState;
    this.#rejoining = rejoining;
  }

  get unsyncedCount(): number {
    return this.#unsynced.length;
  }

  /** Writes discarded by crashes so far. */
  get writesLost(): number {
    return this.#writesLost;
  }

  write(diskWrite: DiskWrite): void {
    this.#unsynced.push(diskWrite);
  }

  sync(): void {
    for (const diskWrite of this.#unsynced) this.#applyDurably(diskWrite);
    this.#unsynced = [];
  }

  crash(): void {
    this.#writesLost += this.#unsynced.length;
    this.#unsynced = [];
  }

  durable(): DurableImage {
    return {
      hardState: this.#hardState,
      snapshot: this.#snapshot,
      entries: [...this.#entries],
      rejoining: this.#rejoining,
    };
  }

  #applyDurably(diskWrite: DiskWrite): void {
    switch (diskWrite.kind) {
      case 'hard-state':
        this.#hardState = diskWrite.hardState;
        return;
      case 'snapshot':
        this.#installSnapshot(diskWrite.snapshot, diskWrite.replacesLog);
        return;
      case 'entries':
        this.#appendEntries(diskWrite.entries);
        return;
      case 'rejoined':
        this.#rejoining = false;
        return;
    }
  }

  #installSnapshot(snapshot: Snapshot, replacesLog: boolean): void {
    const index = snapshot.metadata.index;
    assert(
      index >= this.#snapshot.metadata.index,
      `disk snapshot ${index} older than ${this.#snapshot.metadata.index}`,
    );
    this.#entries = replacesLog ? [] : this.#entries.filter((entry) => entry.index > index);
    this.#snapshot = snapshot;
  }

  /** Appending at index i replaces everything from i on, like a raft log does. */
  #appendEntries(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const snapshotIndex = this.#snapshot.metadata.index;
    const kept = entries.filter((entry) => entry.index > snapshotIndex);
    const start = kept[0];
    if (start === undefined) return;
    const nextIndex = snapshotIndex + this.#entries.length + 1;
    assert(start.index <= nextIndex, `disk append at ${start.index} leaves a gap (next is ${nextIndex})`);
    this.#entries = this.#entries.slice(0, start.index - snapshotIndex - 1).concat(kept);
  }
}
