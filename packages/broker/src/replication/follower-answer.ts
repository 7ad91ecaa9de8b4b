/**
 * The leader's half of a replica fetch round for one partition, as pure
 * checks plus the one read they lead to: a fetch under a stale or unknown
 * leader epoch is fenced; one whose last epoch ends earlier in our log than
 * where it wants to continue gets the diverging epoch (KIP-320); one outside
 * our log is out of range. Records sent to a follower stop at the end of
 * our completed appends (the tracker's log end), so a follower never copies
 * a batch we have not finished writing; a caught-up follower is answered
 * from memory (LeaderTailCache), others from the log.
 *
 * Partition.answerFollowerFetch calls these around its tracker update.
 */
import type { PartitionLog } from '@runnel/storage';
import { type FrameClaim, retainFrame } from '../network/frame-pool.ts';
import type { EpochEnd } from './divergence.ts';
import type { LeaderAnswerError } from './follower-apply.ts';
import type { LeaderTailCache } from './leader-tail-cache.ts';
import type { FollowerFetch } from './partition-api.ts';
import type { ReplicationRules } from './replication-rules.ts';

export type FetchRefusal =
  | { readonly error: Exclude<LeaderAnswerError, 'none'>; readonly divergingEpoch: null }
  | { readonly error: 'none'; readonly divergingEpoch: EpochEnd };

/** Why `fetch` gets no data now, or null when the follower may have records from `fetchOffset`. */
export function fetchRefusal(
  log: PartitionLog,
  rules: ReplicationRules,
  leaderEpoch: number,
  leaderEndOffset: bigint,
  fetch: FollowerFetch,
): FetchRefusal | null {
  if (fetch.currentLeaderEpoch >= 0 && fetch.currentLeaderEpoch < leaderEpoch) {
    return { error: 'fenced_leader_epoch', divergingEpoch: null };
  }
  if (fetch.currentLeaderEpoch > leaderEpoch) return { error: 'unknown_leader_epoch', divergingEpoch: null };
  if (fetch.lastFetchedEpoch >= 0) {
    const ours = log.endOffsetForEpoch(fetch.lastFetchedEpoch);
    const diverging = rules.divergingEpoch(ours, fetch.lastFetchedEpoch, fetch.fetchOffset);
    if (diverging !== null) return { error: 'none', divergingEpoch: diverging };
  }
  if (fetch.fetchOffset < log.logStartOffset || fetch.fetchOffset > leaderEndOffset) {
    return { error: 'offset_out_of_range', divergingEpoch: null };
  }
  return null;
}

/** Recycled memory for log reads (the broker's FramePool); null: not pooled at this size. */
export type ReadMemory = (sizeBytes: number) => { bytes: Buffer; claim: FrameClaim } | null;

/**
 * Stored batches from `fetchOffset` (below `leaderEndOffset`, up to
 * `maxBytes` but at least one), as one buffer, and the claim the response
 * must hold on it until written: a cached entry's frame, or the recycled
 * memory a log read went into (`memory`; a fresh multi-MB buffer per read
 * made V8 run full collections at replication rates).
 */
export async function readForFollower(
  log: PartitionLog,
  tail: LeaderTailCache | null,
  fetchOffset: bigint,
  maxBytes: number,
  leaderEndOffset: bigint,
  memory: ReadMemory | null = null,
): Promise<{ records: Buffer; source: 'tail' | 'log'; claim: FrameClaim | null } | null> {
  const cached = tail?.read(fetchOffset, maxBytes, leaderEndOffset) ?? null;
  if (cached !== null) {
    // One message field per partition: several appends are joined.
    const records = cached.length === 1 ? (cached[0] as Buffer) : Buffer.concat(cached);
    // A cached entry sent as is may be a recycled frame's: claimed now, before the cache can evict it.
    return { records, source: 'tail', claim: cached.length === 1 ? retainFrame(records) : null };
  }
  // Every buffer the read took is held (a read may retry into a new one): released together with the response.
  const claims: FrameClaim[] = [];
  const allocate =
    memory === null
      ? undefined
      : (sizeBytes: number): Buffer => {
          const acquired = memory(sizeBytes);
          if (acquired === null) return Buffer.allocUnsafe(sizeBytes);
          claims.push(acquired.claim);
          return acquired.bytes;
        };
  const releaseAll = (): void => {
    for (const c of claims) c.release();
  };
  const read = await log.read(fetchOffset, maxBytes, leaderEndOffset, allocate);
  if (!read.ok) {
    releaseAll();
    return null;
  }
  const chunks = read.records;
  const records = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  const claim = claims.length === 0 ? null : { release: releaseAll };
  return { records: chunks.length === 0 ? Buffer.alloc(0) : records, source: 'log', claim };
}
