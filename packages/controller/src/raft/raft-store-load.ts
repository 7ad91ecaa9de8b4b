/**
 * Reads a whole Raft store into a RaftLogImage and checks it. Anything that
 * does not decode, a gap in the entries, or pieces that contradict each
 * other come back as one sentence saying what is wrong; the caller turns it
 * into an open error. Nothing here writes.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ConfState, Entry, HardState, Snapshot } from '@runnel/raft';
import type { Level } from 'level';
import { emptyHardState, emptySnapshot, imageViolation, RaftLogImage } from './raft-log-image.ts';
import type { LogStart } from './raft-store-codec.ts';
import {
  decodeConfStateValue,
  decodeEntry,
  decodeHardState,
  decodeLogStart,
  decodeRejoining,
  decodeSnapshot,
  entryKeyIndex,
  keyTag,
} from './raft-store-codec.ts';

interface Singletons {
  hardState: HardState | null;
  confState: ConfState | null;
  snapshot: Snapshot | null;
  logStart: LogStart | null;
  rejoining: boolean;
}

export async function loadRaftLogImage(db: Level<Buffer, Buffer>): Promise<Result<RaftLogImage, 'corrupt'>> {
  const singletons: Singletons = {
    hardState: null,
    confState: null,
    snapshot: null,
    logStart: null,
    rejoining: false,
  };
  const entries: Entry[] = [];
  for await (const [key, value] of db.iterator()) {
    const problem =
      key[0] === keyTag.entry ? collectEntry(entries, key, value) : collectSingleton(singletons, key, value);
    if (problem !== null) return err('corrupt', problem);
  }
  const logStart = singletons.logStart ?? { firstIndex: 1, termBefore: 0 };
  const first = entries[0];
  if (first !== undefined && first.index !== logStart.firstIndex) {
    return err(
      'corrupt',
      first.index < logStart.firstIndex
        ? `entry ${first.index} is below the first index ${logStart.firstIndex} (left over from a compaction)`
        : `${missingEntries(logStart.firstIndex, first.index - 1)} (the log starts at ${first.index})`,
    );
  }
  const snapshot = singletons.snapshot ?? emptySnapshot;
  const image = new RaftLogImage({
    entries,
    firstIndex: logStart.firstIndex,
    termBefore: logStart.termBefore,
    snapshot,
    hardState: singletons.hardState ?? emptyHardState,
    savedConfState: singletons.confState,
    rejoining: singletons.rejoining,
  });
  const violation = imageViolation(image);
  return violation === null ? ok(image) : err('corrupt', violation);
}

/** Appends the entry if it continues the log; otherwise says why not. */
function collectEntry(entries: Entry[], key: Buffer, value: Buffer): string | null {
  const index = entryKeyIndex(key);
  if (index === null) return `an entry key ${key.toString('hex')} does not hold a valid index`;
  const previous = entries.at(-1);
  if (previous !== undefined && index !== previous.index + 1) {
    return `${missingEntries(previous.index + 1, index - 1)} (the log jumps from ${previous.index} to ${index})`;
  }
  const entry = decodeEntry(index, value);
  if (!entry.ok) return `entry ${index} does not decode (${entry.message ?? entry.error})`;
  entries.push(entry.value);
  return null;
}

function missingEntries(lo: number, hi: number): string {
  return lo === hi ? `entry ${lo} is missing` : `entries ${lo}..${hi} are missing`;
}

function collectSingleton(into: Singletons, key: Buffer, value: Buffer): string | null {
  if (key.length !== 1) return `unknown key ${key.toString('hex')}`;
  switch (key[0]) {
    case keyTag.hardState: {
      const decoded = decodeHardState(value);
      if (!decoded.ok) return `the hard state does not decode (${decoded.message ?? decoded.error})`;
      into.hardState = decoded.value;
      return null;
    }
    case keyTag.confState: {
      const decoded = decodeConfStateValue(value);
      if (!decoded.ok) return `the conf state does not decode (${decoded.message ?? decoded.error})`;
      into.confState = decoded.value;
      return null;
    }
    case keyTag.snapshot: {
      const decoded = decodeSnapshot(value);
      if (!decoded.ok) return `the snapshot does not decode (${decoded.message ?? decoded.error})`;
      into.snapshot = decoded.value;
      return null;
    }
    case keyTag.logStart: {
      const decoded = decodeLogStart(value);
      if (!decoded.ok) return `the first-index record does not decode (${decoded.message ?? decoded.error})`;
      into.logStart = decoded.value;
      return null;
    }
    case keyTag.rejoining: {
      const decoded = decodeRejoining(value);
      if (!decoded.ok) return `the rejoining marker does not decode (${decoded.message ?? decoded.error})`;
      into.rejoining = true;
      return null;
    }
    default:
      return `unknown key ${key.toString('hex')}`;
  }
}
