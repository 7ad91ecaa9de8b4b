/**
 * The consumer data path's handlers over a real Partition (PartitionLog on
 * an in-memory disk) whose log holds two leader epochs: Fetch by topic id,
 * leader-epoch fencing, the diverging epoch a consumer gets after an
 * unclean leader change, KIP-951 hints; ListOffsets v0, -3, -4, -5 and the
 * answer's leader epoch; OffsetForLeaderEpoch for consumers and followers.
 */
import { systemClock } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import {
  ErrorCode,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type OffsetForLeaderEpochRequest,
} from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/handlers/fetch.ts';
import type { RequestContext } from '../src/handlers/handler.ts';
import { listOffsetsHandler } from '../src/handlers/list-offsets.ts';
import { offsetForLeaderEpochHandler } from '../src/handlers/offset-for-leader-epoch.ts';
import type { Partition } from '../src/replication/partition.ts';
import { handlerContext } from './handler-context.ts';
import { batchAt, manualTime, partitionOn, state, topicId } from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const at = (apiKey: number, apiVersion: number): RequestContext => ({
  header: { apiKey, apiVersion, correlationId: 1, clientId: 'test' },
  connection: { id: 1, remoteAddress: 'test' },
});

async function append(p: Partition, timestampMs: bigint, ...values: string[]): Promise<void> {
  const result = await p.appendAsLeader(batchAt(timestampMs, ...values), values.length, {
    acks: 1,
    minInsyncReplicas: 1,
    timeoutMs: 1_000,
  });
  if (!result.ok) throw new Error(result.error);
}

/** Broker 1 alone leads t-0: 'a','b' written in epoch 1 (offsets 0-1), 'c','d' in epoch 3 (offsets 2-3), all committed. */
async function twoEpochs() {
  const partition = await partitionOn(1, manualTime());
  partition.applyState(state(1, 1, [1]), { lagTimeMaxMs });
  await append(partition, 1_000n, 'a', 'b');
  partition.applyState(state(1, 3, [1]), { lagTimeMaxMs });
  await append(partition, 5_000n, 'c', 'd');
  const { context } = handlerContext(partition, { clock: systemClock });
  return { partition, context };
}

function fetchBody(
  topic: { topic?: string; topicId?: string },
  p: { fetchOffset: bigint; currentLeaderEpoch?: number; lastFetchedEpoch?: number },
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ ...topic, partitions: [{ partition: 0, partitionMaxBytes: 1 << 20, ...p }] }],
  };
}

function only(response: FetchResponse | null) {
  const topic = response?.responses[0];
  const data = topic?.partitions[0];
  if (topic === undefined || data === undefined) throw new Error('no partition in the response');
  return { topic, data, response: response as FetchResponse };
}

describe('Fetch at v12+', () => {
  it('v13 names the topic by id, and the answer names it the same way', async () => {
    const s = await twoEpochs();
    const { topic, data } = only(
      await fetchHandler(s.context).handle(fetchBody({ topicId }, { fetchOffset: 0n }), at(1, 13)),
    );
    expect(topic.topicId).toBe(topicId);
    expect(data.errorCode).toBe(ErrorCode.NONE);
    expect(data.highWatermark).toBe(4n);
  });

  it('an id the image does not know is UNKNOWN_TOPIC_ID', async () => {
    const s = await twoEpochs();
    const unknown = '11111111-2222-4333-8444-555555555555';
    const { topic, data } = only(
      await fetchHandler(s.context).handle(fetchBody({ topicId: unknown }, { fetchOffset: 0n }), at(1, 13)),
    );
    expect(topic.topicId).toBe(unknown);
    expect(data.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('a currentLeaderEpoch older than the leader`s is fenced, a newer one unknown', async () => {
    const s = await twoEpochs();
    const handler = fetchHandler(s.context);
    const old = only(
      await handler.handle(fetchBody({ topic: 't' }, { fetchOffset: 0n, currentLeaderEpoch: 1 }), at(1, 12)),
    );
    expect(old.data.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    const ahead = only(
      await handler.handle(fetchBody({ topic: 't' }, { fetchOffset: 0n, currentLeaderEpoch: 4 }), at(1, 12)),
    );
    expect(ahead.data.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    const current = only(
      await handler.handle(fetchBody({ topic: 't' }, { fetchOffset: 0n, currentLeaderEpoch: 3 }), at(1, 12)),
    );
    expect(current.data.errorCode).toBe(ErrorCode.NONE);
  });

  it('a consumer that read offset 2 in an epoch 2 this log never had gets the diverging epoch and no records', async () => {
    const s = await twoEpochs();
    const body = fetchBody({ topic: 't' }, { fetchOffset: 3n, currentLeaderEpoch: 3, lastFetchedEpoch: 2 });
    const { data } = only(await fetchHandler(s.context).handle(body, at(1, 12)));
    expect(data.errorCode).toBe(ErrorCode.NONE);
    expect(data.divergingEpoch).toEqual({ epoch: 1, endOffset: 2n });
    expect(data.records).toEqual(Buffer.alloc(0));
  });

  it('a diverging epoch is answered at once, not after max_wait_ms: the consumer must act on it', async () => {
    const s = await twoEpochs();
    const body = {
      ...fetchBody({ topic: 't' }, { fetchOffset: 4n, lastFetchedEpoch: 2 }),
      maxWaitMs: 600_000,
      minBytes: 1,
    };
    const { data } = only(await fetchHandler(s.context).handle(body, at(1, 12)));
    expect(data.divergingEpoch).toEqual({ epoch: 1, endOffset: 2n });
  });

  it('a consumer whose last epoch agrees reads on, with no diverging epoch', async () => {
    const s = await twoEpochs();
    const body = fetchBody({ topic: 't' }, { fetchOffset: 2n, lastFetchedEpoch: 1 });
    const { data } = only(await fetchHandler(s.context).handle(body, at(1, 12)));
    expect(data.divergingEpoch).toBeUndefined();
    expect(Buffer.concat(data.records as Buffer[]).length).toBeGreaterThan(0);
  });

  it('v16 names the current leader of a partition refused NOT_LEADER_OR_FOLLOWER; v15 does not', async () => {
    const s = await twoEpochs();
    s.partition.applyState(state(2, 4, [1, 2]), { lagTimeMaxMs });
    const handler = fetchHandler(s.context);
    const v16 = only(await handler.handle(fetchBody({ topicId }, { fetchOffset: 0n }), at(1, 16)));
    expect(v16.data.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // The image's view (leader 1, epoch 1 in the test image); the test image registers no broker endpoints.
    expect(v16.data.currentLeader).toEqual({ leaderId: 1, leaderEpoch: 1 });
    expect(v16.response.nodeEndpoints).toEqual([]);
    const v15 = only(await handler.handle(fetchBody({ topicId }, { fetchOffset: 0n }), at(1, 15)));
    expect(v15.data.currentLeader).toBeUndefined();
  });
});

/** The image once the controller moved t-0 to broker 2 (epoch 4), which registered an endpoint. */
function movedToBroker2(): MetadataImage {
  const records: MetadataRecord[] = [
    {
      type: 'register-broker',
      brokerId: 2,
      incarnationId: 'inc-2',
      brokerEpoch: 2n,
      listeners: [{ name: 'PLAINTEXT', host: 'broker-2', port: 9002, securityProtocol: 'PLAINTEXT' }],
      rack: 'r2',
    },
    { type: 'topic', name: 't', topicId },
    {
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [1, 2],
      isr: [2],
      leader: 2,
      leaderEpoch: 4,
      partitionEpoch: 4,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
  ];
  return replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
}

describe('Fetch v16 leader hints (KIP-951)', () => {
  it('a fenced or refused partition names the leader the image knows, and the response lists its endpoint', async () => {
    const s = await twoEpochs();
    s.partition.applyState(state(2, 4, [1, 2]), { lagTimeMaxMs });
    const image = movedToBroker2();
    const handler = fetchHandler({ ...s.context, image: () => image });
    const fenced = only(
      await handler.handle(fetchBody({ topicId }, { fetchOffset: 0n, currentLeaderEpoch: 3 }), at(1, 16)),
    );
    expect(fenced.data.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(fenced.data.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 4 });
    expect(fenced.response.nodeEndpoints).toEqual([{ nodeId: 2, host: 'broker-2', port: 9002, rack: 'r2' }]);
    const refused = only(await handler.handle(fetchBody({ topicId }, { fetchOffset: 0n }), at(1, 17)));
    expect(refused.data.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(refused.data.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 4 });
  });
});

function listBody(
  timestamp: bigint,
  extra: { maxNumOffsets?: number; currentLeaderEpoch?: number } = {},
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp, ...extra }] }],
  };
}

async function listed(
  timestamp: bigint,
  version: number,
  extra: { maxNumOffsets?: number; currentLeaderEpoch?: number } = {},
) {
  const s = await twoEpochs();
  const response = await listOffsetsHandler(s.context).handle(listBody(timestamp, extra), at(2, version));
  const data = response?.topics[0]?.partitions[0];
  if (data === undefined) throw new Error('no partition in the response');
  return data;
}

describe('ListOffsets', () => {
  it('v0 answers an offset list, newest first (the log end: one segment here)', async () => {
    expect(await listed(-1n, 0, { maxNumOffsets: 5 })).toMatchObject({ errorCode: 0, oldStyleOffsets: [4n, 0n] });
    expect(await listed(-2n, 0, { maxNumOffsets: 5 })).toMatchObject({ errorCode: 0, oldStyleOffsets: [0n] });
  });

  it('latest carries the current leader epoch, earliest and earliest-local the epoch of the log start', async () => {
    expect(await listed(-1n, 10)).toMatchObject({ offset: 4n, leaderEpoch: 3 });
    expect(await listed(-2n, 10)).toMatchObject({ offset: 0n, leaderEpoch: 1 });
    expect(await listed(-4n, 10)).toMatchObject({ offset: 0n, leaderEpoch: 1 });
  });

  it('-3 finds the first record with the largest timestamp; -5 (tiered) has no offset without tiered storage', async () => {
    expect(await listed(-3n, 7)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: 5_000n, leaderEpoch: 3 });
    expect(await listed(-5n, 9)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('a special timestamp is answered at any version, as Kafka answers it', async () => {
    expect(await listed(-3n, 1)).toMatchObject({ errorCode: 0, offset: 2n, timestamp: 5_000n });
  });

  it('a negative timestamp that is not a special one is INVALID_REQUEST', async () => {
    expect((await listed(-9n, 10)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('fences by currentLeaderEpoch', async () => {
    expect((await listed(-1n, 4, { currentLeaderEpoch: 2 })).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect((await listed(-1n, 4, { currentLeaderEpoch: 9 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

function epochBody(replicaId: number, leaderEpoch: number, currentLeaderEpoch = -1): OffsetForLeaderEpochRequest {
  return { replicaId, topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }] };
}

describe('OffsetForLeaderEpoch', () => {
  it('answers the largest epoch at or below the asked one and where it ends; -1/-1 below every epoch', async () => {
    const s = await twoEpochs();
    const handler = offsetForLeaderEpochHandler(s.context);
    const answer = async (epoch: number) =>
      (await handler.handle(epochBody(-1, epoch), at(23, 4)))?.topics[0]?.partitions[0];
    expect(await answer(1)).toMatchObject({ errorCode: 0, leaderEpoch: 1, endOffset: 2n });
    expect(await answer(2)).toMatchObject({ errorCode: 0, leaderEpoch: 1, endOffset: 2n });
    expect(await answer(3)).toMatchObject({ errorCode: 0, leaderEpoch: 3, endOffset: 4n });
    expect(await answer(0)).toMatchObject({ errorCode: 0, leaderEpoch: -1, endOffset: -1n });
  });

  it('fences a stale sender and refuses on a broker that does not lead', async () => {
    const s = await twoEpochs();
    const handler = offsetForLeaderEpochHandler(s.context);
    const fenced = (await handler.handle(epochBody(-1, 3, 1), at(23, 4)))?.topics[0]?.partitions[0];
    expect(fenced?.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    s.partition.applyState(state(2, 4, [1, 2]), { lagTimeMaxMs });
    const moved = (await handler.handle(epochBody(-1, 3), at(23, 4)))?.topics[0]?.partitions[0];
    expect(moved?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
