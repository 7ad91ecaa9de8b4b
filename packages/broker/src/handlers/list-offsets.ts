/**
 * ListOffsets (key 2, v0-10). For each partition, on its leader:
 *
 * - -1 latest: the high watermark (read_committed, v2+: the last stable
 *   offset), with the current leader epoch;
 * - -2 earliest and -4 earliest local (v8+; without tiered storage the
 *   local log is the whole log): the log start offset;
 * - -3 max timestamp (v7+): the first record carrying the largest
 *   timestamp;
 * - -5 latest tiered (v9+): no tiered storage, so no offset (-1), as
 *   Kafka answers with remote storage off;
 * - a time: the first RECORD whose timestamp is at or after it (not the
 *   first offset of its batch), -1 / -1 when there is none.
 *
 * The special timestamps are answered at any version, as Kafka's broker
 * does (its clients send -3 from v7, -4 from v8, -5 from v9).
 * v0 answers a list instead (legacy-offsets.ts). v4+ fences by
 * currentLeaderEpoch (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH). v10's
 * timeoutMs bounds remote lookups, which never happen here.
 */
import { ErrorCode, type ListOffsetsRequest, type ListOffsetsResponse } from '@runnel/protocol';
import type { Partition } from '../replication/partition.ts';
import type { IsolationLevel } from '../replication/partition-api.ts';
import { isFromFollower, leaderEpochError } from './epoch-checks.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';
import { legacyOffsets } from './legacy-offsets.ts';

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];
type PartitionRequest = ListOffsetsRequest['topics'][number]['partitions'][number];

const latestTimestamp = -1n;
const earliestTimestamp = -2n;
const maxTimestamp = -3n;
const earliestLocalTimestamp = -4n;
const latestTieredTimestamp = -5n;
const readCommitted = 1;

export function listOffsetsHandler(broker: BrokerContext): Handler<2> {
  async function answer(
    partition: Partition,
    timestamp: bigint,
    isolation: IsolationLevel,
  ): Promise<{ offset: bigint; timestamp: bigint; leaderEpoch: number } | null> {
    const none = { offset: -1n, timestamp: -1n, leaderEpoch: -1 };
    switch (timestamp) {
      case latestTimestamp: {
        const offset = isolation === 'read_committed' ? partition.lastStableOffset : partition.highWatermark;
        return { offset, timestamp: -1n, leaderEpoch: partition.leaderEpoch };
      }
      case earliestTimestamp:
      case earliestLocalTimestamp: {
        const offset = partition.logStartOffset;
        return { offset, timestamp: -1n, leaderEpoch: partition.log.epochAt(offset) };
      }
      case latestTieredTimestamp:
        return none;
      case maxTimestamp: {
        const found = await partition.maxTimestampRecord(isolation);
        return found === null ? none : { ...found, timestamp: found.timestampMs };
      }
      default: {
        if (timestamp < 0n) return null;
        const found = await partition.offsetForTimestamp(timestamp, isolation);
        return found === null ? none : { ...found, timestamp: found.timestampMs };
      }
    }
  }

  async function lookup(
    topic: string,
    p: PartitionRequest,
    request: ListOffsetsRequest,
    version: number,
  ): Promise<PartitionResponse> {
    const refused = (errorCode: number): PartitionResponse => ({
      partitionIndex: p.partitionIndex,
      errorCode,
      oldStyleOffsets: [],
      timestamp: -1n,
      offset: -1n,
      leaderEpoch: -1,
    });
    const topicImage = broker.image().topic(topic);
    if (topicImage === undefined || topicImage.partitions[p.partitionIndex] === undefined)
      return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const partition = broker.partitions.get(topic, p.partitionIndex);
    if (partition === undefined || partition.closed) return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const fenced = leaderEpochError(p.currentLeaderEpoch ?? -1, partition.leaderEpoch);
    if (fenced !== ErrorCode.NONE) return refused(fenced);
    if (partition.leader !== broker.config.nodeId) return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (version === 0) {
      const offsets = legacyOffsets({
        segments: partition.log.segmentTimes(),
        logStartOffset: partition.logStartOffset,
        logEndOffset: partition.logEndOffset,
        highWatermark: isFromFollower(request.replicaId) ? null : partition.highWatermark,
        timestamp: p.timestamp,
        maxNumOffsets: p.maxNumOffsets ?? 1,
        nowMs: BigInt(broker.clock.nowMs()),
      });
      return { ...refused(ErrorCode.NONE), oldStyleOffsets: offsets };
    }
    const isolation = (request.isolationLevel ?? 0) === readCommitted ? 'read_committed' : 'read_uncommitted';
    const found = await answer(partition, p.timestamp, isolation);
    if (found === null) return refused(ErrorCode.INVALID_REQUEST);
    return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [], ...found };
  }

  return {
    apiKey: 2,
    minVersion: 0,
    maxVersion: 10,
    async handle(request: ListOffsetsRequest, context: RequestContext): Promise<ListOffsetsResponse> {
      const version = context.header.apiVersion;
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(
          request.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(t.partitions.map((p) => lookup(t.name, p, request, version))),
          })),
        ),
      };
    },
  };
}
