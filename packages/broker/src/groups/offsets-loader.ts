/**
 * Reads one `__consumer_offsets` partition back into group coordinator
 * state when this broker becomes its leader (the shared loader,
 * coordinator-loader.ts): last write per key wins, tombstones delete;
 * transactional commits wait for their producer's marker
 * (OffsetsPartitionState).
 */
import { type CoordinatorLoadOptions, loadCoordinatorPartition } from '../coordinator-loader.ts';
import { decodeOffsetsRecord, type OffsetsRecord } from './offsets-records.ts';
import type { GroupMetadataValue, LoadedPartition, LoggedOffset } from './types.ts';

/**
 * Latest value per key, as the records of one partition are replayed in
 * offset order. Commits in a transactional batch are pending for its
 * producer until that producer's COMMIT or ABORT marker: a COMMIT makes
 * each the committed one unless a later commit of the key is there, an
 * ABORT drops them. A tombstone deletes the key's commit and every open
 * transaction's commit of it (Kafka's replay does the same).
 */
export class OffsetsPartitionState {
  readonly #groups = new Map<string, GroupMetadataValue>();
  readonly #offsets = new Map<string, Map<string, LoggedOffset>>();
  /** producerId → groupId → key → commit. */
  readonly #pending = new Map<bigint, Map<string, Map<string, LoggedOffset>>>();

  /** `producerId` is the batch's when it is transactional, else null. */
  apply(record: OffsetsRecord, recordOffset: bigint, producerId: bigint | null = null): void {
    if (record.type === 'group_metadata') {
      if (record.value === null) this.#groups.delete(record.groupId);
      else this.#groups.set(record.groupId, record.value);
      return;
    }
    const key = `${record.topic}:${record.partition}`;
    if (record.value === null) {
      removeKey(this.#offsets, record.groupId, key);
      for (const [id, byGroup] of this.#pending) {
        removeKey(byGroup, record.groupId, key);
        if (byGroup.size === 0) this.#pending.delete(id);
      }
      return;
    }
    const logged = { ...record.value, recordOffset };
    if (producerId === null) {
      setKey(this.#offsets, record.groupId, key, logged);
      return;
    }
    let byGroup = this.#pending.get(producerId);
    if (byGroup === undefined) {
      byGroup = new Map();
      this.#pending.set(producerId, byGroup);
    }
    setKey(byGroup, record.groupId, key, logged);
  }

  /** A control batch: `producerId`'s transaction on this partition ended with `result`. */
  endTransaction(producerId: bigint, result: 'commit' | 'abort'): void {
    const byGroup = this.#pending.get(producerId);
    this.#pending.delete(producerId);
    if (byGroup === undefined || result === 'abort') return;
    for (const [groupId, commits] of byGroup) {
      for (const [key, logged] of commits) {
        const current = this.#offsets.get(groupId)?.get(key);
        if (current === undefined || current.recordOffset < logged.recordOffset) {
          setKey(this.#offsets, groupId, key, logged);
        }
      }
    }
  }

  /** The state so far; the caller must not apply more records after handing it on. */
  snapshot(): LoadedPartition {
    return { groups: this.#groups, offsets: this.#offsets, pendingTxnOffsets: this.#pending };
  }
}

function setKey(maps: Map<string, Map<string, LoggedOffset>>, groupId: string, key: string, value: LoggedOffset): void {
  let commits = maps.get(groupId);
  if (commits === undefined) {
    commits = new Map();
    maps.set(groupId, commits);
  }
  commits.set(key, value);
}

function removeKey(maps: Map<string, Map<string, LoggedOffset>>, groupId: string, key: string): void {
  const commits = maps.get(groupId);
  commits?.delete(key);
  if (commits?.size === 0) maps.delete(groupId);
}

export type LoadOutcome = { readonly loaded: LoadedPartition } | { readonly abandoned: true };

/** Replays the partition (coordinator-loader.ts) into offsets, pending transactional offsets and group metadata. */
export async function loadOffsetsPartition(
  options: Omit<CoordinatorLoadOptions, 'apply' | 'marker'>,
): Promise<LoadOutcome> {
  const state = new OffsetsPartitionState();
  const outcome = await loadCoordinatorPartition({
    ...options,
    apply: (key, value, batch) => {
      const decoded = decodeOffsetsRecord(key, value);
      if (decoded.ok) state.apply(decoded.value, batch.recordOffset, batch.transactional ? batch.producerId : null);
      return decoded.ok;
    },
    marker: (producerId, result) => state.endTransaction(producerId, result),
  });
  return outcome === 'loaded' ? { loaded: state.snapshot() } : { abandoned: true };
}
