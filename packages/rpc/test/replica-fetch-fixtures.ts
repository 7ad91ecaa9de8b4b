import { brokerId, leaderEpoch, offset, partitionId } from '@runnel/common';
import type {
  ReplicaFetchPartitionRequest,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from '../src/replica-fetch-types.ts';

export const topicA = '0b6f0e3a-4c1d-4e2f-9a8b-7c6d5e4f3a2b';
export const topicB = 'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f';

export const int64Min = -(2n ** 63n);
export const int64Max = 2n ** 63n - 1n;

export const partitionFetch: ReplicaFetchPartitionRequest = {
  topicId: topicA,
  partition: partitionId(0),
  fetchOffset: offset(10n),
  lastFetchedEpoch: leaderEpoch(3),
  currentLeaderEpoch: leaderEpoch(4),
  logStartOffset: offset(0n),
};

/** A fetch of `partitionFetch` from broker 2 unless overridden. */
export function fetchRequest(overrides: Partial<ReplicaFetchRequest> = {}): ReplicaFetchRequest {
  return {
    replicaId: brokerId(2),
    brokerEpoch: 7n,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 1024 * 1024,
    partitions: [partitionFetch],
    ...overrides,
  };
}

/** Echoes the first partition of `request` with `fetchOffset` as its log end offset and `records`. */
export function responseFor(request: ReplicaFetchRequest, records = Buffer.alloc(0)): ReplicaFetchResponse {
  const p = request.partitions[0];
  return {
    partitions:
      p === undefined
        ? []
        : [
            {
              topicId: p.topicId,
              partition: p.partition,
              error: 'none',
              highWatermark: p.fetchOffset,
              logStartOffset: offset(0n),
              logEndOffset: p.fetchOffset,
              divergingEpoch: null,
              records,
            },
          ],
  };
}
