import type { CommittedBatch, MetadataRecord } from '@runnel/metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { ControllerCallFailure, GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';
import { waitFor } from './wait-for.ts';

const started = new Started();
afterEach(() => started.closeAll());

const fastBackoff = { backoffMsMin: 20, backoffMsMax: 200 };

function topic(name: string): MetadataRecord {
  return { type: 'topic', name, topicId: '00000000-0000-0000-0000-000000000001' };
}

function channelFor(addresses: string[], options: { onSnapshotReset?: (batch: CommittedBatch) => void } = {}) {
  const channel = new GrpcControllerChannel(started.client(addresses, { callTimeoutMs: 2_000 }), {
    backoff: fastBackoff,
    ...options,
  });
  started.onClose(() => channel.close());
  return channel;
}

/** Every offset the listener saw, in order, from the batches' lastOffset and length. */
function offsetsOf(batches: CommittedBatch[]): bigint[] {
  return batches.flatMap((b) => b.records.map((_, i) => b.lastOffset - BigInt(b.records.length - 1 - i)));
}

describe('GrpcControllerChannel', () => {
  it('subscribe delivers what was committed, then each new commit', async () => {
    const fake = new FakeController();
    fake.commit([topic('a'), topic('b')]);
    const channel = channelFor([address(await started.server(fake))]);
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    await waitFor('catch-up', () => batches.length === 1);
    fake.commit([topic('c')]);
    await waitFor('new commit', () => batches.length === 2);
    expect(batches.map((b) => b.records.map((r) => (r.type === 'topic' ? r.name : r.type)))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
    expect(batches.map((b) => b.lastOffset)).toEqual([1n, 2n]);
  });

  it('createTopics resolves only after the subscriber has seen the records it committed', async () => {
    const fake = new FakeController();
    const channel = channelFor([address(await started.server(fake))]);
    const seen: string[] = [];
    channel.subscribe((b) => {
      for (const r of b.records) if (r.type === 'topic') seen.push(r.name);
    });
    await waitFor('stream open', () => fake.streamCount === 1);
    const results = await channel.call('createTopics', {
      topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(results[0]?.result.ok).toBe(true);
    expect(seen).toEqual(['t']);
  });

  it('after the controller restarts, the stream resumes from the last offset: no gap, no duplicate', async () => {
    const fake = new FakeController();
    fake.resendOverlap = 2;
    const first = await started.server(fake);
    const port = first.port;
    const channel = channelFor([address(first)]);
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    fake.commit([topic('t0'), topic('t1')]);
    await waitFor('first records', () => offsetsOf(batches).length === 2);

    first.close();
    fake.commit([topic('t2'), topic('t3'), topic('t4')]);
    await started.server(fake, port);
    await waitFor('resumed', () => fake.served.filter((s) => s.startsWith('fetchMetadata')).length >= 2);
    fake.commit([topic('t5')]);
    await waitFor('all six records', () => offsetsOf(batches).at(-1) === 5n);

    expect(offsetsOf(batches)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    const names = batches.flatMap((b) => b.records.map((r) => (r.type === 'topic' ? r.name : '?')));
    expect(names).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    expect(fake.served).toContain('fetchMetadata(1)');
  });

  it('a new subscriber behind the log start gets the snapshot as its first batch', async () => {
    const fake = new FakeController();
    fake.commit([topic('a'), topic('b'), topic('c')]);
    fake.logStartOffset = 2n;
    const channel = channelFor([address(await started.server(fake))]);
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    await waitFor('snapshot', () => batches.length === 1);
    expect(batches[0]?.lastOffset).toBe(2n);
    expect(batches[0]?.records).toHaveLength(3);
  });

  it('a subscriber the log start has passed while it was away is rebuilt through onSnapshotReset', async () => {
    const fake = new FakeController();
    fake.commit([topic('a')]);
    const first = await started.server(fake);
    const resets: CommittedBatch[] = [];
    const channel = channelFor([address(first)], { onSnapshotReset: (b) => resets.push(b) });
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    await waitFor('first record', () => batches.length === 1);
    first.close();
    fake.commit([topic('b'), topic('c'), topic('d')]);
    fake.logStartOffset = 3n;
    await started.server(fake, first.port);
    await waitFor('snapshot reset', () => resets.length === 1);
    expect(resets[0]?.lastOffset).toBe(3n);
    expect(resets[0]?.records).toHaveLength(4);
    fake.commit([topic('e')]);
    await waitFor('stream continues after the snapshot', () => batches.at(-1)?.lastOffset === 4n);
  });

  it('subscribe follows NOT_CONTROLLER to the named leader', async () => {
    const leader = new FakeController();
    leader.commit([topic('x')]);
    const leaderServer = await started.server(leader);
    const follower = new FakeController();
    follower.leader = { leaderId: 2, leaderAddress: address(leaderServer) };
    const channel = channelFor([address(await started.server(follower))]);
    const batches: CommittedBatch[] = [];
    channel.subscribe((b) => batches.push(b));
    await waitFor('records from the leader', () => batches.length === 1);
    expect(batches[0]?.lastOffset).toBe(0n);
  });

  it('registerBroker goes through; with no controller up it rejects with ControllerCallFailure unavailable', async () => {
    const fake = new FakeController();
    const server = await started.server(fake);
    const channel = channelFor([address(server)]);
    const registered = await channel.call('registerBroker', {
      brokerId: 1,
      incarnationId: 'i',
      listeners: [],
      rack: null,
      previousShutdownClean: true,
      clusterId: null,
    });
    expect(registered).toEqual({ ok: true, value: { brokerEpoch: 0n } });
    server.close();
    const failure = await channel.call('deleteTopics', { names: ['t'] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ControllerCallFailure);
    expect(failure instanceof ControllerCallFailure && failure.reason).toBe('unavailable');
  });

  it('unsubscribing closes the stream on the controller', async () => {
    const fake = new FakeController();
    const channel = channelFor([address(await started.server(fake))]);
    const unsubscribe = channel.subscribe(() => undefined);
    await waitFor('stream open', () => fake.streamCount === 1);
    unsubscribe();
    await waitFor('stream closed', () => fake.streamCount === 0);
  });
});
