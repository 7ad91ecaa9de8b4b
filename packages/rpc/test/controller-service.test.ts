import { Client, credentials, status as grpcStatus, Metadata } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';
import { sendGarbage } from './garbage.ts';

const started = new Started();
afterEach(() => started.closeAll());

const listener = { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' };

describe('ControllerService over gRPC', () => {
  it('RegisterBroker returns the broker epoch and the committed offset; a taken id is duplicate_broker_registration', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const reply = await client.call('registerBroker', {
      brokerId: 1,
      incarnationId: 'a',
      listeners: [listener],
      rack: 'r1',
      previousShutdownClean: true,
      clusterId: null,
    });
    expect(reply).toEqual({
      ok: true,
      value: { value: { ok: true, value: { brokerEpoch: 0n } }, committedOffset: 0n },
    });
    expect(fake.records[0]).toMatchObject({ type: 'register-broker', listeners: [listener], rack: 'r1' });
    const taken = await client.call('registerBroker', {
      brokerId: 2,
      incarnationId: 'taken',
      listeners: [],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    expect(taken.ok && taken.value.value).toEqual({
      ok: false,
      error: 'duplicate_broker_registration',
      message: 'id in use',
    });
  });

  it('BrokerHeartbeat carries int64 epochs and offsets exactly and answers state or a closed error', async () => {
    const client = started.client([address(await started.server(new FakeController()))]);
    const beat = await client.call('brokerHeartbeat', {
      brokerId: 1,
      brokerEpoch: 2n ** 63n - 1n,
      metadataOffset: -1n,
      wantShutDown: true,
    });
    expect(beat.ok && beat.value.value).toEqual({
      ok: true,
      value: { fenced: false, caughtUp: true, shouldShutDown: true },
    });
    const unknown = await client.call('brokerHeartbeat', {
      brokerId: 99,
      brokerEpoch: 0n,
      metadataOffset: 0n,
      wantShutDown: false,
    });
    expect(unknown.ok && unknown.value.value).toEqual({ ok: false, error: 'unknown_broker' });
  });

  it('BrokerHeartbeat carries the offline log directories (KIP-858), none when absent', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const base = { brokerId: 1, brokerEpoch: 1n, metadataOffset: 0n, wantShutDown: false };
    await client.call('brokerHeartbeat', { ...base, offlineLogDirs: ['/data/broker-1'] });
    await client.call('brokerHeartbeat', base);
    expect(fake.heartbeats.map((h) => h.offlineLogDirs)).toEqual([['/data/broker-1'], []]);
  });

  it('CreateTopics returns per-topic results with configs; an existing name is topic_already_exists', async () => {
    const client = started.client([address(await started.server(new FakeController()))]);
    const topic = {
      name: 't',
      numPartitions: 3,
      replicationFactor: -1,
      assignments: [],
      configs: { 'cleanup.policy': 'compact' },
    };
    const first = await client.call('createTopics', { topics: [topic], validateOnly: false });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const [result] = first.value.value;
    expect(result?.result.ok && result.result.value).toMatchObject({
      numPartitions: 3,
      configs: { 'cleanup.policy': 'compact' },
    });
    expect(first.value.committedOffset).toBe(0n);
    const again = await client.call('createTopics', { topics: [topic], validateOnly: false });
    expect(again.ok && again.value.value[0]?.result).toEqual({
      ok: false,
      error: 'topic_already_exists',
      message: 't exists',
    });
  });

  it('DeleteTopics, CreatePartitions and IncrementalAlterConfigs return their closed-union results', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const deleted = await client.call('deleteTopics', { names: ['nope'] });
    expect(deleted.ok && deleted.value.value).toEqual([
      { name: 'nope', result: { ok: false, error: 'unknown_topic', message: 'no topic nope' } },
    ]);
    const parts = await client.call('createPartitions', {
      topics: [
        {
          topic: 'a',
          count: 4,
          assignments: [
            [1, 2],
            [2, 3],
          ],
        },
        { topic: 'b', count: 0, assignments: [] },
      ],
      validateOnly: true,
    });
    expect(parts.ok && parts.value.value).toEqual([
      { topic: 'a', result: { ok: true, value: null } },
      { topic: 'b', result: { ok: false, error: 'invalid_partitions' } },
    ]);
    const changes = [
      { name: 'retention.ms', op: 'set' as const, value: '1000' },
      { name: 'cleanup.policy', op: 'delete' as const, value: null },
      { name: 'bogus', op: 'append' as const, value: 'x' },
    ];
    const altered = await client.call('alterConfigs', {
      resources: [{ resourceType: 'topic', resourceName: 't', changes }],
      validateOnly: false,
    });
    expect(fake.lastAlter).toEqual([{ resourceType: 'topic', resourceName: 't', changes }]);
    expect(altered.ok && altered.value.value).toEqual([
      { resourceType: 'topic', resourceName: 't', result: { ok: false, error: 'invalid_config', message: 'bogus' } },
    ]);
  });

  it('DescribeCluster keeps int64 extremes, racks and fencing', async () => {
    const client = started.client([address(await started.server(new FakeController()))]);
    const cluster = await client.call('describeCluster', {});
    expect(cluster.ok && cluster.value.value).toEqual({
      clusterId: 'cluster-1',
      controllerId: 1,
      metadataOffset: 2n ** 63n - 1n,
      brokers: [
        {
          brokerId: 1,
          brokerEpoch: -(2n ** 63n),
          listeners: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' }],
          rack: null,
          fenced: false,
        },
        { brokerId: 2, brokerEpoch: 7n, listeners: [], rack: 'r1', fenced: true },
      ],
    });
  });

  it('NOT_CONTROLLER naming the leader redirects the call there, and later calls go straight to it', async () => {
    const leader = new FakeController();
    const leaderServer = await started.server(leader);
    const follower = new FakeController();
    follower.leader = { leaderId: 2, leaderAddress: address(leaderServer) };
    const client = started.client([address(await started.server(follower))]);
    const created = await client.call('createTopics', {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(created.ok && created.value.value[0]?.result.ok).toBe(true);
    expect(client.target).toBe(address(leaderServer));
    await client.call('createTopics', {
      topics: [{ name: 'u', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(follower.served).toEqual(['createTopics']);
    expect(leader.served).toEqual(['createTopics', 'createTopics']);
  });

  it('NOT_CONTROLLER without a known leader moves on to the next configured controller', async () => {
    const follower = new FakeController();
    follower.leader = { leaderId: null, leaderAddress: null };
    const followerServer = await started.server(follower);
    const leaderServer = await started.server(new FakeController());
    const client = started.client([address(followerServer), address(leaderServer)]);
    const cluster = await client.call('describeCluster', {});
    expect(cluster.ok).toBe(true);
    expect(client.target).toBe(address(leaderServer));
  });

  it('when every controller says NOT_CONTROLLER and names nobody, the call ends not_controller at its deadline', async () => {
    const follower = new FakeController();
    follower.leader = { leaderId: null, leaderAddress: null };
    const client = started.client([address(await started.server(follower))], { callTimeoutMs: 300 });
    const cluster = await client.call('describeCluster', {});
    expect(cluster).toMatchObject({ ok: false, error: 'not_controller' });
  });

  it('a retry after NOT_CONTROLLER that runs into the call’s deadline still ends not_controller', async () => {
    // The first answer refuses; the retry (after the backoff) is never answered and meets the deadline.
    class RefusesThenHangs extends FakeController {
      #calls = 0;
      override describeCluster(): ReturnType<FakeController['describeCluster']> {
        return this.#calls++ === 0 ? super.describeCluster() : new Promise(() => {});
      }
    }
    const fake = new RefusesThenHangs();
    fake.leader = { leaderId: null, leaderAddress: null };
    const client = started.client([address(await started.server(fake))], { callTimeoutMs: 300 });
    expect(await client.call('describeCluster', {})).toMatchObject({ ok: false, error: 'not_controller' });
  });

  it('a controller that never answers makes the call end deadline_exceeded', async () => {
    const fake = new FakeController();
    fake.hang = true;
    const client = started.client([address(await started.server(fake))], { callTimeoutMs: 200 });
    const created = await client.call('createTopics', {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(created).toMatchObject({ ok: false, error: 'deadline_exceeded' });
  });

  it('no controller listening makes the call end unavailable', async () => {
    const server = await started.server(new FakeController());
    const deadAddress = address(server);
    server.close();
    const client = started.client([deadAddress], { callTimeoutMs: 300 });
    expect(await client.call('describeCluster', {})).toMatchObject({ ok: false, error: 'unavailable' });
  });

  it('a handler that throws answers internal and the server keeps serving', async () => {
    const fake = new FakeController();
    fake.describeCluster = () => Promise.reject(new Error('boom'));
    const client = started.client([address(await started.server(fake))]);
    expect(await client.call('describeCluster', {})).toMatchObject({ ok: false, error: 'internal', message: 'boom' });
    expect((await client.call('deleteTopics', { names: ['x'] })).ok).toBe(true);
  });

  it('a request of garbage protobuf bytes is refused and raw garbage on the port is survived', async () => {
    const server = await started.server(new FakeController());
    const raw = new Client(address(server), credentials.createInsecure());
    started.onClose(() => raw.close());
    const status = await new Promise<number | undefined>((resolve) => {
      raw.makeUnaryRequest(
        '/runnel.controller.v1.ControllerService/RegisterBroker',
        () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x08]),
        (b: Buffer) => b,
        null,
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error) => resolve(error?.code),
      );
    });
    expect(status).toBe(grpcStatus.INTERNAL);
    await sendGarbage(server.port);
    const client = started.client([address(server)]);
    expect((await client.call('describeCluster', {})).ok).toBe(true);
  });
});
