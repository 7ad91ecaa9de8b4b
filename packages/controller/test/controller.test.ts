import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssertionError } from '@runnel/common';
import { Controller } from '@runnel/controller';
import type { CommittedBatch, ControllerChannel, CreateTopicRequest } from '@runnel/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
const open: Controller[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-controller-'));
});

afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Partial<Parameters<typeof Controller.open>[0]> = {}): Promise<Controller> {
  const controller = await Controller.open({ dir, ...options });
  open.push(controller);
  return controller;
}

async function registerBrokers(channel: ControllerChannel, ...brokerIds: number[]): Promise<void> {
  for (const brokerId of brokerIds) {
    const listeners = [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 + brokerId, securityProtocol: 'PLAINTEXT' }];
    const result = await channel.registerBroker({
      brokerId,
      incarnationId: `inc-${brokerId}`,
      listeners,
      rack: null,
      previousShutdownClean: true,
    });
    expect(result.ok).toBe(true);
  }
}

const topic = (name: string, over: Partial<CreateTopicRequest> = {}): CreateTopicRequest => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: {},
  ...over,
});

const outcome = (r: { result: { ok: boolean; error?: string } }) => (r.result.ok ? 'ok' : r.result.error);

describe('Controller', () => {
  it('creating a topic with -1/-1 uses the broker defaults', async () => {
    const controller = await start({ brokerDefaults: { numPartitions: 3, defaultReplicationFactor: 2 } });
    const channel = controller.channel();
    await registerBrokers(channel, 1, 2);
    const [created] = await channel.createTopics([topic('t')], { validateOnly: false });
    expect(created?.result).toMatchObject({ ok: true, value: { numPartitions: 3, replicationFactor: 2 } });
    expect(controller.image.topic('t')?.partitions).toHaveLength(3);
    expect(controller.image.partition('t', 0)?.replicas).toHaveLength(2);
  });

  it('explicit partitions and RF are honoured and the topic id comes from the id generator', async () => {
    const controller = await start({ idGenerator: () => '11111111-2222-4333-8444-555555555555' });
    const channel = controller.channel();
    await registerBrokers(channel, 1, 2, 3);
    const [created] = await channel.createTopics([topic('t', { numPartitions: 6, replicationFactor: 3 })], {
      validateOnly: false,
    });
    expect(created?.result).toEqual({
      ok: true,
      value: { topicId: '11111111-2222-4333-8444-555555555555', numPartitions: 6, replicationFactor: 3, configs: {} },
    });
    expect(controller.image.topicById('11111111-2222-4333-8444-555555555555')?.partitions).toHaveLength(6);
  });

  it('invalid requests fail with their own error and valid ones in the same call still succeed', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    await channel.createTopics([topic('exists')], { validateOnly: false });
    const results = await channel.createTopics(
      [
        topic('exists'),
        topic('bad name!'),
        topic('..'),
        topic('too-many-replicas', { replicationFactor: 2 }),
        topic('bad-config', { configs: { 'cleanup.policy': 'shred' } }),
        topic('fine'),
      ],
      { validateOnly: false },
    );
    expect(results.map(outcome)).toEqual([
      'topic_already_exists',
      'invalid_topic_name',
      'invalid_topic_name',
      'invalid_replication_factor',
      'invalid_config',
      'ok',
    ]);
    const badConfig = results[4]?.result;
    expect(badConfig?.ok === false && badConfig.message).toContain('cleanup.policy');
    expect(controller.image.topicNames()).toEqual(['exists', 'fine']);
  });

  it('validateOnly reports success with the zero id and writes nothing', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    const offsetBefore = controller.image.lastOffset;
    const [result] = await channel.createTopics([topic('t', { numPartitions: 2 })], { validateOnly: true });
    expect(result?.result).toMatchObject({
      ok: true,
      value: { topicId: '00000000-0000-0000-0000-000000000000', numPartitions: 2 },
    });
    expect(controller.image.topic('t')).toBeUndefined();
    expect(controller.image.lastOffset).toBe(offsetBefore);
    expect(batches).toHaveLength(1); // only the backlog
    await controller.close();
    const reopened = await Controller.open({ dir });
    open.push(reopened);
    expect(reopened.image.topic('t')).toBeUndefined();
  });

  it('deleteTopics removes a topic and reports unknown_topic for a missing one', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    await channel.createTopics([topic('t', { configs: { 'retention.ms': '5' } })], { validateOnly: false });
    const topicId = controller.image.topic('t')?.topicId;
    const results = await channel.deleteTopics(['t', 'nope']);
    expect(results).toEqual([
      { name: 't', result: { ok: true, value: { topicId } } },
      { name: 'nope', result: expect.objectContaining({ ok: false, error: 'unknown_topic' }) },
    ]);
    expect(controller.image.topic('t')).toBeUndefined();
    expect(controller.image.configOverrides('topic', 't').size).toBe(0);
  });

  it('a second incarnation of a live broker id is refused; the same incarnation re-registers with a new epoch', async () => {
    const controller = await start();
    const channel = controller.channel();
    const req = { brokerId: 1, incarnationId: 'a', listeners: [], rack: null, previousShutdownClean: true };
    const first = await channel.registerBroker(req);
    const again = await channel.registerBroker(req);
    const other = await channel.registerBroker({ ...req, incarnationId: 'b' });
    expect(first).toEqual({ ok: true, value: { brokerEpoch: 0n } });
    expect(again).toEqual({ ok: true, value: { brokerEpoch: 1n } });
    expect(other).toMatchObject({ ok: false, error: 'duplicate_broker_registration' });
    expect(controller.image.broker(1)?.brokerEpoch).toBe(1n);
  });

  it('after a controller restart a broker may register under a new incarnation', async () => {
    const first = await start();
    await first.channel().registerBroker({
      brokerId: 1,
      incarnationId: 'a',
      listeners: [],
      rack: null,
      previousShutdownClean: true,
    });
    await first.close();
    const second = await start();
    const result = await second
      .channel()
      .registerBroker({ brokerId: 1, incarnationId: 'b', listeners: [], rack: null, previousShutdownClean: true });
    expect(result).toEqual({ ok: true, value: { brokerEpoch: 1n } });
  });

  it('subscribe delivers the backlog first, then each commit in order before the admin promise resolves', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    await channel.createTopics([topic('a')], { validateOnly: false });

    const seen: { lastOffset: bigint; types: string[] }[] = [];
    const unsubscribe = channel.subscribe((b) =>
      seen.push({ lastOffset: b.lastOffset, types: b.records.map((r) => r.type) }),
    );
    expect(seen).toEqual([{ lastOffset: 2n, types: ['register-broker', 'topic', 'partition'] }]);

    const pending = channel.createTopics([topic('b', { numPartitions: 2 })], { validateOnly: false });
    const deleted = channel.deleteTopics(['a']);
    const [created] = await pending;
    expect(created?.result.ok).toBe(true);
    // The create's batch was delivered before its promise resolved.
    expect(seen[1]).toEqual({ lastOffset: 5n, types: ['topic', 'partition', 'partition'] });
    await deleted;
    expect(seen[2]).toEqual({ lastOffset: 6n, types: ['remove-topic'] });

    unsubscribe();
    await channel.createTopics([topic('c')], { validateOnly: false });
    expect(seen).toHaveLength(3);
  });

  it('concurrent creates of the same name are serialized: exactly one wins', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => channel.createTopics([topic('race')], { validateOnly: false })),
    );
    expect(results.flat().map(outcome).sort()).toEqual(['ok', ...Array(4).fill('topic_already_exists')]);
  });

  it('a reopened controller has an identical image and keeps offsets dense', async () => {
    const first = await start();
    const channel = first.channel();
    await registerBrokers(channel, 1, 2);
    await channel.createTopics(
      [topic('a', { numPartitions: 4, replicationFactor: 2, configs: { 'cleanup.policy': 'compact' } }), topic('b')],
      { validateOnly: false },
    );
    await channel.deleteTopics(['b']);
    const before = first.image;
    const backlog: CommittedBatch[] = [];
    channel.subscribe((b) => backlog.push(b));
    await first.close();

    const second = await start();
    const after = second.image;
    expect(after.lastOffset).toBe(before.lastOffset);
    expect(after.topicNames()).toEqual(before.topicNames());
    expect(after.topic('a')).toEqual(before.topic('a'));
    expect(after.brokers()).toEqual(before.brokers());
    expect([...after.configOverrides('topic', 'a')]).toEqual([['cleanup.policy', 'compact']]);
    const replayed: CommittedBatch[] = [];
    second.channel().subscribe((b) => replayed.push(b));
    expect(replayed).toEqual(backlog);

    await second.channel().createTopics([topic('c')], { validateOnly: false });
    expect(second.image.lastOffset).toBe(before.lastOffset + 2n);
  });

  it('a subscriber that throws makes the admin call reject but the commit stands', async () => {
    const controller = await start();
    const channel = controller.channel();
    await registerBrokers(channel, 1);
    channel.subscribe((b) => {
      if (b.records.some((r) => r.type === 'topic')) throw new Error('listener bug');
    });
    await expect(channel.createTopics([topic('t')], { validateOnly: false })).rejects.toThrow('listener bug');
    expect(controller.image.topic('t')).toBeDefined();
  });

  it('using the channel after close() is a bug that rejects with an AssertionError', async () => {
    const controller = await Controller.open({ dir });
    await controller.close();
    await expect(controller.channel().deleteTopics(['x'])).rejects.toThrow(AssertionError);
  });
});
