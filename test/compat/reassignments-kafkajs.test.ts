/**
 * AlterPartitionReassignments and ListPartitionReassignments (keys 45/46,
 * flexible) from kafkajs 2.2.4 (v0) and a raw v1 connection (KIP-860's guard) against an in-process controller and
 * broker. One broker cannot complete a move, so this covers the wire, the
 * refusals as Kafka codes, and a move that starts, lists and is cancelled
 * (towards a second broker that registers but never runs).
 */
import { Connection } from '@runnel/client';
import { ApiKeys, ErrorCode } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';

let cluster: InProcessCluster;
let kafka: Kafka;
let bootstrap: { host: string; port: number };

beforeAll(async () => {
  cluster = await startInProcess();
  bootstrap = { host: '127.0.0.1', port: cluster.broker.port };
  kafka = new Kafka({
    brokers: [`${bootstrap.host}:${bootstrap.port}`],
    clientId: 'reassign-compat',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Every Kafka error code inside a kafkajs rejection (aggregate errors nest them). */
async function rejectedCodes(promise: Promise<unknown>): Promise<number[]> {
  try {
    await promise;
  } catch (error) {
    const errors = (error as { errors?: unknown[] }).errors ?? [error];
    return errors.map((e) => (e as { code?: number }).code ?? -99);
  }
  throw new Error('expected the call to fail');
}

describe('partition reassignment from kafkajs', () => {
  it('lists no reassignments on a quiet cluster', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses an unknown topic with UNKNOWN_TOPIC_OR_PARTITION and an unregistered broker with INVALID_REPLICA_ASSIGNMENT', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'reassign-refused', numPartitions: 1 }], waitForLeaders: true });
      const unknown = admin.alterPartitionReassignments({
        topics: [{ topic: 'no-such-topic', partitionAssignment: [{ partition: 0, replicas: [1] }] }],
      });
      expect(await rejectedCodes(unknown)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      const stranger = admin.alterPartitionReassignments({
        topics: [{ topic: 'reassign-refused', partitionAssignment: [{ partition: 0, replicas: [1, 42] }] }],
      });
      expect(await rejectedCodes(stranger)).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
      expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
    } finally {
      await admin.disconnect();
    }
  });

  it('a move towards a registered second broker starts and lists its adding and removing replicas; a cancel undoes it', async () => {
    const admin = kafka.admin();
    await admin.connect();
    // Created while broker 1 is the only broker, so the partition is on 1 and the move to 2 is a real one.
    await admin.createTopics({ topics: [{ topic: 'reassign-moving', numPartitions: 1 }], waitForLeaders: true });
    const registered = await cluster.quorum.channel().channel.call('registerBroker', {
      brokerId: 2,
      incarnationId: 'never-runs',
      listeners: [],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    expect(registered.ok).toBe(true);
    const connection = await Connection.connect({ ...bootstrap, clientId: 'reassign-cancel' });
    try {
      await admin.alterPartitionReassignments({
        topics: [{ topic: 'reassign-moving', partitionAssignment: [{ partition: 0, replicas: [2] }] }],
      });
      expect(
        await admin.listPartitionReassignments({ topics: [{ topic: 'reassign-moving', partitions: [0] }] }),
      ).toEqual({
        topics: [
          {
            name: 'reassign-moving',
            partitions: [{ partition: 0, replicas: [2, 1], addingReplicas: [2], removingReplicas: [1] }],
          },
        ],
      });

      // kafkajs cannot send a null replica list (a cancel); the raw request can.
      const cancel = (): ReturnType<typeof connection.request<45>> =>
        connection.request(ApiKeys.AlterPartitionReassignments, {
          timeoutMs: 5000,
          topics: [{ name: 'reassign-moving', partitions: [{ partitionIndex: 0, replicas: null }] }],
        });
      const cancelled = await cancel();
      expect(cancelled.responses[0]?.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
      const again = await cancel();
      expect(again.responses[0]?.partitions[0]).toMatchObject({ errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS });

      // v1 (KIP-860): refusing replication factor changes refuses [1, 2] for a partition of factor 1, not [2].
      const guarded = (replicas: number[]): ReturnType<typeof connection.request<45>> =>
        connection.request(ApiKeys.AlterPartitionReassignments, {
          timeoutMs: 5000,
          allowReplicationFactorChange: false,
          topics: [{ name: 'reassign-moving', partitions: [{ partitionIndex: 0, replicas }] }],
        });
      const grown = await guarded([1, 2]);
      expect(grown.allowReplicationFactorChange).toBe(false);
      expect(grown.responses[0]?.partitions[0]).toMatchObject({
        errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
        errorMessage: expect.stringMatching(/from 1 to 2/),
      });
      expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
      const moved = await guarded([2]);
      expect(moved.responses[0]?.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(await cancel()).toMatchObject({ errorCode: ErrorCode.NONE });
    } finally {
      connection.close();
      await admin.disconnect();
    }
  });
});
