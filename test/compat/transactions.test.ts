/**
 * Transactions with three real clients against a real `runnel dev`
 * process (issue 11's second acceptance item): confluent-kafka-python
 * (librdkafka), kafkajs and @platformatic/kafka commit, abort,
 * abort-then-commit, send a consumer's offsets to a transaction, get
 * fenced as a zombie, and (librdkafka) have a transaction time out.
 * read_committed readers (kcat's default) never see aborted or open data;
 * read_uncommitted readers see everything.
 */
import {
  Consumer,
  Producer as PlatformaticProducer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { PythonClient } from '../harness/python-client.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'txn-compat', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
}

/** Partition 0 of `topic` from the beginning to its end, at the isolation level asked for. */
async function read(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const result = await kcat([
    ...['-C', '-b', dev.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
    ...['-X', `isolation.level=${isolation}`],
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.toString('utf8').split('\n').filter(Boolean);
}

/** ListOffsets LATEST at read_committed (the last stable offset) and read_uncommitted (the high watermark). */
async function ends(topic: string): Promise<{ stable: bigint; high: bigint }> {
  const client = await ProtocolClient.connect(dev.port);
  try {
    const at = async (isolationLevel: number) => {
      const answer = await client.request(2, 3, {
        replicaId: -1,
        isolationLevel,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      });
      return answer.topics[0]?.partitions[0]?.offset ?? -1n;
    };
    return { stable: await at(1), high: await at(0) };
  } finally {
    client.close();
  }
}

async function python(args: readonly string[]): Promise<PythonClient> {
  const client = new PythonClient('transactional_client.py', args);
  const code = await client.exited;
  expect(code, `${client.lines.join('\n')}\n${client.stderr}`).toBe(0);
  return client;
}

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('transactions: confluent-kafka-python (librdkafka)', () => {
  it('commit, abort and abort-then-commit: read_committed sees only committed records, read_uncommitted all', async () => {
    const topic = 'py-txn';
    await createTopics(topic);
    await python(['commit', dev.bootstrap, topic, 'py-1', 'c', '3']);
    await python(['abort', dev.bootstrap, topic, 'py-2', 'a', '3']);
    await python(['abort-then-commit', dev.bootstrap, topic, 'py-3', 'x', '3']);
    expect(await read(topic, 'read_committed')).toEqual([...range('c', 3), ...range('x-c', 3)]);
    expect(await read(topic, 'read_uncommitted')).toEqual([
      ...range('c', 3),
      ...range('a', 3),
      ...range('x-a', 3),
      ...range('x-c', 3),
    ]);
    const { stable, high } = await ends(topic);
    expect(stable).toBe(high);
  });

  it('a zombie is fenced: the new producer commits, the old one is refused and its records are never committed', async () => {
    const topic = 'py-zombie';
    await createTopics(topic);
    const run = await python(['zombie', dev.bootstrap, topic, 'py-zombie', 'z', '3']);
    const refused = run.events().find((e) => e.event === 'old-refused');
    expect(refused?.code).toMatch(/FENCED/);
    expect(await read(topic, 'read_committed')).toEqual(range('z-new', 3));
  });

  it('a transaction left open times out: the coordinator aborts it, the LSO moves, the late commit is refused', async () => {
    const topic = 'py-timeout';
    await createTopics(topic);
    const client = new PythonClient('transactional_client.py', [
      'hold',
      dev.bootstrap,
      topic,
      'py-hold',
      'h',
      '3',
      '2000',
    ]);
    await waitFor(() => client.events().some((e) => e.event === 'produced'), { timeoutMs: 60_000, what: 'produced' });
    expect((await ends(topic)).stable).toBe(0n);
    // The abort marker closes the transaction: the last stable offset reaches the end.
    await waitFor(
      async () => {
        const { stable, high } = await ends(topic);
        return high > 3n && stable === high;
      },
      { timeoutMs: 30_000, what: 'the timed-out transaction to be aborted' },
    );
    client.writeLine('commit');
    expect(await client.exited, client.stderr).toBe(0);
    expect(client.events().find((e) => e.event === 'refused')).toBeDefined();
    expect(await read(topic, 'read_committed')).toEqual([]);
    expect(await read(topic, 'read_uncommitted')).toEqual(range('h', 3));
  });

  it('read-process-write: the copy and the consumer offsets commit together', async () => {
    const [input, output, group] = ['py-in', 'py-out', 'py-copier'];
    await createTopics(input, output);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, acks: -1, messages: range('in', 4).map((value) => ({ value })) });
    await producer.disconnect();
    await python(['copy', dev.bootstrap, output, 'py-copy', input, group, '4']);
    expect(await read(output, 'read_committed')).toEqual(range('IN', 4));
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('4');
  });
});

describe('transactions: kafkajs', () => {
  it('commit, abort, then commit; sendOffsets commits the group offset with the transaction', async () => {
    const topic = 'js-txn';
    const group = 'js-copier';
    await createTopics(topic);
    const producer = kafka.producer({ transactionalId: 'js-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const first = await producer.transaction();
    await first.send({ topic, messages: range('c', 2).map((value) => ({ value, partition: 0 })) });
    await first.commit();
    const second = await producer.transaction();
    await second.send({ topic, messages: range('a', 2).map((value) => ({ value, partition: 0 })) });
    await second.abort();
    const third = await producer.transaction();
    await third.send({ topic, messages: range('d', 2).map((value) => ({ value, partition: 0 })) });
    await third.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic, partitions: [{ partition: 0, offset: '2' }] }],
    });
    await third.commit();
    await producer.disconnect();

    expect(await read(topic, 'read_committed')).toEqual([...range('c', 2), ...range('d', 2)]);
    expect(await read(topic, 'read_uncommitted')).toEqual([...range('c', 2), ...range('a', 2), ...range('d', 2)]);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('2');
  });

  it('a second producer with the same transactional id fences the first', async () => {
    const topic = 'js-zombie';
    await createTopics(topic);
    const old = kafka.producer({ transactionalId: 'js-zombie', idempotent: true, maxInFlightRequests: 1 });
    await old.connect();
    const oldTxn = await old.transaction();
    await oldTxn.send({ topic, messages: [{ value: 'old', partition: 0 }] });
    const fresh = kafka.producer({ transactionalId: 'js-zombie', idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    const freshTxn = await fresh.transaction();
    await freshTxn.send({ topic, messages: [{ value: 'new', partition: 0 }] });
    await freshTxn.commit();
    await expect(oldTxn.commit()).rejects.toThrow(/epoch|fenced/i);
    await Promise.all([old.disconnect(), fresh.disconnect()]);
    expect(await read(topic, 'read_committed')).toEqual(['new']);
  });
});

describe('transactions: @platformatic/kafka', () => {
  function producer(transactionalId: string, timeout?: number): PlatformaticProducer<string, string, string, string> {
    return new PlatformaticProducer({
      clientId: transactionalId,
      bootstrapBrokers: [dev.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      transactionalId,
      ...(timeout === undefined ? {} : { timeout }),
    });
  }

  it('commit, abort, then commit again with the same producer', async () => {
    const topic = 'plt-txn';
    await createTopics(topic);
    const p = producer('plt-1');
    try {
      for (const [prefix, commit] of [
        ['c', true],
        ['a', false],
        ['d', true],
      ] as const) {
        const txn = await p.beginTransaction();
        await txn.send({ messages: range(prefix, 2).map((value) => ({ topic, partition: 0, value })) });
        if (commit) await txn.commit();
        else await txn.abort();
      }
    } finally {
      await p.close();
    }
    expect(await read(topic, 'read_committed')).toEqual([...range('c', 2), ...range('d', 2)]);
    expect(await read(topic, 'read_uncommitted')).toEqual([...range('c', 2), ...range('a', 2), ...range('d', 2)]);
  });

  it("read-process-write: a group consumer's offsets are committed with the copies", async () => {
    const [input, output, group] = ['plt-in', 'plt-out', 'plt-copier'];
    await createTopics(input, output);
    const feeder = kafka.producer();
    await feeder.connect();
    await feeder.send({ topic: input, acks: -1, messages: range('in', 3).map((value) => ({ value, partition: 0 })) });
    await feeder.disconnect();
    const consumer = new Consumer({
      groupId: group,
      clientId: 'plt-copier',
      bootstrapBrokers: [dev.bootstrap],
      deserializers: stringDeserializers,
    });
    const p = producer('plt-copy');
    try {
      const stream = await consumer.consume({
        topics: [input],
        mode: 'earliest',
        autocommit: false,
        sessionTimeout: 6000,
        heartbeatInterval: 500,
        maxWaitTime: 200,
      });
      const txn = await p.beginTransaction();
      await txn.addConsumer(consumer);
      let copied = 0;
      for await (const message of stream) {
        await txn.send({ messages: [{ topic: output, partition: 0, value: message.value.toUpperCase() }] });
        await txn.addOffset(message);
        if (++copied === 3) break;
      }
      await txn.commit();
      await stream.close();
    } finally {
      await consumer.close(true);
      await p.close();
    }
    expect(await read(output, 'read_committed')).toEqual(range('IN', 3));
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('3');
  });

  // @platformatic/kafka sends InitProducerId v3+ with producer id 0 and epoch 0 when it has none, which Kafka
  // (and Runnel) read as KIP-360 "I am producer 0": a second @platformatic/kafka producer of an existing id is
  // fenced itself unless that id's producer id is 0. So the newer producer here is kafkajs, which asks afresh.
  it('a zombie is fenced by a new producer with its transactional id; a transaction left open times out', async () => {
    const topic = 'plt-zombie';
    await createTopics(topic);
    const old = producer('plt-zombie');
    const fresh = kafka.producer({ transactionalId: 'plt-zombie', idempotent: true, maxInFlightRequests: 1 });
    const slow = producer('plt-slow', 3_000);
    try {
      const oldTxn = await old.beginTransaction();
      await oldTxn.send({ messages: [{ topic, partition: 0, value: 'old' }] });
      await fresh.connect();
      const freshTxn = await fresh.transaction();
      await freshTxn.send({ topic, messages: [{ value: 'new', partition: 0 }] });
      await freshTxn.commit();
      await expect(oldTxn.commit()).rejects.toThrow();

      const held = await slow.beginTransaction();
      await held.send({ messages: [{ topic, partition: 0, value: 'held' }] });
      // The coordinator aborts it after 3 s: the last stable offset reaches the end.
      await waitFor(
        async () => {
          const { stable, high } = await ends(topic);
          return high >= 5n && stable === high;
        },
        { timeoutMs: 30_000, what: 'the timed-out transaction to be aborted' },
      );
      await expect(held.commit()).rejects.toThrow();
    } finally {
      await Promise.all([old.close(), fresh.disconnect(), slow.close()]);
    }
    expect(await read(topic, 'read_committed')).toEqual(['new']);
    expect(await read(topic, 'read_uncommitted')).toEqual(['old', 'new', 'held']);
  });
});
