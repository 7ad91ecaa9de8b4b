/**
 * Topic admin, broker registration and the metadata stream through the gRPC
 * channel of a one-voter quorum (combined mode, what `runnel dev` runs), and
 * what a controller restart on the same data directory keeps.
 */
import { AssertionError } from '@runnel/common';
import type { CommittedBatch, CreateTopicRequest } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { useLocalQuorum } from './fixtures/local-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const fixture = useLocalQuorum('controller');

const listeners = (brokerId: number) => [
  { name: 'PLAINTEXT', host: 'localhost', port: 9092 + brokerId, securityProtocol: 'PLAINTEXT' },
];

const topic = (name: string, over: Partial<CreateTopicRequest> = {}): CreateTopicRequest => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: {},
  ...over,
});

const outcome = (r: { result: { ok: boolean; error?: string } }) => (r.result.ok ? 'ok' : r.result.error);

const register = (brokerId: number, incarnationId: string) => ({
  brokerId,
  incarnationId,
  listeners: [],
  rack: null,
  previousShutdownClean: true,
  clusterId: null,
});

/** Every offset from 0 to the last batch's, once and in order. */
function expectDense(batches: readonly CommittedBatch[]): void {
  let next = 0n;
  for (const b of batches) {
    expect(b.lastOffset - BigInt(b.records.length) + 1n).toBe(next);
    next = b.lastOffset + 1n;
  }
}

describe('one-voter quorum', () => {
  it('creating a topic with -1/-1 uses the broker defaults', async () => {
    const q = await fixture.start({ brokerDefaults: { numPartitions: 3, defaultReplicationFactor: 2 } });
    await q.liveBrokers([1, 2], { listeners });
    const [created] = await q.channel.call('createTopics', { topics: [topic('t')], validateOnly: false });
    expect(created?.result).toMatchObject({ ok: true, value: { numPartitions: 3, replicationFactor: 2 } });
    expect(q.image.topic('t')?.partitions).toHaveLength(3);
    expect(q.image.partition('t', 0)?.replicas).toHaveLength(2);
  });

  it('explicit partitions and RF are honoured and the topic id comes from the id generator', async () => {
    const q = await fixture.start({ idGenerator: () => '11111111-2222-4333-8444-555555555555' });
    await q.liveBrokers([1, 2, 3], { listeners });
    const [created] = await q.channel.call('createTopics', {
      topics: [topic('t', { numPartitions: 6, replicationFactor: 3 })],
      validateOnly: false,
    });
    expect(created?.result).toEqual({
      ok: true,
      value: { topicId: '11111111-2222-4333-8444-555555555555', numPartitions: 6, replicationFactor: 3, configs: {} },
    });
    expect(q.image.topicById('11111111-2222-4333-8444-555555555555')?.partitions).toHaveLength(6);
  });

  it('invalid requests fail with their own error and valid ones in the same call still succeed', async () => {
    const q = await fixture.start();
    await q.liveBrokers([1]);
    await q.channel.call('createTopics', { topics: [topic('exists')], validateOnly: false });
    const results = await q.channel.call('createTopics', {
      topics: [
        topic('exists'),
        topic('bad name!'),
        topic('..'),
        topic('too-many-replicas', { replicationFactor: 2 }),
        topic('bad-config', { configs: { 'cleanup.policy': 'shred' } }),
        topic('fine'),
      ],
      validateOnly: false,
    });
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
    expect(q.image.topicNames()).toEqual(['exists', 'fine']);
  });

  it('validateOnly reports success and writes nothing, not even across a restart', async () => {
    const q = await fixture.start();
    await q.liveBrokers([1]);
    const batches: CommittedBatch[] = [];
    q.channel.subscribe((b) => batches.push(b));
    const offsetBefore = q.image.lastOffset;
    await waitFor(() => batches.at(-1)?.lastOffset === offsetBefore, 'the backlog');
    const backlog = batches.length;

    const [result] = await q.channel.call('createTopics', {
      topics: [topic('t', { numPartitions: 2 })],
      validateOnly: true,
    });
    // Like Kafka, a validate-only create reports the zero topic id: nothing was created.
    expect(result?.result).toMatchObject({
      ok: true,
      value: { numPartitions: 2, replicationFactor: 1, topicId: '00000000-0000-0000-0000-000000000000' },
    });
    expect(q.image.topic('t')).toBeUndefined();
    expect(q.image.lastOffset).toBe(offsetBefore);
    // Commits reach subscribers in order, so had `t` been committed it would come before `u`.
    await q.channel.call('createTopics', { topics: [topic('u')], validateOnly: false });
    expect(batches.slice(backlog).flatMap((b) => b.records.map((r) => r.type))).toEqual(['topic', 'partition']);

    await q.stop();
    const restarted = await fixture.start();
    expect(restarted.image.topic('t')).toBeUndefined();
    expect(restarted.image.topic('u')).toBeDefined();
  });

  it('deleteTopics removes a topic and reports unknown_topic for a missing one', async () => {
    const q = await fixture.start();
    await q.liveBrokers([1]);
    await q.channel.call('createTopics', {
      topics: [topic('t', { configs: { 'retention.ms': '5' } })],
      validateOnly: false,
    });
    const topicId = q.image.topic('t')?.topicId;
    const results = await q.channel.call('deleteTopics', { names: ['t', 'nope'] });
    expect(results).toEqual([
      { name: 't', result: { ok: true, value: { topicId } } },
      { name: 'nope', result: expect.objectContaining({ ok: false, error: 'unknown_topic' }) },
    ]);
    expect(q.image.topic('t')).toBeUndefined();
    expect(q.image.configOverrides('topic', 't').size).toBe(0);
  });

  it('a second incarnation of a live broker id is refused; the same incarnation re-registers with a new epoch', async () => {
    const q = await fixture.start();
    const first = await q.channel.call('registerBroker', register(1, 'a'));
    const again = await q.channel.call('registerBroker', register(1, 'a'));
    const other = await q.channel.call('registerBroker', register(1, 'b'));
    if (!first.ok || !again.ok) throw new Error('registration refused');
    // A broker's epoch is the offset of its registration record.
    expect(first.value.brokerEpoch).toBeGreaterThan(0n); // after the cluster id at offset 0
    expect(again.value.brokerEpoch).toBeGreaterThan(first.value.brokerEpoch);
    expect(other).toMatchObject({ ok: false, error: 'duplicate_broker_registration' });
    expect(q.image.broker(1)).toMatchObject({ brokerEpoch: again.value.brokerEpoch, incarnationId: 'a' });
  });

  it("after a controller restart a new incarnation of a live broker registers once the old one's session has run out", async () => {
    const first = await fixture.start();
    const live = await first.liveBrokers([1]);
    const oldEpoch = live.epoch(1);
    await first.stop();

    // A new active controller starts every registered broker's session afresh; a short one lets this one run out.
    const second = await fixture.start({ config: { brokerSessionTimeoutMs: 500 } });
    const result = await waitFor(async () => {
      const r = await second.channel.call('registerBroker', register(1, 'b'));
      if (!r.ok && r.error !== 'duplicate_broker_registration') throw new Error(r.error);
      return r.ok && r;
    }, 'the old session to run out');
    expect(result.value.brokerEpoch).toBeGreaterThan(oldEpoch);
    expect(second.image.broker(1)).toMatchObject({ incarnationId: 'b', brokerEpoch: result.value.brokerEpoch });
  });

  it('after a controlled shutdown and a controller restart, a new incarnation registers at once', async () => {
    const first = await fixture.start();
    const old = await first.channel.call('registerBroker', register(1, 'a'));
    if (!old.ok) throw new Error('registration refused');
    const beat = (wantShutDown: boolean) =>
      first.channel.call('brokerHeartbeat', {
        brokerId: 1,
        brokerEpoch: old.value.brokerEpoch,
        metadataOffset: 1000n,
        wantShutDown,
      });
    await waitFor(async () => {
      const r = await beat(false);
      return r.ok && !r.value.fenced;
    }, 'broker 1 to be unfenced');
    await waitFor(async () => {
      const r = await beat(true);
      return r.ok && r.value.shouldShutDown;
    }, 'the controlled shutdown to finish');
    await first.stop();

    // The default session timeout (9 s): the fenced broker holds no session, so nothing is waited out.
    const second = await fixture.start();
    const again = await second.channel.call('registerBroker', register(1, 'b'));
    expect(again).toMatchObject({ ok: true });
    expect(second.image.broker(1)).toMatchObject({ incarnationId: 'b' });
  });

  it('a registered broker is fenced until it heartbeats; when its heartbeats stop its session runs out and it is fenced again', async () => {
    const q = await fixture.start({ config: { brokerSessionTimeoutMs: 2000 } });
    const registered = await q.channel.call('registerBroker', register(3, 'c'));
    expect(registered.ok).toBe(true);
    expect(q.image.broker(3)?.fenced).toBe(true);

    const steady = await q.liveBrokers([1], { heartbeatIntervalMs: 100 });
    const quitting = await q.liveBrokers([2], { heartbeatIntervalMs: 100 });
    expect(q.image.brokers().map((b) => [b.brokerId, b.fenced])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    await quitting.stop();
    await waitFor(() => q.image.broker(2)?.fenced === true, 'broker 2 to be fenced');
    // Broker 1 heartbeated all along, so it outlived broker 2's whole session.
    expect(q.image.broker(1)?.fenced).toBe(false);
    expect(steady.failures).toEqual([]);
  });

  it('subscribe delivers the backlog first, then each commit in order before the admin promise resolves', async () => {
    const q = await fixture.start();
    await q.liveBrokers([1]);
    await q.channel.call('createTopics', { topics: [topic('a')], validateOnly: false });

    const seen: CommittedBatch[] = [];
    const types = (b: CommittedBatch | undefined) => b?.records.map((r) => r.type);
    const unsubscribe = q.channel.subscribe((b) => seen.push(b));
    const backlogEnd = q.image.lastOffset;
    await waitFor(() => seen.at(-1)?.lastOffset === backlogEnd, 'the backlog');
    expectDense(seen);
    expect(seen.flatMap((b) => b.records)).toHaveLength(Number(backlogEnd) + 1);
    expect(seen.flatMap((b) => b.records.map((r) => r.type)).slice(-2)).toEqual(['topic', 'partition']);

    const [created] = await q.channel.call('createTopics', {
      topics: [topic('b', { numPartitions: 2 })],
      validateOnly: false,
    });
    expect(created?.result.ok).toBe(true);
    // The create's batch was delivered before its promise resolved.
    expect(seen.at(-1)?.lastOffset).toBe(q.image.lastOffset);
    expect(types(seen.at(-1))).toEqual(['topic', 'partition', 'partition']);
    await q.channel.call('deleteTopics', { names: ['a'] });
    expect(seen.at(-1)?.lastOffset).toBe(q.image.lastOffset);
    expect(types(seen.at(-1))).toEqual(['remove-topic']);
    expectDense(seen);

    unsubscribe();
    const count = seen.length;
    // The call waits for the channel's other subscription to deliver it, so a live first one would have too.
    const probe: CommittedBatch[] = [];
    q.channel.subscribe((b) => probe.push(b));
    await q.channel.call('createTopics', { topics: [topic('c')], validateOnly: false });
    expect(probe.at(-1)?.lastOffset).toBe(q.image.lastOffset);
    expect(seen).toHaveLength(count);
  });

  it('concurrent creates of the same name are serialized: exactly one wins', async () => {
    const q = await fixture.start();
    await q.liveBrokers([1]);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => q.channel.call('createTopics', { topics: [topic('race')], validateOnly: false })),
    );
    expect(results.flat().map(outcome).sort()).toEqual(['ok', ...Array(4).fill('topic_already_exists')]);
  });

  it('a restarted controller has an identical image, streams the same records, and keeps offsets dense', async () => {
    const first = await fixture.start();
    await first.liveBrokers([1, 2], { listeners });
    await first.channel.call('createTopics', {
      topics: [
        topic('a', { numPartitions: 4, replicationFactor: 2, configs: { 'cleanup.policy': 'compact' } }),
        topic('b'),
      ],
      validateOnly: false,
    });
    await first.channel.call('deleteTopics', { names: ['b'] });
    const before = first.image;
    const backlog: CommittedBatch[] = [];
    first.channel.subscribe((b) => backlog.push(b));
    await waitFor(() => backlog.at(-1)?.lastOffset === before.lastOffset, 'the backlog');
    await first.stop();

    const second = await fixture.start();
    const after = second.image;
    expect(after.lastOffset).toBe(before.lastOffset);
    expect(after.clusterId).toBe(before.clusterId);
    expect(after.topicNames()).toEqual(before.topicNames());
    expect(after.topic('a')).toEqual(before.topic('a'));
    expect(after.brokers()).toEqual(before.brokers());
    expect([...after.configOverrides('topic', 'a')]).toEqual([['cleanup.policy', 'compact']]);
    const replayed: CommittedBatch[] = [];
    second.channel.subscribe((b) => replayed.push(b));
    await waitFor(() => replayed.at(-1)?.lastOffset === before.lastOffset, 'the replay');
    expectDense(replayed);
    expect(replayed.flatMap((b) => b.records)).toEqual(backlog.flatMap((b) => b.records));

    await second.channel.call('createTopics', { topics: [topic('c')], validateOnly: false });
    expect(second.image.lastOffset).toBe(before.lastOffset + 2n);
  });

  it('using a channel after its quorum stopped is a bug that rejects with an AssertionError', async () => {
    const q = await fixture.start();
    await q.stop();
    await expect(q.channel.call('deleteTopics', { names: ['x'] })).rejects.toThrow(AssertionError);
  });
});
