/**
 * Consumer groups with three real clients against one in-process broker:
 * kcat balanced consumers (librdkafka `-G`) and @platformatic/kafka
 * consumers form groups, commit, stop, and on restart resume at the
 * committed position (re-reading only what was never committed); two
 * group ids (kafkajs and kcat) each read the whole topic.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { waitFor } from '../harness/wait.ts';

let node: InProcessCluster;
let bootstrap: string;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const running: KcatMember[] = [];

beforeAll(async () => {
  node = await startInProcess({ groupInitialRebalanceDelayMs: 500, groupMinSessionTimeoutMs: 1000 });
  bootstrap = `127.0.0.1:${node.broker.port}`;
  kafka = new Kafka({ brokers: [bootstrap], clientId: 'groups-clients', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(running.map((m) => m.stop('SIGKILL')));
  await producer?.disconnect();
  await admin?.disconnect();
  await node?.stop();
});

/** `kcat -G group topic` as a process; its records as "partition offset value" lines. */
class KcatMember {
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  readonly #exit: Promise<number | null>;
  #stderr = '';

  constructor(group: string, topic: string) {
    this.#child = spawn(
      'kcat',
      [
        ...['-b', bootstrap, '-G', group, '-f', '%p %o %s\\n', '-q', '-u'],
        ...['-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=200'],
        ...['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500'],
        topic,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#exit = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    let partial = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      this.lines.push(...lines);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
    running.push(this);
  }

  get values(): string[] {
    return this.lines.map((l) => l.split(' ')[2] ?? '');
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** SIGTERM: kcat closes the consumer (final commit, LeaveGroup) and exits. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
    return this.#exit;
  }
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })).toBe(true);
}

/** Produces `count` values round-robin over the partitions; returns them. */
async function produce(topic: string, partitions: number, prefix: string, count: number): Promise<string[]> {
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  return values;
}

/** Waits until DescribeGroups reports `group` Stable with `count` members. */
function stableWithMembers(group: string, count: number): Promise<true> {
  return waitFor(
    async () => {
      const described = await admin.describeGroups([group]);
      const g = described.groups[0];
      return g?.state === 'Stable' && g.members.length === count;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `${group} Stable with ${count} members` },
  );
}

async function committed(group: string, topic: string): Promise<number[]> {
  const fetched = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (fetched[0]?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

function waitValues(source: () => readonly string[], values: readonly string[], what: string): Promise<true> {
  return waitFor(
    () => {
      const seen = new Set(source());
      return values.every((v) => seen.has(v));
    },
    { timeoutMs: 40_000, intervalMs: 50, what },
  );
}

describe('consumer groups with kcat, @platformatic/kafka and kafkajs', () => {
  it('two kcat -G members split the topic, commit, and after a restart read only what is new', async () => {
    const topic = 'kcat-groups';
    const group = 'kcat-group';
    await createTopic(topic, 4);
    const pair = [new KcatMember(group, topic), new KcatMember(group, topic)];
    await stableWithMembers(group, 2);
    const first = await produce(topic, 4, 'a', 400);
    await waitValues(() => pair.flatMap((m) => m.values), first, 'the kcat group to read 400 records');
    // Each record once, and both members had a share: they owned disjoint partitions.
    expect(pair.map((m) => m.values.length)).toEqual([200, 200]);
    expect(pair.flatMap((m) => m.values).sort()).toEqual([...first].sort());
    for (const m of pair) expect(await m.stop(), m.stderr).toBe(0);
    expect(await committed(group, topic)).toEqual([100, 100, 100, 100]);

    const again = [new KcatMember(group, topic), new KcatMember(group, topic)];
    await stableWithMembers(group, 2);
    const second = await produce(topic, 4, 'b', 200);
    await waitValues(() => again.flatMap((m) => m.values), second, 'the restarted kcat group to read the new records');
    // Nothing committed before the restart is read again.
    expect(again.flatMap((m) => m.values).sort()).toEqual([...second].sort());
    for (const m of again) expect(await m.stop(), m.stderr).toBe(0);
    expect(await committed(group, topic)).toEqual([150, 150, 150, 150]);
  });

  it('@platformatic/kafka commits per message; a restarted consumer re-reads only the uncommitted tail', async () => {
    const topic = 'plt-groups';
    const group = 'plt-group';
    await createTopic(topic, 2);
    const first = await produce(topic, 2, 'p', 200);
    // Everything on partition 0 is committed; partition 1 leaves its last 10 records (offsets 90-99) uncommitted.
    const uncommitted = first.filter((_, i) => i % 2 === 1).slice(-10);
    const read = await consumeWithPlatformatic(group, topic, first, (v) => !uncommitted.includes(v));
    expect(new Set(read)).toEqual(new Set(first));
    expect(await committed(group, topic)).toEqual([100, 90]);

    const second = await produce(topic, 2, 'q', 100);
    const reread = await consumeWithPlatformatic(group, topic, second, () => true);
    expect(reread.sort()).toEqual([...uncommitted, ...second].sort());
    expect(await committed(group, topic)).toEqual([150, 150]);
  });

  it('two group ids (kafkajs and kcat) each read the whole topic', async () => {
    const topic = 'unique-groups';
    await createTopic(topic, 3);
    const values = await produce(topic, 3, 'u', 300);
    const seenA: string[] = [];
    const consumerA = kafka.consumer({ groupId: 'unique-a', sessionTimeout: 6000, heartbeatInterval: 500 });
    await consumerA.connect();
    await consumerA.subscribe({ topics: [topic], fromBeginning: true });
    await consumerA.run({
      eachMessage: async ({ message }) => {
        seenA.push(message.value?.toString('utf8') ?? '');
      },
    });
    const memberB = new KcatMember('unique-b', topic);
    try {
      await waitValues(() => seenA, values, 'group unique-a to read the topic');
      await waitValues(() => memberB.values, values, 'group unique-b to read the topic');
      expect(seenA.sort()).toEqual([...values].sort());
      expect(memberB.values.sort()).toEqual([...values].sort());
    } finally {
      await consumerA.disconnect();
      expect(await memberB.stop(), memberB.stderr).toBe(0);
    }
    expect(await committed('unique-a', topic)).toEqual([100, 100, 100]);
    expect(await committed('unique-b', topic)).toEqual([100, 100, 100]);
  });
});

/**
 * One @platformatic/kafka group consumer from the committed position (earliest when none): reads until it has
 * seen every value of `expected`, committing the messages `shouldCommit` accepts, then leaves; returns all it read.
 */
async function consumeWithPlatformatic(
  group: string,
  topic: string,
  expected: readonly string[],
  shouldCommit: (value: string) => boolean,
): Promise<string[]> {
  const consumer = new Consumer({
    groupId: group,
    clientId: `plt-${group}`,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
  });
  const read: string[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTime: 200,
    });
    const missing = new Set(expected);
    for await (const message of stream) {
      read.push(message.value);
      if (shouldCommit(message.value)) await message.commit();
      missing.delete(message.value);
      if (missing.size === 0) break;
    }
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return read;
}
