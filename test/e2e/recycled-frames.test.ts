/**
 * Recycled Produce frames never corrupt stored or replicated data. Real
 * broker processes (1 controller, 3 brokers, RF 3, min.insync.replicas 2)
 * run with RUNNEL_POISON_RELEASED_FRAMES=1: every request frame slab is
 * overwritten the moment its last claim is released, so a holder that
 * still read it (the log write, the leader tail cache that serves
 * followers, a replication response being serialized) would store or send
 * garbage. kcat sends ~1 MB batches (pooled frames), first with acks=1
 * while the followers are stopped (so they copy the newest batches from the
 * tail cache long after the requests let go of their frames), then
 * idempotent with acks=all. The leader must have recycled
 * frames (or nothing was tested); every record reads back in order from the
 * leader, and again from a follower made leader by kill -9 of the first;
 * and no follower ever refused a batch it was sent (a follower checks each
 * batch's CRC, so poisoned bytes from the leader would show there first).
 */
import { ErrorCode } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KcatPartition, TestCluster } from '../harness/cluster.ts';
import { kcat } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;
const topic = 'recycled';
const poisonEnv = 'RUNNEL_POISON_RELEASED_FRAMES';
const previousPoison = process.env[poisonEnv];

beforeAll(async () => {
  // The broker processes inherit it.
  process.env[poisonEnv] = '1';
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
  if (previousPoison === undefined) delete process.env[poisonEnv];
  else process.env[poisonEnv] = previousPoison;
});

async function createTopic(): Promise<void> {
  const admin = new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId: 'recycled-admin',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

async function partitionView(brokerId: number): Promise<KcatPartition | undefined> {
  const md = await cluster.metadata(brokerId, topic);
  return md.topics.find((t) => t.topic === topic)?.partitions[0];
}

async function brokerMetric(id: number, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${cluster.ports('broker', id).http}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

/** Followers check every batch's CRC and refetch a bad one, so garbage sent by a leader shows here, not as loss. */
function refusals(): unknown[] {
  return [1, 2, 3].flatMap((id) =>
    cluster.process('broker', id).logs.filter((line) => line.msg === 'follower append refused'),
  );
}

/** The partition's high watermark (ListOffsets latest, read_uncommitted) as its leader reports it. */
async function highWatermark(client: ProtocolClient): Promise<bigint | null> {
  const response = await client.request(2, 2, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  const partition = response.topics[0]?.partitions[0];
  return partition?.errorCode === ErrorCode.NONE ? (partition.offset ?? null) : null;
}

/** Where two value lists first differ (a short excerpt), or null when equal: a diff of 24 MB would stall the reporter. */
function firstDifference(actual: readonly string[], expected: readonly string[]): string | null {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (actual[i] !== expected[i]) {
      const excerpt = (v: string | undefined) => (v === undefined ? 'nothing' : JSON.stringify(v.slice(0, 40)));
      return `record ${i} of ${expected.length} (read ${actual.length}): ${excerpt(actual[i])}, expected ${excerpt(expected[i])}`;
    }
  }
  return null;
}

/** `count` distinct ~1 KiB values, tagged with `phase` and their index so any damaged or misplaced byte shows. */
function values(phase: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${phase}-${String(i).padStart(6, '0')}-${'r'.repeat(1000)}`);
}

async function produce(bootstrap: string, lines: readonly string[], settings: readonly string[]): Promise<void> {
  const big = ['-X', 'linger.ms=200', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.messages=100000'];
  const settingArgs = settings.flatMap((s) => ['-X', s]);
  const result = await kcat(
    ['-P', '-b', bootstrap, '-t', topic, '-p', '0', ...big, ...settingArgs],
    `${lines.join('\n')}\n`,
  );
  expect(result.code, result.stderr).toBe(0);
}

describe('recycled request frames (poison mode)', () => {
  it('acks=1 and idempotent acks=all batches read back intact from the leader and from a follower after kill -9', {
    timeout: 120_000,
  }, async () => {
    await createTopic();
    const view = await waitFor(
      async () => {
        const v = await partitionView(1);
        return v?.isrs.length === 3 ? v : undefined;
      },
      { what: 'the partition with a full ISR' },
    );
    const leader = view.leader;
    const leaderOnly = cluster.bootstrap([leader]);
    // ~12 MB: a follower's first fetch (10 MB at most) comes from the log file, the rest from the tail cache.
    const plain = values('a', 12_000);
    const idempotent = values('b', 6000);
    // Followers stopped meanwhile: they copy these batches later, the newest from the tail cache, long after
    // the requests let go of their frames (and the pool has handed the free ones out again).
    const followers = [1, 2, 3].filter((id) => id !== leader);
    for (const id of followers) cluster.pause('broker', id, true);
    try {
      await produce(leaderOnly, plain, ['acks=1']);
    } finally {
      for (const id of followers) cluster.pause('broker', id, false);
    }
    // The high watermark reaches the end once every follower has copied all of it; a refusal fails at once.
    const client = await ProtocolClient.connect(cluster.ports('broker', leader).kafka);
    try {
      await waitFor(
        async () => {
          expect(refusals()).toEqual([]);
          return (await highWatermark(client)) === BigInt(plain.length);
        },
        { what: 'the followers to copy the acks=1 batches', timeoutMs: 60_000 },
      );
    } finally {
      client.close();
    }
    await produce(leaderOnly, idempotent, ['enable.idempotence=true', 'acks=all']);

    // Without recycling, poison mode had nothing to catch.
    expect(await brokerMetric(leader, 'runnel_network_recycled_request_frames_total')).toBeGreaterThan(0);
    const expected = [...plain, ...idempotent];
    expect(firstDifference(await cluster.consume(topic, 0, { brokers: [leader] }), expected)).toBeNull();

    await cluster.kill('broker', leader);
    const next = await waitFor(
      async () => {
        const v = await partitionView(followers[0] ?? -1);
        return v !== undefined && followers.includes(v.leader) ? v.leader : undefined;
      },
      { what: 'a follower to take over leadership', timeoutMs: 30_000 },
    );
    expect(firstDifference(await cluster.consume(topic, 0, { brokers: [next] }), expected)).toBeNull();
    expect(refusals()).toEqual([]);
  });
});
