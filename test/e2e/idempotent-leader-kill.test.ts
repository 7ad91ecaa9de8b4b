/**
 * Idempotent producers of four real clients through a partition leader's
 * kill -9 (issue 11's first acceptance item): kafkajs (`idempotent: true`),
 * @platformatic/kafka (`idempotent: true`), kcat (librdkafka,
 * `enable.idempotence=true`) and confluent-kafka-python produce to one
 * RF=3, min.insync.replicas=2 partition with acks=all while its leader is
 * killed and later restarted. Each client sends the first half of its
 * records, waits until the leader has been killed, then sends the rest
 * through the failover. Afterwards every record a client saw acknowledged
 * is in the log exactly once, no record is there twice, and each
 * producer's records are in the order it sent them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Producer as PlatformaticProducer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { PythonClient } from '../harness/python-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'idem-kill';
const perClient = 240;
const half = perClient / 2;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
});

afterAll(async () => {
  await cluster?.stop();
});

async function leaderOf(brokerId: number): Promise<number> {
  const metadata = await cluster.metadata(brokerId, topic);
  return metadata.topics.find((t) => t.topic === topic)?.partitions[0]?.leader ?? -1;
}

/** Resolved once the leader has been killed: each producer then sends its second half. */
let killed: Promise<void>;
let leaderKilled: () => void = () => {};

/** A producer of `prefix-0..perClient-1`, one by one, remembering which were acknowledged. */
interface Run {
  readonly acked: () => readonly string[];
  readonly done: Promise<void>;
}

function kafkajsRun(prefix: string): Run {
  const acked: string[] = [];
  const kafka = new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId: 'idem-kafkajs',
    logLevel: logLevel.NOTHING,
    retry: { retries: 60, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const done = (async () => {
    await producer.connect();
    try {
      for (let i = 0; i < perClient; i++) {
        if (i === half) await killed;
        await producer.send({ topic, acks: -1, messages: [{ value: `${prefix}-${i}`, partition: 0 }] });
        acked.push(`${prefix}-${i}`);
      }
    } finally {
      await producer.disconnect();
    }
  })();
  return { acked: () => acked, done };
}

function platformaticRun(prefix: string): Run {
  const acked: string[] = [];
  const producer = new PlatformaticProducer({
    clientId: 'idem-platformatic',
    bootstrapBrokers: cluster.bootstrap().split(','),
    serializers: stringSerializers,
    idempotent: true,
    retries: 60,
    retryDelay: 250,
    metadataMaxAge: 1000,
  });
  const done = (async () => {
    try {
      for (let i = 0; i < perClient; i++) {
        if (i === half) await killed;
        await producer.send({ messages: [{ topic, partition: 0, value: `${prefix}-${i}` }] });
        acked.push(`${prefix}-${i}`);
      }
    } finally {
      await producer.close();
    }
  })();
  return { acked: () => acked, done };
}

/** kcat reads its input line by line as it arrives; exit 0 means every line was delivered. */
function kcatRun(prefix: string): Run & { written: () => number } {
  const child: ChildProcess = spawn(
    'kcat',
    [
      ...['-P', '-b', cluster.bootstrap(), '-t', topic, '-p', '0'],
      ...['-X', 'enable.idempotence=true', '-X', 'acks=all', '-X', 'message.timeout.ms=120000'],
      ...['-X', 'topic.metadata.refresh.interval.ms=1000'],
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  child.stdin?.on('error', () => {});
  let written = 0;
  let exitCode: number | null = null;
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      exitCode = code;
      if (code === 0) resolve();
      else reject(new Error(`kcat exited ${code}: ${stderr}`));
    });
  });
  const writeUpTo = (end: number): void => {
    for (; written < end; written++) child.stdin?.write(`${prefix}-${written}\n`);
  };
  writeUpTo(half);
  void killed.then(() => {
    writeUpTo(perClient);
    child.stdin?.end();
  });
  const all = Array.from({ length: perClient }, (_, i) => `${prefix}-${i}`);
  return { acked: () => (exitCode === 0 ? all : []), done, written: () => written };
}

function pythonRun(prefix: string): Run & { client: PythonClient } {
  const client = new PythonClient('idempotent_producer.py', [cluster.bootstrap(), topic, prefix, String(perClient)]);
  // The script flushes its first half, then waits for a line to send the rest.
  void killed.then(() => client.writeLine('go'));
  const done = client.exited.then((code) => {
    if (code !== 0) throw new Error(`python producer exited ${code}: ${client.stderr}`);
  });
  return { acked: () => client.linesStartingWith('ack'), done, client };
}

describe('idempotent producers through a leader kill -9', () => {
  it('kafkajs, @platformatic/kafka, kcat and confluent-kafka-python: every acknowledged record once, in order', async () => {
    const kafka = new Kafka({ brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    await admin.disconnect();
    const leader = await waitFor(async () => {
      const l = await leaderOf(1);
      return l > 0 ? l : undefined;
    });

    killed = new Promise((resolve) => {
      leaderKilled = resolve;
    });
    const kafkajs = kafkajsRun('kafkajs');
    const platformatic = platformaticRun('plt');
    const kcat = kcatRun('kcat');
    const python = pythonRun('py');
    const runs = [kafkajs, platformatic, python];
    // Kill the leader mid-stream: once every client has records acknowledged (kcat: written).
    await waitFor(() => runs.every((r) => r.acked().length >= 30) && kcat.written() >= 30, {
      timeoutMs: 60_000,
      what: 'every client producing',
    });
    await cluster.kill('broker', leader);
    leaderKilled();
    const survivor = cluster.ids('broker', { running: true })[0] ?? 1;
    await waitFor(
      async () => {
        const l = await leaderOf(survivor);
        return l > 0 && l !== leader;
      },
      { timeoutMs: 30_000, what: 'a new leader' },
    );
    const ackedAtKill = runs.map((r) => r.acked().length);
    await waitFor(() => runs.every((r, i) => r.acked().length > (ackedAtKill[i] ?? 0) + 10), {
      timeoutMs: 60_000,
      what: 'acknowledgements from the new leader',
    });
    await cluster.restart('broker', leader);
    await Promise.all([kafkajs.done, platformatic.done, kcat.done, python.done]);
    expect(python.client.linesStartingWith('err')).toEqual([]);

    const read = await kcatReadAll({ bootstrap: cluster.bootstrap(), topic, format: '%s\n', timeoutMs: 60_000 });
    expect(read.code, read.stderr).toBe(0);
    const values = read.stdout.toString('utf8').split('\n').filter(Boolean);
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    for (const [name, run] of [
      ['kafkajs', kafkajs],
      ['plt', platformatic],
      ['kcat', kcat],
      ['py', python],
    ] as const) {
      const acked = run.acked();
      expect(acked.length, `${name} acknowledged`).toBe(perClient);
      expect(
        acked.filter((v) => !counts.has(v)),
        `${name} acknowledged but missing`,
      ).toEqual([]);
      const order = values.filter((v) => v.startsWith(`${name}-`)).map((v) => Number(v.slice(name.length + 1)));
      expect(order, `${name} in the order sent`).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
