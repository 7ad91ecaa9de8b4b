/**
 * Every change to the Raft store as a WritePlan: the level batch that makes
 * it durable and the matching in-memory change, to run only once the batch
 * has been written. Planning reads the image and never changes it, so a
 * failed write leaves memory as it was. A request the Raft core or the
 * driver should never make (a gap, a term going backwards, overwriting a
 * committed entry) is an assertion failure.
 */
import { assert } from '@runnel/common';
import type { ConfState, Entry, HardState, Ready, Snapshot } from '@runnel/raft';
import type { RaftLogImage } from './raft-log-image.ts';
import {
  confStateKey,
  encodeConfStateValue,
  encodeEntry,
  encodeHardState,
  encodeLogStart,
  encodeRejoining,
  encodeSnapshot,
  entryKey,
  hardStateKey,
  logStartKey,
  rejoiningKey,
  snapshotKey,
} from './raft-store-codec.ts';

export type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

export interface WritePlan {
  readonly ops: BatchOp[];
  /** Whether the batch must reach the disk before the write resolves. */
  readonly sync: boolean;
  /** Brings the image in line with the batch; call once, after the batch is written. */
  readonly apply: () => void;
}

const put = (key: Buffer, value: Buffer): BatchOp => ({ type: 'put', key, value });
const del = (key: Buffer): BatchOp => ({ type: 'del', key });

/** The log as it will be after the plan so far, without touching the image. */
interface Outlook {
  first: number;
  last: number;
  installed: Snapshot | null;
}

/** Snapshot, then entries, then hard state: the order a Ready asks for. */
export function planReady(image: RaftLogImage, ready: Ready): WritePlan {
  const ops: BatchOp[] = [];
  const steps: Array<() => void> = [];
  const outlook: Outlook = { first: image.firstIndex, last: image.lastIndex(), installed: null };
  if (ready.snapshot !== null) planSnapshotInstall(image, ready.snapshot, outlook, ops, steps);
  planEntries(image, ready.entries, outlook, ops, steps);
  if (ready.hardState !== null) planHardState(image, ready.hardState, outlook, ops, steps);
  else {
    const { commit } = image.hardState;
    assert(commit <= outlook.last, `Ready leaves the log ending at ${outlook.last}, below the commit index ${commit}`);
  }
  return {
    ops,
    sync: ready.mustSync,
    apply: () => {
      for (const step of steps) step();
    },
  };
}

function planSnapshotInstall(
  image: RaftLogImage,
  snapshot: Snapshot,
  outlook: Outlook,
  ops: BatchOp[],
  steps: Array<() => void>,
): void {
  const { index, term } = snapshot.metadata;
  const current = image.snapshot.metadata.index;
  assert(index > current, `Ready installs a snapshot at ${index}, not newer than the stored one at ${current}`);
  // The core replaces its whole log by the snapshot (it sends one only when its log
  // disagrees at the snapshot's index), so every stored entry goes, even later ones:
  // keeping them would leave storage with entries the core believes are gone.
  for (let i = outlook.first; i <= outlook.last; i++) ops.push(del(entryKey(i)));
  ops.push(
    put(snapshotKey, encodeSnapshot(snapshot)),
    put(confStateKey, encodeConfStateValue(snapshot.metadata.confState)),
    put(logStartKey, encodeLogStart({ firstIndex: index + 1, termBefore: term })),
  );
  outlook.first = index + 1;
  outlook.last = index;
  outlook.installed = snapshot;
  steps.push(() => image.installSnapshot(snapshot));
}

function planEntries(
  image: RaftLogImage,
  entries: readonly Entry[],
  outlook: Outlook,
  ops: BatchOp[],
  steps: Array<() => void>,
): void {
  assertContiguous(entries);
  // Entries at or below the snapshot are already covered by it.
  const skip = entries.findIndex((e) => e.index >= outlook.first);
  if (skip === -1) return;
  const fresh = skip === 0 ? entries : entries.slice(skip);
  const start = fresh[0]!.index;
  const end = fresh.at(-1)!.index;
  assert(start <= outlook.last + 1, `Ready appends from ${start}, leaving a gap after the last entry ${outlook.last}`);
  const termBefore = termInOutlook(image, outlook, start - 1);
  assert(
    fresh[0]!.term >= termBefore,
    `Ready appends entry ${start} with term ${fresh[0]!.term} after term ${termBefore}`,
  );
  const commit = image.hardState.commit;
  for (let i = start; i <= Math.min(outlook.last, end); i++) {
    const replacing = fresh[i - start]!;
    assert(
      i > commit || termInOutlook(image, outlook, i) === replacing.term,
      `Ready overwrites committed entry ${i} (commit ${commit}) with one of another term`,
    );
  }
  assert(end >= outlook.last || end >= commit, `Ready truncates the log to ${end}, below the commit index ${commit}`);
  for (let i = end + 1; i <= outlook.last; i++) ops.push(del(entryKey(i)));
  for (const entry of fresh) ops.push(put(entryKey(entry.index), encodeEntry(entry)));
  outlook.last = end;
  steps.push(() => image.truncateAndAppend(fresh));
}

function planHardState(
  image: RaftLogImage,
  hardState: HardState,
  outlook: Outlook,
  ops: BatchOp[],
  steps: Array<() => void>,
): void {
  const old = image.hardState;
  assert(hardState.term >= old.term, `Ready moves the term back from ${old.term} to ${hardState.term}`);
  assert(hardState.commit >= old.commit, `Ready moves the commit index back from ${old.commit} to ${hardState.commit}`);
  assert(
    hardState.commit <= outlook.last,
    `Ready commits up to ${hardState.commit}, beyond the last entry ${outlook.last}`,
  );
  ops.push(put(hardStateKey, encodeHardState(hardState)));
  steps.push(() => {
    image.hardState = hardState;
  });
}

/** Drops entries up to `index`, which a stored snapshot must already cover. */
export function planCompact(image: RaftLogImage, index: number): WritePlan {
  const covered = image.snapshot.metadata.index;
  assert(index <= covered, `compacting to ${index} with the newest snapshot at ${covered}`);
  const ops: BatchOp[] = [];
  if (index < image.firstIndex) return { ops, sync: false, apply: () => {} };
  for (let i = image.firstIndex; i <= index; i++) ops.push(del(entryKey(i)));
  ops.push(put(logStartKey, encodeLogStart({ firstIndex: index + 1, termBefore: image.term(index) })));
  // Losing a compaction in a crash only brings back entries the snapshot covers,
  // and LevelDB's log is ordered, so it cannot survive without the snapshot before it.
  return { ops, sync: false, apply: () => image.compactTo(index) };
}

/** Records the application's state at `index` (committed, still in the log) as the newest snapshot. */
export function planCreateSnapshot(
  image: RaftLogImage,
  index: number,
  confState: ConfState,
  data: Uint8Array,
): { plan: WritePlan; snapshot: Snapshot } {
  const current = image.snapshot.metadata.index;
  assert(index > current, `creating a snapshot at ${index}, not newer than the stored one at ${current}`);
  assert(
    index <= image.hardState.commit,
    `creating a snapshot at ${index} beyond the commit index ${image.hardState.commit}`,
  );
  const snapshot: Snapshot = { metadata: { index, term: image.term(index), confState }, data };
  const plan: WritePlan = {
    ops: [put(snapshotKey, encodeSnapshot(snapshot))],
    sync: true,
    apply: () => {
      image.snapshot = snapshot;
    },
  };
  return { plan, snapshot };
}

/** Saves the membership the application has applied (initialState() returns it after a restart). */
export function planConfState(image: RaftLogImage, confState: ConfState): WritePlan {
  return {
    ops: [put(confStateKey, encodeConfStateValue(confState))],
    sync: true,
    apply: () => {
      image.savedConfState = confState;
    },
  };
}

/**
 * Sets or clears the marker of a node that restarted on an empty store and
 * has not yet caught up from a leader. Synced: a crash must not lose the
 * mark while the log is still partial, nor bring it back once cleared.
 */
export function planRejoining(image: RaftLogImage, rejoining: boolean): WritePlan {
  return {
    ops: [rejoining ? put(rejoiningKey, encodeRejoining()) : del(rejoiningKey)],
    sync: true,
    apply: () => {
      image.rejoining = rejoining;
    },
  };
}

function termInOutlook(image: RaftLogImage, outlook: Outlook, index: number): number {
  if (outlook.installed !== null && index === outlook.installed.metadata.index) return outlook.installed.metadata.term;
  return image.term(index);
}

function assertContiguous(entries: readonly Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1]!;
    const entry = entries[i]!;
    assert(entry.index === previous.index + 1, `Ready entries jump from ${previous.index} to ${entry.index}`);
    assert(entry.term >= previous.term, `Ready entry ${entry.index} has term ${entry.term} after ${previous.term}`);
  }
}
