/**
 * REST Proxy v3 admin resources against a 3-broker cluster (one controller,
 * three broker processes) through one real `runnel gateway` process, every
 * route called over HTTP: clusters, brokers, topics (create, patch, delete),
 * partitions and replicas, topic/broker/cluster configs with `:alter`,
 * consumer groups made by kafkajs with their consumers, assignments, lags
 * and lag summary, a transactional producer's markers not counted as lag,
 * an ongoing partition reassignment, and the ACL routes answering that ACLs
 * are not enabled. Confluent's error codes are checked alongside.
 */
import { ClusterAdmin, GroupAdmin, KafkaClient, TransactionalProducer } from '@runnel/client';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { type RestAnswer, restCall } from '../harness/rest-http.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;
let gateway: GatewayProcess;
let client: KafkaClient;
let clusterId = '';
const consumers: Consumer[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 3,
    brokerArgs: () => ['--group-initial-rebalance-delay-ms', '0', '--no-auto-create-topics'],
  });
  // Brokers 1 and 2 only: the reassignment test pauses broker 3, and admin calls go to a bootstrap broker.
  gateway = await GatewayProcess.start(cluster.bootstrap([1, 2]));
  client = await KafkaClient.connect({ bootstrap: cluster.bootstrap([1, 2]) });
  const clusters = await waitFor(
    async () => {
      const answer = await restCall(gateway.restUrl, 'GET', '/v3/clusters');
      return answer.status === 200 ? answer : undefined;
    },
    { timeoutMs: 30_000, what: 'the gateway to answer /v3/clusters' },
  );
  clusterId = (clusters.body as { data: { cluster_id: string }[] }).data[0]?.cluster_id ?? '';
}, 120_000);

afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => {});
  client?.close();
  await gateway?.kill();
  await cluster?.stop();
});

/** A call under this cluster: `path` follows /v3/clusters/<id>. */
function v3(method: string, path: string, body?: unknown): Promise<RestAnswer> {
  return restCall(gateway.restUrl, method, `/v3/clusters/${clusterId}${path}`, body);
}

function url(path: string): string {
  return `${gateway.restUrl}/v3/clusters/${clusterId}${path}`;
}

type Listed = { kind: string; metadata: { self: string; next: null }; data: Record<string, unknown>[] };

function data(answer: RestAnswer): Record<string, unknown>[] {
  return (answer.body as Listed).data;
}

function expectError(answer: RestAnswer, status: number, code: number, message?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.contentType).toMatch(/^application\/json/);
  const body = answer.body as { error_code: number; message: string };
  expect(body.error_code).toBe(code);
  if (message !== undefined) expect(body.message).toMatch(message);
}

async function createTopic(body: Record<string, unknown>): Promise<void> {
  const answer = await v3('POST', '/topics', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

describe('clusters and brokers', () => {
  it('lists the one cluster and gets it, with links built on the host the caller used', async () => {
    const list = await restCall(gateway.restUrl, 'GET', '/v3/clusters');
    expect(list.body).toMatchObject({ kind: 'KafkaClusterList', metadata: { self: `${gateway.restUrl}/v3/clusters` } });
    expect(data(list)).toHaveLength(1);
    const one = await v3('GET', '');
    expect(one.body).toMatchObject({
      kind: 'KafkaCluster',
      metadata: { self: url(''), resource_name: `crn:///kafka=${clusterId}` },
      cluster_id: clusterId,
      brokers: { related: url('/brokers') },
      topics: { related: url('/topics') },
      partition_reassignments: { related: url('/topics/-/partitions/-/reassignment') },
    });
    // The controller Kafka clients are told of is a broker (KRaft brokers forward admin requests to the quorum).
    expect((one.body as { controller: { related: string } }).controller.related).toMatch(/\/brokers\/[123]$/);
  });

  it('an unknown cluster id is 404 with code 404', async () => {
    expectError(
      await restCall(gateway.restUrl, 'GET', '/v3/clusters/no-such-cluster/topics'),
      404,
      404,
      /no-such-cluster/,
    );
  });

  it('lists the three brokers and gets one; an unknown or malformed broker id is 404', async () => {
    const list = await v3('GET', '/brokers');
    expect(list.body).toMatchObject({ kind: 'KafkaBrokerList' });
    expect(data(list).map((b) => b.broker_id)).toEqual([1, 2, 3]);
    const two = await v3('GET', '/brokers/2');
    expect(two.body).toMatchObject({
      kind: 'KafkaBroker',
      broker_id: 2,
      host: '127.0.0.1',
      configs: { related: url('/brokers/2/configs') },
      partition_replicas: { related: url('/brokers/2/partition-replicas') },
    });
    expectError(await v3('GET', '/brokers/9'), 404, 404, /Broker 9/);
    expectError(await v3('GET', '/brokers/abc'), 404, 404);
  });
});

describe('topics', () => {
  it('creates a topic with counts and configs (201), then lists and gets it', async () => {
    const created = await v3('POST', '/topics', {
      topic_name: 'v3-orders',
      partitions_count: 2,
      replication_factor: 3,
      configs: [{ name: 'retention.ms', value: '3600000' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'KafkaTopic',
      metadata: { self: url('/topics/v3-orders'), resource_name: `crn:///kafka=${clusterId}/topic=v3-orders` },
      topic_name: 'v3-orders',
      partitions_count: 2,
      replication_factor: 3,
      is_internal: false,
    });
    const list = await v3('GET', '/topics');
    expect(data(list).map((t) => t.topic_name)).toContain('v3-orders');
    expect((await v3('GET', '/topics/v3-orders')).body).toMatchObject({ partitions_count: 2, replication_factor: 3 });
  });

  it('validate_only answers 200 and creates nothing; an existing topic is 400 40002; a bad factor 400 40002', async () => {
    const dry = await v3('POST', '/topics', { topic_name: 'v3-dry', partitions_count: 4, validate_only: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ topic_name: 'v3-dry', partitions_count: 4 });
    expectError(await v3('GET', '/topics/v3-dry'), 404, 40403, /does not host this topic-partition/);
    await createTopic({ topic_name: 'v3-twice', partitions_count: 1 });
    expectError(await v3('POST', '/topics', { topic_name: 'v3-twice' }), 400, 40002, /already exists/);
    expectError(await v3('POST', '/topics', { topic_name: 'v3-wide', replication_factor: 5 }), 400, 40002);
    expectError(await v3('POST', '/topics', { partitions_count: 1 }), 422, 422, /topic_name/);
  });

  it('creates a topic from replicas_assignments, placing each partition where asked', async () => {
    await createTopic({
      topic_name: 'v3-placed',
      replicas_assignments: [
        { partition_id: 0, broker_ids: [2, 3] },
        { partition_id: 1, broker_ids: [3, 1] },
      ],
    });
    const replicas = await v3('GET', '/topics/v3-placed/partitions/1/replicas');
    expect(data(replicas).map((r) => r.broker_id)).toEqual([3, 1]);
  });

  it('PATCH grows partitions_count; shrinking is 400 40002', async () => {
    await createTopic({ topic_name: 'v3-growing', partitions_count: 1 });
    const grown = await v3('PATCH', '/topics/v3-growing', { partitions_count: 3 });
    expect(grown.status).toBe(200);
    expect(grown.body).toMatchObject({ kind: 'KafkaTopic', partitions_count: 3 });
    await waitFor(async () => data(await v3('GET', '/topics/v3-growing/partitions')).length === 3, {
      what: 'three partitions',
    });
    expectError(await v3('PATCH', '/topics/v3-growing', { partitions_count: 2 }), 400, 40002);
  });

  it('DELETE answers 204 and the topic is gone; deleting an unknown topic is 404 40403', async () => {
    await createTopic({ topic_name: 'v3-doomed', partitions_count: 1 });
    const deleted = await v3('DELETE', '/topics/v3-doomed');
    expect(deleted.status).toBe(204);
    await waitFor(async () => (await v3('GET', '/topics/v3-doomed')).status === 404, { what: 'the topic to go' });
    expectError(await v3('DELETE', '/topics/v3-never'), 404, 40403);
  });
});

describe('partitions and replicas', () => {
  it('lists and gets partitions with their leader link; an unknown partition is 404 40403', async () => {
    const list = await v3('GET', '/topics/v3-orders/partitions');
    expect(list.body).toMatchObject({ kind: 'KafkaPartitionList' });
    expect(data(list).map((p) => p.partition_id)).toEqual([0, 1]);
    const one = await v3('GET', '/topics/v3-orders/partitions/1');
    expect(one.body).toMatchObject({
      kind: 'KafkaPartition',
      partition_id: 1,
      replicas: { related: url('/topics/v3-orders/partitions/1/replicas') },
      reassignment: { related: url('/topics/v3-orders/partitions/1/reassignment') },
    });
    expect((one.body as { leader: { related: string } }).leader.related).toMatch(/\/partitions\/1\/replicas\/[123]$/);
    expectError(await v3('GET', '/topics/v3-orders/partitions/7'), 404, 40403);
    expectError(await v3('GET', '/topics/v3-orders/partitions/x'), 404, 404);
  });

  it('lists a partition replicas, gets one, and a broker without a replica is 404', async () => {
    const replicas = data(await v3('GET', '/topics/v3-placed/partitions/0/replicas'));
    expect(replicas.map((r) => r.broker_id)).toEqual([2, 3]);
    expect(replicas.filter((r) => r.is_leader)).toHaveLength(1);
    const one = await v3('GET', '/topics/v3-placed/partitions/0/replicas/3');
    expect(one.body).toMatchObject({ kind: 'KafkaReplica', broker_id: 3, broker: { related: url('/brokers/3') } });
    expectError(await v3('GET', '/topics/v3-placed/partitions/0/replicas/1'), 404, 404);
  });

  it("lists a broker's partition replicas across topics", async () => {
    const onOne = data(await v3('GET', '/brokers/1/partition-replicas'));
    const placed = onOne.filter((r) => r.topic_name === 'v3-placed').map((r) => r.partition_id);
    expect(placed).toEqual([1]);
    expect(onOne.filter((r) => r.topic_name === 'v3-orders')).toHaveLength(2);
  });
});

describe('configs', () => {
  it('lists and gets topic configs with source and synonyms; an unknown config or topic is 404', async () => {
    const list = await v3('GET', '/topics/v3-orders/configs');
    expect(list.body).toMatchObject({ kind: 'KafkaTopicConfigList' });
    const retention = data(list).find((c) => c.name === 'retention.ms');
    expect(retention).toMatchObject({
      kind: 'KafkaTopicConfig',
      topic_name: 'v3-orders',
      value: '3600000',
      source: 'DYNAMIC_TOPIC_CONFIG',
      is_default: false,
    });
    const one = await v3('GET', '/topics/v3-orders/configs/cleanup.policy');
    expect(one.body).toMatchObject({ name: 'cleanup.policy', value: 'delete', is_default: true });
    expectError(await v3('GET', '/topics/v3-orders/configs/no.such.config'), 404, 404);
    expectError(await v3('GET', '/topics/v3-never/configs'), 404, 40403);
  });

  it('PUT sets a topic config, DELETE resets it, an invalid value is 400 40002', async () => {
    expect((await v3('PUT', '/topics/v3-orders/configs/max.message.bytes', { value: '2048' })).status).toBe(204);
    expect((await v3('GET', '/topics/v3-orders/configs/max.message.bytes')).body).toMatchObject({
      value: '2048',
      source: 'DYNAMIC_TOPIC_CONFIG',
    });
    expect((await v3('DELETE', '/topics/v3-orders/configs/max.message.bytes')).status).toBe(204);
    expect((await v3('GET', '/topics/v3-orders/configs/max.message.bytes')).body).toMatchObject({ is_default: true });
    expectError(await v3('PUT', '/topics/v3-orders/configs/cleanup.policy', { value: 'sideways' }), 400, 40002);
    expectError(await v3('PUT', '/topics/v3-orders/configs/cleanup.policy', {}), 400, 400);
  });

  it('configs:alter applies SET and DELETE together; validate_only changes nothing', async () => {
    const alter = (body: unknown) => v3('POST', '/topics/v3-orders/configs:alter', body);
    const dry = await alter({ data: [{ name: 'segment.ms', value: '600000' }], validate_only: true });
    expect(dry.status).toBe(204);
    expect((await v3('GET', '/topics/v3-orders/configs/segment.ms')).body).toMatchObject({ is_default: true });
    const applied = await alter({
      data: [
        { name: 'segment.ms', value: '600000' },
        { name: 'retention.ms', operation: 'DELETE' },
      ],
    });
    expect(applied.status).toBe(204);
    const configs = data(await v3('GET', '/topics/v3-orders/configs'));
    expect(configs.find((c) => c.name === 'segment.ms')).toMatchObject({ value: '600000' });
    expect(configs.find((c) => c.name === 'retention.ms')).toMatchObject({ is_default: true });
    expectError(await alter({ data: [{ name: 'segment.ms', operation: 'APPEND', value: '1' }] }), 400, 400);
  });

  it("lists every topic's configs under topics/-/configs", async () => {
    const all = data(await v3('GET', '/topics/-/configs'));
    const topics = new Set(all.map((c) => c.topic_name));
    expect(topics).toContain('v3-orders');
    expect(topics).toContain('v3-placed');
  });

  it('broker configs: list, PUT, get, configs:alter, DELETE, every broker under brokers/-/configs', async () => {
    const name = 'follower.replication.throttled.rate';
    const list = await v3('GET', '/brokers/2/configs');
    expect(list.body).toMatchObject({ kind: 'KafkaBrokerConfigList' });
    expect(data(list).some((c) => c.name === name)).toBe(true);
    expect((await v3('PUT', `/brokers/2/configs/${name}`, { value: '1048576' })).status).toBe(204);
    expect((await v3('GET', `/brokers/2/configs/${name}`)).body).toMatchObject({
      kind: 'KafkaBrokerConfig',
      broker_id: 2,
      value: '1048576',
      source: 'DYNAMIC_BROKER_CONFIG',
    });
    expect((await v3('POST', '/brokers/2/configs:alter', { data: [{ name, value: '2097152' }] })).status).toBe(204);
    expect((await v3('GET', `/brokers/2/configs/${name}`)).body).toMatchObject({ value: '2097152' });
    expect((await v3('DELETE', `/brokers/2/configs/${name}`)).status).toBe(204);
    expect((await v3('GET', `/brokers/2/configs/${name}`)).body).not.toMatchObject({ source: 'DYNAMIC_BROKER_CONFIG' });
    expectError(await v3('GET', '/brokers/9/configs'), 404, 404);
    const every = data(await v3('GET', '/brokers/-/configs'));
    expect(new Set(every.map((c) => c.broker_id))).toEqual(new Set([1, 2, 3]));
  });

  it('cluster-wide broker configs: PUT, list, get, configs:alter, DELETE', async () => {
    const name = 'replica.fetch.wait.max.ms';
    expect((await v3('PUT', `/broker-configs/${name}`, { value: '400' })).status).toBe(204);
    const list = await v3('GET', '/broker-configs');
    expect(list.body).toMatchObject({ kind: 'KafkaClusterConfigList' });
    expect(data(list).find((c) => c.name === name)).toMatchObject({
      kind: 'KafkaClusterConfig',
      config_type: 'BROKER',
      value: '400',
      source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
    });
    expect((await v3('POST', '/broker-configs:alter', { data: [{ name, value: '450' }] })).status).toBe(204);
    expect((await v3('GET', `/broker-configs/${name}`)).body).toMatchObject({ value: '450' });
    expect((await v3('DELETE', `/broker-configs/${name}`)).status).toBe(204);
    expectError(await v3('GET', `/broker-configs/${name}`), 404, 404);
  });
});

describe('consumer groups and lag', () => {
  const topic = 'v3-lagging';
  const groupId = 'v3-readers';
  let memberId = '';

  it('a kafkajs group that read everything, then paused while 4 more records came, shows its lag', async () => {
    await createTopic({ topic_name: topic, partitions_count: 2, replication_factor: 2 });
    const kafka = new Kafka({
      brokers: cluster.bootstrap([1, 2]).split(','),
      clientId: 'v3-lag-reader',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const send = (n: number) =>
      producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: n }, (_, i) => ({ partition: i % 2, value: `v${i}` })),
      });
    await send(6);
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => {} });
    await waitFor(
      async () => {
        const lags = await v3('GET', `/consumer-groups/${groupId}/lags`);
        return lags.status === 200 && data(lags).length === 2 && data(lags).every((l) => l.current_offset === 3);
      },
      { timeoutMs: 30_000, what: 'the group to commit offset 3 on both partitions' },
    );
    consumer.pause([{ topic }]);
    await send(4);
    await producer.disconnect();
    const lags = await waitFor(
      async () => {
        const answer = data(await v3('GET', `/consumer-groups/${groupId}/lags`));
        return answer.every((l) => l.log_end_offset === 5) ? answer : undefined;
      },
      { what: 'the new records to show in the lags' },
    );
    expect(lags.map((l) => [l.partition_id, l.current_offset, l.lag])).toEqual([
      [0, 3, 2],
      [1, 3, 2],
    ]);
    memberId = String(lags[0]?.consumer_id);
    expect(memberId).not.toBe('');
    expect(lags[0]).toMatchObject({ kind: 'KafkaConsumerLag', client_id: 'v3-lag-reader', consumer_group_id: groupId });
  });

  it('lists and gets the group, its consumer and its assignments', async () => {
    const groups = data(await v3('GET', '/consumer-groups'));
    expect(groups.find((g) => g.consumer_group_id === groupId)).toMatchObject({
      kind: 'KafkaConsumerGroup',
      is_simple: false,
      state: 'STABLE',
      lag_summary: { related: url(`/consumer-groups/${groupId}/lag-summary`) },
    });
    const group = await v3('GET', `/consumer-groups/${groupId}`);
    expect(group.body).toMatchObject({ consumer_group_id: groupId, partition_assignor: expect.any(String) });
    expect((group.body as { coordinator: { related: string } }).coordinator.related).toMatch(/\/brokers\/[123]$/);
    const members = data(await v3('GET', `/consumer-groups/${groupId}/consumers`));
    expect(members.map((m) => m.consumer_id)).toEqual([memberId]);
    expect((await v3('GET', `/consumer-groups/${groupId}/consumers/${memberId}`)).body).toMatchObject({
      kind: 'KafkaConsumer',
      client_id: 'v3-lag-reader',
      assignments: { related: url(`/consumer-groups/${groupId}/consumers/${memberId}/assignments`) },
    });
    const assignments = data(await v3('GET', `/consumer-groups/${groupId}/consumers/${memberId}/assignments`));
    expect(assignments.map((a) => [a.topic_name, a.partition_id])).toEqual([
      [topic, 0],
      [topic, 1],
    ]);
    const one = await v3('GET', `/consumer-groups/${groupId}/consumers/${memberId}/assignments/${topic}/partitions/1`);
    expect(one.body).toMatchObject({
      kind: 'KafkaConsumerAssignment',
      lag: { related: url(`/consumer-groups/${groupId}/lags/${topic}/partitions/1`) },
    });
    expectError(await v3('GET', `/consumer-groups/${groupId}/consumers/nobody`), 404, 404);
    expectError(await v3('GET', '/consumer-groups/no-such-group'), 404, 404);
  });

  it('gets one partition lag and the lag summary', async () => {
    const one = await v3('GET', `/consumer-groups/${groupId}/lags/${topic}/partitions/1`);
    expect(one.body).toMatchObject({ partition_id: 1, current_offset: 3, log_end_offset: 5, lag: 2 });
    const summary = await v3('GET', `/consumer-groups/${groupId}/lag-summary`);
    expect(summary.body).toMatchObject({
      kind: 'KafkaConsumerGroupLagSummary',
      max_lag: 2,
      total_lag: 4,
      max_lag_topic_name: topic,
      max_lag_partition_id: 0,
      max_lag_consumer_id: memberId,
      max_lag_client_id: 'v3-lag-reader',
    });
    expectError(await v3('GET', `/consumer-groups/${groupId}/lags/${topic}/partitions/9`), 404, 404);
  });

  it("a transactional producer's commit markers are not counted as lag", async () => {
    await createTopic({ topic_name: 'v3-txn', partitions_count: 1 });
    const producer = await TransactionalProducer.init(client, { transactionalId: 'v3-txn-writer' });
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`t${i}`) }));
    // Two committed transactions of three records: data at 0-2 and 4-6, markers at 3 and 7, end 8.
    await producer.send('v3-txn', 0, records(3));
    await producer.commit();
    await producer.send('v3-txn', 0, records(3));
    await producer.commit();
    const admin = new GroupAdmin(client);
    const lagAt = async (offset: bigint) => {
      await admin.commitOffsets('v3-txn-readers', [{ topic: 'v3-txn', partition: 0, offset }]);
      return (await v3('GET', '/consumer-groups/v3-txn-readers/lags/v3-txn/partitions/0')).body;
    };
    // A reader that took record 6 commits 7, before the last marker: nothing is left to read.
    expect(await lagAt(7n)).toMatchObject({ current_offset: 7, log_end_offset: 8, lag: 0 });
    // From just past the first marker, three records are left, not four offsets.
    expect(await lagAt(4n)).toMatchObject({ current_offset: 4, lag: 3 });
    expect(await lagAt(0n)).toMatchObject({ current_offset: 0, lag: 6 });
    expect((await v3('GET', '/consumer-groups/v3-txn-readers')).body).toMatchObject({
      is_simple: true,
      state: 'EMPTY',
    });
  });
});

describe('ACLs and the OpenAPI description', () => {
  it('every ACL route answers 400 40002: no authorizer, as Confluent answers a cluster without one', async () => {
    expectError(await v3('GET', '/acls'), 400, 40002, /No Authorizer/);
    const acl = {
      resource_type: 'TOPIC',
      resource_name: 'x',
      pattern_type: 'LITERAL',
      principal: 'User:alice',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    };
    expectError(await v3('POST', '/acls', acl), 400, 40002);
    expectError(await v3('POST', '/acls:batch', { data: [acl] }), 400, 40002);
    expectError(await v3('DELETE', '/acls?resource_type=TOPIC'), 400, 40002);
  });

  it('/openapi.json describes the v3 routes', async () => {
    const spec = (await restCall(gateway.restUrl, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(spec.paths['/v3/clusters/{cluster_id}/topics/{topic_name}']?.patch?.tags).toEqual(['v3']);
    expect(Object.keys(spec.paths)).toContain(
      '/v3/clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lag-summary',
    );
  });
});

describe('partition reassignments', () => {
  it('lists none on a quiet cluster; one partition without a reassignment is 404', async () => {
    const all = await v3('GET', '/topics/-/partitions/-/reassignment');
    expect(all.body).toMatchObject({ kind: 'KafkaReassignmentList', data: [] });
    expect(data(await v3('GET', '/topics/v3-orders/partitions/-/reassignment'))).toEqual([]);
    expectError(await v3('GET', '/topics/v3-orders/partitions/0/reassignment'), 404, 404);
    expectError(await v3('GET', '/topics/v3-never/partitions/-/reassignment'), 404, 40403);
  });

  it('shows a reassignment while its new replica cannot catch up, and not once it has', async () => {
    await createTopic({ topic_name: 'v3-moving', replicas_assignments: [{ partition_id: 0, broker_ids: [1] }] });
    // Broker 3 is stopped (SIGSTOP) so the replica it is to add cannot catch up until it resumes.
    cluster.pause('broker', 3, true);
    try {
      const started = await new ClusterAdmin(client).alterReassignments([
        { topic: 'v3-moving', partition: 0, replicas: [1, 3] },
      ]);
      expect(started.partitions.map((p) => p.errorName)).toEqual(['NONE']);
      const expected = {
        kind: 'KafkaReassignment',
        topic_name: 'v3-moving',
        partition_id: 0,
        adding_replicas: [3],
        removing_replicas: [],
        replicas: { related: url('/topics/v3-moving/partitions/0/replicas') },
      };
      expect(data(await v3('GET', '/topics/-/partitions/-/reassignment'))).toEqual([expect.objectContaining(expected)]);
      expect(data(await v3('GET', '/topics/v3-moving/partitions/-/reassignment'))).toEqual([
        expect.objectContaining(expected),
      ]);
      expect((await v3('GET', '/topics/v3-moving/partitions/0/reassignment')).body).toMatchObject(expected);
    } finally {
      cluster.pause('broker', 3, false);
    }
    await waitFor(async () => (await v3('GET', '/topics/v3-moving/partitions/0/reassignment')).status === 404, {
      timeoutMs: 30_000,
      what: 'the reassignment to complete',
    });
    expect(data(await v3('GET', '/topics/v3-moving/partitions/0/replicas')).map((r) => r.broker_id)).toEqual([1, 3]);
  });
});
