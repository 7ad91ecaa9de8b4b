/**
 * ReplicaManager with a fake transport, a recording controller channel and
 * a manual clock: role changes between leader and follower (fetchers,
 * acks=all waiters), the ISR loop's proposals, and KIP-903's rule that an
 * expansion only names followers registered under the broker epoch they
 * fetched with.
 */
import { brokerId, err, leaderEpoch, offset, ok, partitionId, type Result, silentLogger } from '@runnel/common';
import {
  type AlterPartitionError,
  type AlterPartitionReply,
  type AlterPartitionRequest,
  MetadataImage,
  type MetadataRecord,
  replayBatch,
} from '@runnel/metadata';
import type { ReplicaFetchHandler, ReplicaFetchRequest, ReplicaFetchResult } from '@runnel/rpc';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import { ReplicaManager, replicationListenerName } from '../src/replication/replica-manager.ts';
import type { ReplicaFetchStream, ReplicationTransport } from '../src/replication/replication-transport.ts';
import { batchOf, manualTime, partitionOn, state, type Time, topicId, turn, until } from './replication-fixture.ts';

const lagTimeMaxMs = 1_000;

/** Brokers 1..n registered (broker epoch = their record's offset: 0, 1, ...), each with a replication listener. */
function imageWith(brokerCount: number): MetadataImage {
  const records: MetadataRecord[] = Array.from({ length: brokerCount }, (_, i) => ({
    type: 'register-broker',
    brokerId: i + 1,
    incarnationId: `b${i + 1}`,
    brokerEpoch: BigInt(i),
    listeners: [{ name: replicationListenerName, host: `b${i + 1}`, port: 9093, securityProtocol: 'PLAINTEXT' }],
    rack: null,
  }));
  return replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
}

class FakeStream implements ReplicaFetchStream {
  readonly requests: ReplicaFetchRequest[] = [];
  closed = false;
  readonly #waiting: ((r: ReplicaFetchResult) => void)[] = [];
  fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    this.requests.push(request);
    if (this.closed) return Promise.resolve(err('closed'));
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  close(): void {
    this.closed = true;
    for (const resolve of this.#waiting.splice(0)) resolve(err('closed'));
  }
}

/** Streams by address, never answered (the tests look at what is asked); the served handler is kept. */
class FakeTransport implements ReplicationTransport {
  readonly streams: { address: string; stream: FakeStream }[] = [];
  handler: ReplicaFetchHandler | null = null;
  async listen(_host: string, port: number, handler: ReplicaFetchHandler) {
    this.handler = handler;
    return ok({ port, close: () => {} });
  }
  connect(address: string): ReplicaFetchStream {
    const stream = new FakeStream();
    this.streams.push({ address, stream });
    return stream;
  }
}

const managers: ReplicaManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

interface Setup {
  readonly time: Time;
  readonly partition: Partition;
  readonly manager: ReplicaManager;
  readonly transport: FakeTransport;
  readonly alters: AlterPartitionRequest[];
  image: MetadataImage;
}

/** Broker `nodeId` hosting the partition, its controller answering every AlterPartition with `answer`. */
async function setup(
  nodeId: number,
  answer: (req: AlterPartitionRequest) => Result<AlterPartitionReply, AlterPartitionError> = (req) =>
    ok({ isr: [...req.isr], partitionEpoch: req.partitionEpoch + 1 }),
): Promise<Setup> {
  const time = manualTime();
  const partition = await partitionOn(nodeId, time);
  const transport = new FakeTransport();
  const alters: AlterPartitionRequest[] = [];
  const s: { image: MetadataImage } = { image: imageWith(3) };
  const manager = await ReplicaManager.start({
    config: {
      nodeId,
      host: `b${nodeId}`,
      port: 9093,
      lagTimeMaxMs,
      fetchWaitMaxMs: 500,
      fetchResponseBytesMax: 1 << 20,
      fetchBackoffMs: 100,
      fetchTimeoutMs: 1_000,
      throttledRateBytesPerSec: 0,
    },
    channel: {
      alterPartition: async (req) => {
        alters.push(req);
        return answer(req);
      },
    },
    logger: silentLogger(),
    clock: time.clock,
    timers: time.timers,
    transport,
    registry: new Registry(),
    partitions: () => [partition],
    lookup: (id, index) => (id === topicId && index === 0 ? partition : undefined),
    image: () => s.image,
    brokerEpoch: () => BigInt(nodeId - 1),
    minInsyncReplicas: () => 1,
  });
  managers.push(manager);
  return Object.assign(s, { time, partition, manager, transport, alters });
}

/** A follower fetch of the partition, as broker `followerId` under `brokerEpoch` sends it. */
function followerFetch(followerId: number, fetchOffset: bigint, brokerEpoch: bigint): ReplicaFetchRequest {
  return {
    replicaId: brokerId(followerId),
    brokerEpoch,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    partitions: [
      {
        topicId,
        partition: partitionId(0),
        fetchOffset: offset(fetchOffset),
        lastFetchedEpoch: leaderEpoch(-1),
        currentLeaderEpoch: leaderEpoch(-1),
        logStartOffset: offset(0n),
      },
    ],
  };
}

describe('ReplicaManager role changes', () => {
  it("a follower fetches from its leader's registered replication address", async () => {
    const s = await setup(2);
    await s.manager.applyState(s.partition, state(1, 1, [1, 2]));
    await until(() => s.transport.streams[0]?.stream.requests.length === 1, 'a fetch to the leader');
    expect(s.transport.streams.map((x) => x.address)).toEqual(['b1:9093']);
    expect(s.transport.streams[0]?.stream.requests[0]?.partitions[0]).toMatchObject({ topicId, fetchOffset: 0n });
    expect(s.partition.role).toBe('follower');
  });

  it('a follower that becomes leader stops fetching (its idle fetcher is closed) and takes produce', async () => {
    const s = await setup(2);
    await s.manager.applyState(s.partition, state(1, 1, [1, 2]));
    await until(() => s.transport.streams[0]?.stream.requests.length === 1, 'a fetch to the old leader');
    await s.manager.applyState(s.partition, state(2, 2, [1, 2]));
    expect(s.partition.role).toBe('leader');
    const appended = await s.partition.appendAsLeader(batchOf('a'), 1, { acks: 1, minInsyncReplicas: 1, timeoutMs: 1 });
    expect(appended.ok).toBe(true);
    s.time.advance(lagTimeMaxMs);
    await until(() => s.transport.streams[0]?.stream.closed === true, 'the fetcher to broker 1 closed');
  });

  it('a leader that becomes follower fails its acks=all waiters with not_leader and fetches from the new leader', async () => {
    const s = await setup(1);
    await s.manager.applyState(s.partition, state(1, 1, [1, 2]));
    const appended = await s.partition.appendAsLeader(batchOf('a'), 1, {
      acks: -1,
      minInsyncReplicas: 2,
      timeoutMs: 60_000,
    });
    if (!appended.ok) throw new Error(appended.error);
    await s.manager.applyState(s.partition, state(2, 2, [1, 2]));
    expect(await appended.value.replicated).toBe('not_leader');
    await until(
      () => s.transport.streams.some((x) => x.address === 'b2:9093' && x.stream.requests.length > 0),
      'fetch',
    );
  });
});

describe('ReplicaManager ISR changes', () => {
  it('a follower that stops fetching is proposed out of the ISR after replica.lag.time.max.ms', async () => {
    const s = await setup(1);
    await s.manager.applyState(s.partition, state(1, 1, [1, 2]));
    await s.partition.appendAsLeader(batchOf('a'), 1, { acks: 1, minInsyncReplicas: 1, timeoutMs: 1 });
    s.time.advance(lagTimeMaxMs / 2);
    expect(s.alters).toEqual([]);
    s.time.advance(lagTimeMaxMs);
    await until(() => s.alters.length === 1, 'a shrink proposal');
    expect(s.alters[0]).toMatchObject({ leaderId: 1, leaderEpoch: 1, partitionEpoch: 1, isr: [1] });
    await until(() => s.partition.isr.join() === '1', 'the committed shrink applied');
  });

  it('KIP-903: a follower fetching under a broker epoch the metadata no longer shows is not proposed into the ISR', async () => {
    const s = await setup(1);
    await s.manager.applyState(s.partition, state(1, 1, [1, 2], [1]));
    const handler = s.transport.handler;
    if (handler === null) throw new Error('not listening');
    // Broker 2 is registered under epoch 1; a fetch from its previous incarnation (epoch 0) must not get it in.
    await handler(followerFetch(2, 0n, 0n), new AbortController().signal);
    // The ISR loop keeps recomputing the proposal and keeps holding it back.
    for (let i = 0; i < 5; i++) s.time.advance(lagTimeMaxMs);
    await turn();
    expect(s.alters).toEqual([]);
    await handler(followerFetch(2, 0n, 1n), new AbortController().signal);
    // After the pause that follows a held-back proposal, the next one names the current epoch.
    s.time.advance(lagTimeMaxMs);
    await until(() => s.alters.length === 1, 'an expand proposal');
    expect(s.alters[0]).toMatchObject({ isr: [1, 2], addedBrokerEpochs: [{ brokerId: 2, brokerEpoch: 1n }] });
  });
});
