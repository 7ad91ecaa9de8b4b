/**
 * REST Proxy v3 admin resources against a 3-broker cluster (one controller,
 * three broker processes) through one real `runnel gateway` process, every
 * route called over HTTP: clusters, brokers, topics (create, patch, delete),
 * partitions and replicas, topic/broker/cluster configs with `:alter`,
 * consumer groups made by kafkajs with their consumers, assignments, lags
 * and lag summary, a transactional producer's markers not counted as lag,
 * an ongoing partition reassignment, and the ACL routes answering that ACLs
 * are not enabled. Confluent's error codes are checked alongside. The
 * config and group checks live in rest-v3-config-checks.ts and
 * rest-v3-group-checks.ts, run here on this file's one cluster.
 */
import { ClusterAdmin, KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { restCall } from '../harness/rest-http.ts';
import { expectV3Error, listData, V3Session } from '../harness/rest-v3.ts';
import { waitFor } from '../harness/wait.ts';
import { describeConfigChecks } from './rest-v3-config-checks.ts';
import { describeGroupChecks } from './rest-v3-group-checks.ts';

let cluster: TestCluster;
let gateway: GatewayProcess;
let client: KafkaClient;
const s = new V3Session();
const closes: (() => Promise<void>)[] = [];

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
  s.base = gateway.restUrl;
  s.clusterId = (clusters.body as { data: { cluster_id: string }[] }).data[0]?.cluster_id ?? '';
}, 120_000);

afterAll(async () => {
  for (const close of closes) await close().catch(() => {});
  client?.close();
  await gateway?.kill();
  await cluster?.stop();
});

describe('clusters and brokers', () => {
  it('lists the one cluster and gets it, with links built on the host the caller used', async () => {
    const list = await restCall(gateway.restUrl, 'GET', '/v3/clusters');
    expect(list.body).toMatchObject({ kind: 'KafkaClusterList', metadata: { self: `${gateway.restUrl}/v3/clusters` } });
    expect(listData(list)).toHaveLength(1);
    const one = await s.call('GET', '');
    expect(one.body).toMatchObject({
      kind: 'KafkaCluster',
      metadata: { self: s.url(''), resource_name: `crn:///kafka=${s.clusterId}` },
      cluster_id: s.clusterId,
      brokers: { related: s.url('/brokers') },
      topics: { related: s.url('/topics') },
      partition_reassignments: { related: s.url('/topics/-/partitions/-/reassignment') },
    });
    // The controller Kafka clients are told of is a broker (KRaft brokers forward admin requests to the quorum).
    expect((one.body as { controller: { related: string } }).controller.related).toMatch(/\/brokers\/[123]$/);
  });

  it('an unknown cluster id is 404 with code 404', async () => {
    expectV3Error(
      await restCall(gateway.restUrl, 'GET', '/v3/clusters/no-such-cluster/topics'),
      404,
      404,
      /no-such-cluster/,
    );
  });

  it('lists the three brokers and gets one; an unknown or malformed broker id is 404', async () => {
    const list = await s.call('GET', '/brokers');
    expect(list.body).toMatchObject({ kind: 'KafkaBrokerList' });
    expect(listData(list).map((b) => b.broker_id)).toEqual([1, 2, 3]);
    const two = await s.call('GET', '/brokers/2');
    expect(two.body).toMatchObject({
      kind: 'KafkaBroker',
      broker_id: 2,
      host: '127.0.0.1',
      configs: { related: s.url('/brokers/2/configs') },
      partition_replicas: { related: s.url('/brokers/2/partition-replicas') },
    });
    expectV3Error(await s.call('GET', '/brokers/9'), 404, 404, /Broker 9/);
    expectV3Error(await s.call('GET', '/brokers/abc'), 404, 404);
  });
});

describe('topics', () => {
  it('creates a topic with counts and configs (201), then lists and gets it', async () => {
    const created = await s.call('POST', '/topics', {
      topic_name: 'v3-orders',
      partitions_count: 2,
      replication_factor: 3,
      configs: [{ name: 'retention.ms', value: '3600000' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'KafkaTopic',
      metadata: { self: s.url('/topics/v3-orders'), resource_name: `crn:///kafka=${s.clusterId}/topic=v3-orders` },
      topic_name: 'v3-orders',
      partitions_count: 2,
      replication_factor: 3,
      is_internal: false,
    });
    const list = await s.call('GET', '/topics');
    expect(listData(list).map((t) => t.topic_name)).toContain('v3-orders');
    expect((await s.call('GET', '/topics/v3-orders')).body).toMatchObject({
      partitions_count: 2,
      replication_factor: 3,
    });
  });

  it('validate_only answers 200 and creates nothing; an existing topic is 400 40002; a bad factor 400 40002', async () => {
    const dry = await s.call('POST', '/topics', { topic_name: 'v3-dry', partitions_count: 4, validate_only: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ topic_name: 'v3-dry', partitions_count: 4 });
    expectV3Error(await s.call('GET', '/topics/v3-dry'), 404, 40403, /does not host this topic-partition/);
    await s.createTopic({ topic_name: 'v3-twice', partitions_count: 1 });
    expectV3Error(await s.call('POST', '/topics', { topic_name: 'v3-twice' }), 400, 40002, /already exists/);
    expectV3Error(await s.call('POST', '/topics', { topic_name: 'v3-wide', replication_factor: 5 }), 400, 40002);
    expectV3Error(await s.call('POST', '/topics', { partitions_count: 1 }), 422, 422, /topic_name/);
  });

  it('creates a topic from replicas_assignments, placing each partition where asked', async () => {
    await s.createTopic({
      topic_name: 'v3-placed',
      replicas_assignments: [
        { partition_id: 0, broker_ids: [2, 3] },
        { partition_id: 1, broker_ids: [3, 1] },
      ],
    });
    const replicas = await s.call('GET', '/topics/v3-placed/partitions/1/replicas');
    expect(listData(replicas).map((r) => r.broker_id)).toEqual([3, 1]);
  });

  it('PATCH grows partitions_count; shrinking is 400 40002', async () => {
    await s.createTopic({ topic_name: 'v3-growing', partitions_count: 1 });
    const grown = await s.call('PATCH', '/topics/v3-growing', { partitions_count: 3 });
    expect(grown.status).toBe(200);
    expect(grown.body).toMatchObject({ kind: 'KafkaTopic', partitions_count: 3 });
    await waitFor(async () => listData(await s.call('GET', '/topics/v3-growing/partitions')).length === 3, {
      what: 'three partitions',
    });
    expectV3Error(await s.call('PATCH', '/topics/v3-growing', { partitions_count: 2 }), 400, 40002);
  });

  it('DELETE answers 204 and the topic is gone; deleting an unknown topic is 404 40403', async () => {
    await s.createTopic({ topic_name: 'v3-doomed', partitions_count: 1 });
    const deleted = await s.call('DELETE', '/topics/v3-doomed');
    expect(deleted.status).toBe(204);
    await waitFor(async () => (await s.call('GET', '/topics/v3-doomed')).status === 404, { what: 'the topic to go' });
    expectV3Error(await s.call('DELETE', '/topics/v3-never'), 404, 40403);
  });
});

describe('partitions and replicas', () => {
  it('lists and gets partitions with their leader link; an unknown partition is 404 40403', async () => {
    const list = await s.call('GET', '/topics/v3-orders/partitions');
    expect(list.body).toMatchObject({ kind: 'KafkaPartitionList' });
    expect(listData(list).map((p) => p.partition_id)).toEqual([0, 1]);
    const one = await s.call('GET', '/topics/v3-orders/partitions/1');
    expect(one.body).toMatchObject({
      kind: 'KafkaPartition',
      partition_id: 1,
      replicas: { related: s.url('/topics/v3-orders/partitions/1/replicas') },
      reassignment: { related: s.url('/topics/v3-orders/partitions/1/reassignment') },
    });
    expect((one.body as { leader: { related: string } }).leader.related).toMatch(/\/partitions\/1\/replicas\/[123]$/);
    expectV3Error(await s.call('GET', '/topics/v3-orders/partitions/7'), 404, 40403);
    expectV3Error(await s.call('GET', '/topics/v3-orders/partitions/x'), 404, 404);
  });

  it('lists a partition replicas, gets one, and a broker without a replica is 404', async () => {
    const replicas = listData(await s.call('GET', '/topics/v3-placed/partitions/0/replicas'));
    expect(replicas.map((r) => r.broker_id)).toEqual([2, 3]);
    expect(replicas.filter((r) => r.is_leader)).toHaveLength(1);
    const one = await s.call('GET', '/topics/v3-placed/partitions/0/replicas/3');
    expect(one.body).toMatchObject({ kind: 'KafkaReplica', broker_id: 3, broker: { related: s.url('/brokers/3') } });
    expectV3Error(await s.call('GET', '/topics/v3-placed/partitions/0/replicas/1'), 404, 404);
  });

  it("lists a broker's partition replicas across topics", async () => {
    const onOne = listData(await s.call('GET', '/brokers/1/partition-replicas'));
    const placed = onOne.filter((r) => r.topic_name === 'v3-placed').map((r) => r.partition_id);
    expect(placed).toEqual([1]);
    expect(onOne.filter((r) => r.topic_name === 'v3-orders')).toHaveLength(2);
  });
});

describeConfigChecks(s);

describeGroupChecks(s, {
  bootstrap: () => cluster.bootstrap([1, 2]),
  client: () => client,
  onClose: (close) => {
    closes.push(close);
  },
});

describe('ACLs and the OpenAPI description', () => {
  it('every ACL route answers 400 40002: no authorizer, as Confluent answers a cluster without one', async () => {
    expectV3Error(await s.call('GET', '/acls'), 400, 40002, /No Authorizer/);
    const acl = {
      resource_type: 'TOPIC',
      resource_name: 'x',
      pattern_type: 'LITERAL',
      principal: 'User:alice',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    };
    expectV3Error(await s.call('POST', '/acls', acl), 400, 40002);
    expectV3Error(await s.call('POST', '/acls:batch', { data: [acl] }), 400, 40002);
    expectV3Error(await s.call('DELETE', '/acls?resource_type=TOPIC'), 400, 40002);
  });

  it('/openapi.json describes the v3 routes', async () => {
    const spec = (await restCall(gateway.restUrl, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(spec.paths['/v3/clusters/{cluster_id}/topics/{topic_name}']?.patch?.tags).toEqual(['v3']);
    expect(Object.keys(spec.paths)).toContain(
      '/v3/clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lag-summary',
    );
    // Confluent's `:alter` and `:batch` routes keep their colon (Fastify registers them escaped as `::`).
    expect(spec.paths['/v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter']?.post?.tags).toEqual(['v3']);
    expect(Object.keys(spec.paths)).toContain('/v3/clusters/{cluster_id}/acls:batch');
  });
});

describe('partition reassignments', () => {
  it('lists none on a quiet cluster; one partition without a reassignment is 404', async () => {
    const all = await s.call('GET', '/topics/-/partitions/-/reassignment');
    expect(all.body).toMatchObject({ kind: 'KafkaReassignmentList', data: [] });
    expect(listData(await s.call('GET', '/topics/v3-orders/partitions/-/reassignment'))).toEqual([]);
    expectV3Error(await s.call('GET', '/topics/v3-orders/partitions/0/reassignment'), 404, 404);
    expectV3Error(await s.call('GET', '/topics/v3-never/partitions/-/reassignment'), 404, 40403);
  });

  it('shows a reassignment while its new replica cannot catch up, and not once it has', async () => {
    await s.createTopic({ topic_name: 'v3-moving', replicas_assignments: [{ partition_id: 0, broker_ids: [1] }] });
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
        replicas: { related: s.url('/topics/v3-moving/partitions/0/replicas') },
      };
      expect(listData(await s.call('GET', '/topics/-/partitions/-/reassignment'))).toEqual([
        expect.objectContaining(expected),
      ]);
      expect(listData(await s.call('GET', '/topics/v3-moving/partitions/-/reassignment'))).toEqual([
        expect.objectContaining(expected),
      ]);
      expect((await s.call('GET', '/topics/v3-moving/partitions/0/reassignment')).body).toMatchObject(expected);
    } finally {
      cluster.pause('broker', 3, false);
    }
    await waitFor(async () => (await s.call('GET', '/topics/v3-moving/partitions/0/reassignment')).status === 404, {
      timeoutMs: 30_000,
      what: 'the reassignment to complete',
    });
    expect(listData(await s.call('GET', '/topics/v3-moving/partitions/0/replicas')).map((r) => r.broker_id)).toEqual([
      1, 3,
    ]);
  });
});
