/**
 * Reads one `__consumer_offsets` partition back into group coordinator
 * state when this broker becomes its leader (the shared loader,
 * coordinator-loader.ts): last write per key wins, tombstones delete.
 */
import { type CoordinatorLoadOptions, loadCoordinatorPartition } from '../coordinator-loader.ts';
import { decodeOffsetsRecord, type OffsetsRecord } from './offsets-records.ts';
import type { GroupMetadataValue, LoadedPartition, OffsetCommitValue } from './types.ts';

/** Latest value per key, as the records of one partition are replayed in offset order. */
export class OffsetsPartitionState {
  readonly #groups = new Map<string, GroupMetadataValue>();
  readonly #offsets = new Map<string, Map<string, OffsetCommitValue>>();

  apply(record: OffsetsRecord): void {
    if (record.type === 'group_metadata') {
      if (record.value === null) this.#groups.delete(record.groupId);
      else this.#groups.set(record.groupId, record.value);
      return;
    }
    const key = `${record.topic}:${record.partition}`;
    let commits = this.#offsets.get(record.groupId);
    if (record.value === null) {
      commits?.delete(key);
      if (commits?.size === 0) this.#offsets.delete(record.groupId);
      return;
    }
    if (commits === undefined) {
      commits = new Map();
      this.#offsets.set(record.groupId, commits);
    }
    commits.set(key, record.value);
  }

  /** The state so far; the caller must not apply more records after handing it on. */
  snapshot(): LoadedPartition {
    return { groups: this.#groups, offsets: this.#offsets };
  }
}

export type LoadOutcome = { readonly loaded: LoadedPartition } | { readonly abandoned: true };

/** Replays the partition (coordinator-loader.ts) into offsets and group metadata. */
export async function loadOffsetsPartition(options: Omit<CoordinatorLoadOptions, 'apply'>): Promise<LoadOutcome> {
  const state = new OffsetsPartitionState();
  const outcome = await loadCoordinatorPartition({
    ...options,
    apply: (key, value) => {
      const decoded = decodeOffsetsRecord(key, value);
      if (decoded.ok) state.apply(decoded.value);
      return decoded.ok;
    },
  });
  return outcome === 'loaded' ? { loaded: state.snapshot() } : { abandoned: true };
}
