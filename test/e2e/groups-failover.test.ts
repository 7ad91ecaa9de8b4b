/**
 * Consumer groups under real failures, on a real 3-broker cluster with
 * kafkajs members running as their own processes:
 * - three members split a 6-partition RF=3 topic two each; one is
 *   SIGKILLed (no LeaveGroup, no last commit), its partitions move to the
 *   others after the session timeout, and they resume from its committed
 *   offsets: every record consumed, re-reads only of uncommitted work;
 * - the group's coordinator broker is kill -9ed mid-stream: the members find
 *   the new coordinator, keep consuming, and the committed offsets survive.
 */
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';
import { GroupMemberProcess, type MemberEvent } from './groups-member-process.ts';

const sessionTimeoutMs = 3000;
let cluster: TestCluster;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const members: GroupMemberProcess[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 3,
    brokerArgs: () => [...['--group-initial-rebalance-delay-ms', '1000', '--group-min-session-timeout-ms', '1000']],
  });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
  kafka = new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId: 'groups-failover',
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(members.map((m) => m.kill()));
  await producer?.disconnect();
  await admin?.disconnect();
  await cluster?.stop();
});

function member(name: string, group: string, topic: string, commitIntervalMs: number): GroupMemberProcess {
  const m = new GroupMemberProcess(name, {
    bootstrap: cluster.bootstrap(),
    group,
    topic,
    sessionTimeoutMs,
    commitIntervalMs,
  });
  members.push(m);
  return m;
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] })).toBe(true);
  await waitFor(
    async () => {
      const metadata = await cluster.metadata(1, topic);
      const found = metadata.topics.find((t) => t.topic === topic);
      return found?.partitions.length === partitions && found.partitions.every((p) => p.leader > 0);
    },
    { what: `${topic} leaders` },
  );
}

/** Produces `values` round-robin over the partitions, acks=all; returns them. */
async function produce(topic: string, partitions: number, prefix: string, count: number): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({
    topic,
    acks: -1,
    messages: values.map((value, i) => ({ value, partition: i % partitions })),
  });
  return values;
}

function consumedValues(group: readonly GroupMemberProcess[]): Set<string> {
  return new Set(group.flatMap((m) => m.records.map((r) => r.v)));
}

function waitConsumed(group: readonly GroupMemberProcess[], values: readonly string[], what: string): Promise<true> {
  return waitFor(
    () => {
      const seen = consumedValues(group);
      return values.every((v) => seen.has(v));
    },
    { timeoutMs: 45_000, intervalMs: 100, what },
  );
}

/** The partitions each member owns, once they are disjoint, `perMember` each, and cover 0..total-1. */
function waitSplit(group: readonly GroupMemberProcess[], perMember: number, total: number): Promise<number[][]> {
  return waitFor(
    () => {
      const owned = group.map((m) => m.assigned);
      const all = owned.flat().sort((a, b) => a - b);
      const complete = owned.every((o) => o.length === perMember) && all.join() === [...Array(total).keys()].join();
      return complete ? owned : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 100, what: `${group.length} members to own ${perMember} partitions each` },
  );
}

/**
 * At-least-once with re-reads only of uncommitted work: a record read again
 * must lie at or past every offset committed for its partition (as
 * reported by a member after the coordinator accepted it) before the re-read.
 */
function rereadsOfCommittedWork(group: readonly GroupMemberProcess[]): string[] {
  const commits = group.flatMap((m) => m.commits);
  const reads = new Map<string, Extract<MemberEvent, { e: 'rec' }>[]>();
  for (const r of group.flatMap((m) => m.records))
    reads.set(`${r.p}:${r.o}`, [...(reads.get(`${r.p}:${r.o}`) ?? []), r]);
  const bad: string[] = [];
  for (const [key, all] of reads) {
    const sorted = all.sort((a, b) => a.t - b.t);
    for (const again of sorted.slice(1)) {
      const committed = Math.max(-1, ...commits.filter((c) => c.p === again.p && c.t < again.t).map((c) => c.o));
      if (committed > again.o) bad.push(`${key} re-read after offset ${committed} was committed`);
    }
  }
  return bad;
}

async function findCoordinator(brokerId: number, group: string): Promise<number> {
  const client = await ProtocolClient.connect(cluster.ports('broker', brokerId).kafka);
  try {
    const answer = await client.request(10, 1, { key: group, keyType: 0 });
    return answer.errorCode === 0 ? (answer.nodeId ?? -1) : -1;
  } finally {
    client.close();
  }
}

async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const fetched = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(fetched[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
}

describe('kafkajs consumer group on a 3-broker cluster', () => {
  it('a SIGKILLed member’s partitions move to the others, which resume from its committed offsets', async () => {
    const topic = 'groups-failover';
    const group = 'failover-group';
    await createTopic(topic, 6);
    const produced = await produce(topic, 6, 'a', 300);
    const group3 = [member('m1', group, topic, 500), member('m2', group, topic, 500), member('m3', group, topic, 500)];
    const split = await waitSplit(group3, 2, 6);
    await waitConsumed(group3, produced, 'the first 300 records');

    // The victim reads more, then dies between commits (500 ms commit interval: some of its work may be uncommitted).
    const [victim, ...survivors] = group3 as [GroupMemberProcess, GroupMemberProcess, GroupMemberProcess];
    produced.push(...(await produce(topic, 6, 'b', 300)));
    await waitConsumed(group3, produced, 'the next 300 records');
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    const victimPartitions = split[0] ?? [];
    produced.push(...(await produce(topic, 6, 'c', 300)));

    const moved = await waitSplit(survivors, 3, 6);
    await waitConsumed(survivors, produced.slice(600), 'the records produced after the kill');
    expect(consumedValues(group3)).toEqual(new Set(produced));
    expect(group3.flatMap((m) => m.crashes)).toEqual([]);

    // Each of the victim's partitions: the new owner's first read is at or past the victim's last
    // reported commit, and no further than the victim got (nothing skipped).
    for (const p of victimPartitions) {
      const owner = survivors[moved.findIndex((o) => o.includes(p))];
      const first = owner?.records.find((r) => r.p === p && r.t > killedAt);
      const lastCommit = Math.max(0, ...victim.commits.filter((c) => c.p === p).map((c) => c.o));
      const victimEnd = Math.max(...victim.records.filter((r) => r.p === p).map((r) => r.o)) + 1;
      expect(first?.o, `partition ${p}`).toBeGreaterThanOrEqual(lastCommit);
      expect(first?.o, `partition ${p}`).toBeLessThanOrEqual(victimEnd);
    }
    expect(rereadsOfCommittedWork(group3)).toEqual([]);
  });

  it('kill -9 of the coordinator: members find the new one, keep consuming, and committed offsets survive', async () => {
    const topic = 'groups-coordinator';
    const group = 'coordinator-failover-group';
    await createTopic(topic, 4);
    const coordinator = await waitFor(async () => {
      const id = await findCoordinator(1, group);
      return id > 0 ? id : undefined;
    });
    const produced = await produce(topic, 4, 'x', 200);
    const pair = [member('c1', group, topic, 200), member('c2', group, topic, 200)];
    await waitSplit(pair, 2, 4);
    await waitConsumed(pair, produced, 'records before the kill');
    const before = await waitFor(
      async () => {
        const offsets = await committedOffsets(group, topic);
        return [0, 1, 2, 3].every((p) => offsets.get(p) === 50) ? offsets : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'every partition committed to its end' },
    );

    await cluster.kill('broker', coordinator, 'SIGKILL');
    const survivors = [1, 2, 3].filter((b) => b !== coordinator);
    produced.push(...(await produce(topic, 4, 'y', 200)));
    await waitConsumed(pair, produced, 'records produced after the coordinator died');
    const next = await findCoordinator(survivors[0] ?? 1, group);
    expect(survivors).toContain(next);
    const after = await waitFor(
      async () => {
        const offsets = await committedOffsets(group, topic);
        return [0, 1, 2, 3].every((p) => offsets.get(p) === 100) ? offsets : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'commits through the new coordinator' },
    );
    for (const p of [0, 1, 2, 3]) expect(after.get(p)).toBeGreaterThanOrEqual(before.get(p) ?? Number.MAX_VALUE);
    // Nothing committed before the kill was read again: the new coordinator served the old offsets.
    expect(rereadsOfCommittedWork(pair)).toEqual([]);
    // kafkajs' way to a new coordinator: its retries against the dead one run out, it restarts and
    // rejoins. Any other crash would be the broker's doing.
    const deadAddress = `127.0.0.1:${cluster.ports('broker', coordinator).kafka}`;
    expect(pair.flatMap((m) => m.crashes).filter((c) => !c.error.includes(deadAddress))).toEqual([]);
  });
});
