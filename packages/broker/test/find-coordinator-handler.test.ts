/**
 * FindCoordinator against a stub controller and a hand-built metadata
 * image: the first lookup of a key type creates its internal topic
 * (`__consumer_offsets`, `__transaction_state`) with its settings, the
 * answer is the PLAINTEXT address of the leader of the key's partition, and
 * every "not yet" is COORDINATOR_NOT_AVAILABLE.
 */
import { ok, silentLogger } from '@runnel/common';
import {
  ControllerUnavailableError,
  type CreateTopicRequest,
  type CreateTopicResult,
  MetadataImage,
  type MetadataRecord,
  replayBatch,
} from '@runnel/metadata';
import { ErrorCode, type FindCoordinatorResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { consumerOffsetsTopic, partitionForGroup } from '../src/groups/types.ts';
import { findCoordinatorHandler } from '../src/handlers/find-coordinator.ts';
import type { BrokerContext, RequestContext } from '../src/handlers/handler.ts';
import { partitionForTransactionalId, transactionStateTopic } from '../src/transactions/txn-api.ts';

const topicId = '00000000-0000-4000-8000-000000000001';
const otherTopicId = '00000000-0000-4000-8000-000000000002';

function registration(brokerId: number): MetadataRecord {
  return {
    type: 'register-broker',
    brokerId,
    incarnationId: `inc-${brokerId}`,
    brokerEpoch: BigInt(brokerId),
    listeners: [
      { name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9000 + brokerId, securityProtocol: 'PLAINTEXT' },
      { name: 'REPLICATION', host: `broker-${brokerId}`, port: 19000 + brokerId, securityProtocol: 'PLAINTEXT' },
    ],
    rack: null,
  };
}

/** The records a controller would commit for the topic: leaders rotate over `brokers`. */
function topicRecords(
  partitions: number,
  brokers: number[],
  leaderOf = (i: number) => brokers[i % brokers.length],
  name = consumerOffsetsTopic,
): MetadataRecord[] {
  const id = name === consumerOffsetsTopic ? topicId : otherTopicId;
  const records: MetadataRecord[] = [{ type: 'topic', name, topicId: id }];
  for (let i = 0; i < partitions; i++) {
    records.push({
      type: 'partition',
      topicId: id,
      partition: i,
      replicas: brokers,
      isr: brokers,
      leader: leaderOf(i) ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    });
  }
  return records;
}

/** A broker context whose controller "commits" a topic creation into the image it serves. */
function cluster(brokers: number[], options: { unavailableTimes?: number } = {}) {
  let unavailable = options.unavailableTimes ?? 0;
  let image = replayBatch(MetadataImage.empty, brokers.map(registration), BigInt(brokers.length));
  const created: CreateTopicRequest[][] = [];
  const commit = (records: MetadataRecord[]): void => {
    image = replayBatch(image, records, image.lastOffset + BigInt(records.length));
  };
  const controller = {
    async call(op: string, { topics: req }: { topics: readonly CreateTopicRequest[] }): Promise<CreateTopicResult[]> {
      if (op !== 'createTopics') throw new Error(`unexpected ${op}`);
      if (unavailable-- > 0) throw new ControllerUnavailableError('no leader');
      created.push([...req]);
      const first = req[0];
      if (first === undefined) return [];
      commit(topicRecords(first.numPartitions, brokers.slice(0, first.replicationFactor), undefined, first.name));
      return [
        {
          name: first.name,
          result: ok({
            topicId,
            numPartitions: first.numPartitions,
            replicationFactor: first.replicationFactor,
            configs: first.configs,
          }),
        },
      ];
    },
  };
  const context = {
    config: defaultBrokerConfig,
    controller,
    partitions: { settled: () => Promise.resolve() },
    logger: silentLogger(),
    image: () => image,
  } as unknown as BrokerContext;
  return { context, created, commit, image: () => image };
}

function at(apiVersion: number): RequestContext {
  return { header: { apiKey: 10, apiVersion, correlationId: 1, clientId: 'test' } } as unknown as RequestContext;
}

async function find(context: BrokerContext, key: string, keyType = 0): Promise<FindCoordinatorResponse | null> {
  return findCoordinatorHandler(context).handle({ key, keyType }, at(2));
}

describe('findCoordinatorHandler', () => {
  it('creates __consumer_offsets on the first lookup and answers the leader of the group partition', async () => {
    const c = cluster([1, 2, 3, 4]);
    const response = await find(c.context, 'orders-app');
    expect(c.created).toEqual([
      [
        {
          name: consumerOffsetsTopic,
          numPartitions: 50,
          replicationFactor: 3,
          assignments: [],
          configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' },
        },
      ],
    ]);
    const leader = c.image().partition(consumerOffsetsTopic, partitionForGroup('orders-app', 50))?.leader;
    expect(response).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: leader,
      host: `broker-${leader}`,
      port: 9000 + (leader ?? 0),
    });
  });

  it('creates the topic with replication factor min(3, live brokers) and only once for concurrent lookups', async () => {
    const c = cluster([7]);
    const handler = findCoordinatorHandler(c.context);
    const answers = await Promise.all(['a', 'b', 'c'].map((key) => handler.handle({ key, keyType: 0 }, at(0))));
    expect(c.created).toHaveLength(1);
    expect(c.created[0]?.[0]?.replicationFactor).toBe(1);
    for (const a of answers) expect(a).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 7, port: 9007 });
  });

  it('uses the existing topic partition count, whatever the default', async () => {
    const c = cluster([1, 2]);
    c.commit(topicRecords(3, [1, 2], (i) => (i === partitionForGroup('g', 3) ? 2 : 1)));
    expect(await find(c.context, 'g')).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 2, host: 'broker-2' });
    expect(c.created).toEqual([]);
  });

  it('answers COORDINATOR_NOT_AVAILABLE while no controller answers, then creates on a later lookup', async () => {
    const c = cluster([1], { unavailableTimes: 1 });
    const handler = findCoordinatorHandler(c.context);
    expect(await handler.handle({ key: 'g', keyType: 0 }, at(1))).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      nodeId: -1,
    });
    expect(c.created).toEqual([]);
    expect(await find(c.context, 'g')).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1 });
  });

  it('counts fenced brokers for the replication factor, so a booting cluster does not get RF 1 for good', async () => {
    const c = cluster([1, 2, 3]);
    c.commit([{ type: 'fence-broker', brokerId: 3, brokerEpoch: 3n }]);
    await find(c.context, 'g');
    expect(c.created[0]?.[0]?.replicationFactor).toBe(3);
  });

  it('answers COORDINATOR_NOT_AVAILABLE when the partition has no leader or its leader is fenced', async () => {
    const c = cluster([1, 2]);
    c.commit(topicRecords(1, [1, 2], () => -1));
    expect(await find(c.context, 'g')).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
    c.commit(topicRecords(1, [1, 2], () => 2).filter((r) => r.type === 'partition'));
    c.commit([{ type: 'fence-broker', brokerId: 2, brokerEpoch: 2n }]);
    expect(await find(c.context, 'g')).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
  });

  it('creates __transaction_state on the first transactional lookup and answers the leader of the id partition', async () => {
    const c = cluster([1, 2, 3, 4]);
    const response = await find(c.context, 'payments-tx', 1);
    expect(c.created).toEqual([
      [
        {
          name: transactionStateTopic,
          numPartitions: 50,
          replicationFactor: 3,
          assignments: [],
          configs: {
            'cleanup.policy': 'compact',
            'compression.type': 'uncompressed',
            'min.insync.replicas': '2',
            'segment.bytes': '104857600',
            'unclean.leader.election.enable': 'false',
          },
        },
      ],
    ]);
    const leader = c.image().partition(transactionStateTopic, partitionForTransactionalId('payments-tx', 50))?.leader;
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: leader, host: `broker-${leader}` });
    expect(c.image().topic(consumerOffsetsTopic)).toBeUndefined();
  });

  it('caps __transaction_state min.insync.replicas at its replication factor on a one-broker cluster', async () => {
    const c = cluster([5]);
    expect(await find(c.context, 'tx', 1)).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 5 });
    expect(c.created[0]?.[0]).toMatchObject({ replicationFactor: 1, configs: { 'min.insync.replicas': '1' } });
  });

  it('answers INVALID_REQUEST for an empty transactional id and unknown key types, creating nothing', async () => {
    const c = cluster([1]);
    expect(await find(c.context, '', 1)).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(await find(c.context, 'x', 2)).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(c.created).toEqual([]);
  });

  it('v4+ answers each key of a batch on its own: coordinators, and per-key errors that do not fail the others', async () => {
    const c = cluster([1, 2, 3]);
    const handler = findCoordinatorHandler(c.context);
    const response = await handler.handle({ keyType: 0, coordinatorKeys: ['app-a', 'app-b', ''] }, at(4));
    expect(response?.errorCode).toBeUndefined();
    const leaderOf = (key: string) => c.image().partition(consumerOffsetsTopic, partitionForGroup(key, 50))?.leader;
    expect(response?.coordinators).toEqual(
      ['app-a', 'app-b', ''].map((key) => ({
        key,
        nodeId: leaderOf(key),
        host: `broker-${leaderOf(key)}`,
        port: 9000 + (leaderOf(key) ?? 0),
        errorCode: ErrorCode.NONE,
        errorMessage: null,
      })),
    );
    // One creation of the topic for the whole batch.
    expect(c.created).toHaveLength(1);
    // Transactional keys: an empty id is refused alone.
    const txn = await handler.handle({ keyType: 1, coordinatorKeys: ['tx-1', ''] }, at(5));
    expect(txn?.coordinators).toMatchObject([
      { key: 'tx-1', errorCode: ErrorCode.NONE },
      { key: '', errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1, errorMessage: 'The transactional id is empty' },
    ]);
  });

  it('v6 refuses share-group keys (type 2) per key: Runnel has no share coordinator', async () => {
    const c = cluster([1]);
    const response = await findCoordinatorHandler(c.context).handle({ keyType: 2, coordinatorKeys: ['g:t:0'] }, at(6));
    expect(response?.coordinators).toEqual([
      {
        key: 'g:t:0',
        nodeId: -1,
        host: '',
        port: -1,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Share groups are not supported',
      },
    ]);
    expect(c.created).toEqual([]);
  });

  it('v4 with no keys answers an empty batch', async () => {
    const c = cluster([1]);
    expect(await findCoordinatorHandler(c.context).handle({ keyType: 0, coordinatorKeys: [] }, at(4))).toEqual({
      throttleTimeMs: 0,
      coordinators: [],
    });
  });
});
