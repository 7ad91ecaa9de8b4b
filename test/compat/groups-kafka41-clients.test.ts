/**
 * Real clients on the Kafka 4.1 versions of the group APIs. The broker
 * advertises a fault proxy as its address, so every connection (bootstrap,
 * coordinator, leader) passes through it and the proxy records the version
 * of each group request a client sent:
 * - @platformatic/kafka (which speaks each API's newest version) consumes
 *   in a group, commits, lists groups filtered by state and type, describes
 *   groups with authorized operations, fetches two groups' offsets in one
 *   batched OffsetFetch and deletes the group;
 * - confluent-kafka-python (librdkafka 2.0.2) joins, commits, reads the
 *   commit back and lists and describes the groups (AdminClient.list_groups)
 *   while a member and after leaving;
 * - kafkajs (old versions) reads the same group and offsets.
 */
import { Consumer, Admin as PlatformaticAdmin, stringDeserializers } from '@platformatic/kafka';
import { decodeRequestFrame, type OffsetFetchRequest } from '@runnel/protocol';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { PythonClient } from '../harness/python-client.ts';
import { waitFor } from '../harness/wait.ts';

/** The group APIs' keys, by name. */
const keys = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
} as const;

let node: InProcessCluster;
let proxy: FaultProxy;
let bootstrap: string;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  proxy = await FaultProxy.start({ name: 'kafka' });
  node = await startInProcess({
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
    advertisedHost: '127.0.0.1',
    advertisedPort: proxy.port,
  });
  proxy.setTarget({ host: '127.0.0.1', port: node.broker.port });
  bootstrap = `127.0.0.1:${proxy.port}`;
  kafka = new Kafka({ brokers: [bootstrap], clientId: 'groups-kafka41', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await node?.stop();
  await proxy?.close();
});

async function produce(topic: string, partitions: number, prefix: string, count: number): Promise<string[]> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  return values;
}

/** The highest version of each group API captured since `from` (an index into the captured requests). */
function versionsSince(from: number): Map<number, number> {
  const max = new Map<number, number>();
  for (const r of proxy.capturedRequests.slice(from))
    max.set(r.apiKey, Math.max(max.get(r.apiKey) ?? -1, r.apiVersion));
  return max;
}

describe('group APIs at Kafka 4.1 versions with real clients', () => {
  it('@platformatic/kafka: group member, state and type filters, describe, batched offsets, delete — at the newest versions', async () => {
    proxy.captureRequests(Object.values(keys), 100_000);
    const from = proxy.capturedRequests.length;
    const topic = 'plt-41';
    const values = await produce(topic, 2, 'v', 40);
    const consumer = new Consumer({
      groupId: 'plt-41-group',
      clientId: 'plt-41',
      bootstrapBrokers: [bootstrap],
      deserializers: stringDeserializers,
    });
    const pltAdmin = new PlatformaticAdmin({ clientId: 'plt-41-admin', bootstrapBrokers: [bootstrap] });
    try {
      const stream = await consumer.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
        sessionTimeout: 6000,
        heartbeatInterval: 300,
        maxWaitTime: 200,
      });
      const missing = new Set(values);
      for await (const message of stream) {
        await message.commit();
        missing.delete(message.value);
        if (missing.size === 0) break;
      }
      // A heartbeat (v4, flexible) while the member is Stable.
      await waitFor(() => versionsSince(from).has(keys.Heartbeat), { what: 'a heartbeat' });

      const stable = await pltAdmin.listGroups({ states: ['Stable'], types: ['classic'] });
      expect(stable.get('plt-41-group')).toEqual({
        id: 'plt-41-group',
        state: 'Stable',
        groupType: 'classic',
        protocolType: 'consumer',
      });
      expect((await pltAdmin.listGroups({ states: ['Empty'] })).has('plt-41-group')).toBe(false);
      expect((await pltAdmin.listGroups({ types: ['consumer'] })).size).toBe(0);

      const described = await pltAdmin.describeGroups({
        groups: ['plt-41-group', 'plt-41-missing'],
        includeAuthorizedOperations: true,
      });
      const group = described.get('plt-41-group');
      expect(group).toMatchObject({ state: 'Stable', protocolType: 'consumer', authorizedOperations: 8 + 64 + 256 });
      expect(group?.members.size).toBe(1);
      expect(described.get('plt-41-missing')).toMatchObject({ state: 'Dead' });
      await stream.close();
    } finally {
      await consumer.close(true);
    }
    // The member left (LeaveGroup v5): the group is Empty, its offsets stay.
    await waitFor(async () => (await pltAdmin.listGroups({ states: ['Empty'] })).has('plt-41-group'), {
      what: 'the group to be Empty',
    });
    try {
      const offsets = await pltAdmin.listConsumerGroupOffsets({ groups: ['plt-41-group', 'plt-41-never'] });
      const byGroup = new Map(offsets.map((g) => [g.groupId, g.topics]));
      const committed = byGroup
        .get('plt-41-group')
        ?.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset]));
      expect(committed?.sort()).toEqual([
        [topic, 0, 20n],
        [topic, 1, 20n],
      ]);
      expect(byGroup.get('plt-41-never')).toEqual([]);
      await pltAdmin.deleteGroups({ groups: ['plt-41-group'] });
      expect((await pltAdmin.listGroups()).has('plt-41-group')).toBe(false);
    } finally {
      await pltAdmin.close();
    }

    const versions = versionsSince(from);
    expect(Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, versions.get(key)]))).toEqual({
      OffsetCommit: 9,
      OffsetFetch: 9,
      FindCoordinator: 6,
      JoinGroup: 9,
      Heartbeat: 4,
      LeaveGroup: 5,
      SyncGroup: 5,
      DescribeGroups: 5,
      ListGroups: 5,
      DeleteGroups: 2,
    });
    // Both groups went in one OffsetFetch (v8+ batches groups).
    const batched = proxy.capturedRequests
      .slice(from)
      .filter((r) => r.apiKey === keys.OffsetFetch)
      .map((r) => decodeRequestFrame(r.bytes.subarray(4)))
      .map((d) => (d.ok ? (d.body as unknown as OffsetFetchRequest) : null))
      .filter((b) => (b?.groups?.length ?? 0) === 2);
    expect(batched).toHaveLength(1);
  });

  it('confluent-kafka-python (librdkafka 2.0.2): joins, commits, reads the commit back, lists and describes groups', async () => {
    const topic = 'py-41';
    await produce(topic, 1, 'p', 20);
    const script = new PythonClient('group_admin.py', [bootstrap, topic, 'py-41-group', '20']);
    const code = await script.exited;
    expect(code, script.stderr).toBe(0);
    const events = script.events();
    expect(events.find((e) => e.event === 'read')).toEqual({ event: 'read', count: 20 });
    expect(events.find((e) => e.event === 'committed')).toEqual({ event: 'committed', offsets: [[0, 20]] });
    const groups = events.filter((e) => e.event === 'group' && e.id === 'py-41-group');
    expect(groups).toEqual([
      {
        event: 'group',
        phase: 'member',
        id: 'py-41-group',
        state: 'Stable',
        protocol_type: 'consumer',
        protocol: 'range',
        members: ['py-group-admin'],
        error: null,
      },
      {
        event: 'group',
        phase: 'closed',
        id: 'py-41-group',
        state: 'Empty',
        protocol_type: 'consumer',
        protocol: '',
        members: [],
        error: null,
      },
    ]);
  });

  it('kafkajs (older versions) sees the same group and committed offsets', async () => {
    const topic = 'js-41';
    await produce(topic, 1, 'j', 10);
    await admin.setOffsets({ groupId: 'js-41-group', topic, partitions: [{ partition: 0, offset: '7' }] });
    const fetched = await admin.fetchOffsets({ groupId: 'js-41-group', topics: [topic] });
    // kafkajs reports empty metadata as null.
    expect(fetched).toEqual([{ topic, partitions: [{ partition: 0, offset: '7', metadata: null }] }]);
    const listed = await admin.listGroups();
    // kafkajs's setOffsets joins the group with a consumer first, so the group has the consumer protocol type.
    expect(listed.groups).toContainEqual({ groupId: 'js-41-group', protocolType: 'consumer' });
    const described = await admin.describeGroups(['js-41-group']);
    expect(described.groups).toMatchObject([{ groupId: 'js-41-group', state: 'Empty', errorCode: 0 }]);
  });
});
