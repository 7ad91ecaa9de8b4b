/**
 * Transactions end to end: a real `runnel dev` process and a kafkajs
 * transactional producer (FindCoordinator for its transactional id creates
 * `__transaction_state`, InitProducerId, AddPartitionsToTxn, transactional
 * Produce, EndTxn; the coordinator writes the markers). Three transactions
 * over two partitions — committed, aborted, committed — then a
 * read_committed consumer receives exactly the committed records and a
 * read_uncommitted one every record. The coordinator's gauges count the id
 * and the 50 `__transaction_state` partitions this only broker leads;
 * DescribeConfigs reports the transaction configs. Then fencing: a second
 * producer with the same transactional id aborts the first one's open
 * transaction (its commit fails), and a transaction past its timeout is
 * aborted by the coordinator's timer.
 */
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'payments';
let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.kill('SIGKILL');
});

async function consume(kafka: Kafka, readUncommitted: boolean, count: number, from = topic) {
  const groupId = `txn-${from}-${readUncommitted}`;
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: from, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  await waitFor(() => values.length >= count, { what: `${count} values (readUncommitted ${readUncommitted})` });
  await consumer.disconnect();
  return values;
}

/** How kafkajs (EndTxn v1) reports a fenced producer: PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2. */
const fenced = { type: 'INVALID_PRODUCER_EPOCH' };

const messages = (prefix: string) => [
  { value: `${prefix}-a`, partition: 0 },
  { value: `${prefix}-b`, partition: 1 },
];

describe('transactions with kafkajs', () => {
  it('a read_committed consumer sees the committed transactions only, read_uncommitted sees all', async () => {
    dev = await DevProcess.start();
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'txn-e2e', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const described = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['transaction.max.timeout.ms'] },
        { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['transaction.state.log.num.partitions'] },
      ],
      includeSynonyms: false,
    });
    const brokerConfigs = described.resources.flatMap((r) => r.configEntries.map((e) => [e.configName, e.configValue]));
    expect(Object.fromEntries(brokerConfigs)).toMatchObject({
      'transaction.max.timeout.ms': '900000',
      'transaction.state.log.num.partitions': '50',
    });
    await admin.disconnect();

    const producer = kafka.producer({ transactionalId: 'payments-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const first = await producer.transaction();
    await first.send({ topic, messages: messages('commit1') });
    await first.commit();
    const second = await producer.transaction();
    await second.send({ topic, messages: messages('abort') });
    await second.abort();
    // The last transaction writes after the aborted records on both partitions: reading it means reading past them.
    const third = await producer.transaction();
    await third.send({ topic, messages: messages('commit2') });
    await third.commit();
    await producer.disconnect();

    const committed = await consume(kafka, false, 4);
    expect(committed.sort()).toEqual(['commit1-a', 'commit1-b', 'commit2-a', 'commit2-b']);
    const everything = await consume(kafka, true, 6);
    expect(everything.sort()).toEqual(['abort-a', 'abort-b', 'commit1-a', 'commit1-b', 'commit2-a', 'commit2-b']);

    const metrics = await (await fetch(`http://127.0.0.1:${dev.httpPort}/metrics`)).text();
    expect(metrics).toContain('kafka_coordinator_transaction_ids{state="CompleteCommit"} 1');
    expect(metrics).toContain('kafka_coordinator_transaction_partitions{status="loaded"} 50');
  });

  it('a second producer with the same id fences the first and aborts its open transaction; a timed-out one is aborted', async () => {
    if (dev === undefined) throw new Error('the first test starts the process');
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'txn-fence', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'fenced', numPartitions: 1 },
        { topic: 'slow', numPartitions: 1 },
      ],
    });
    await admin.disconnect();

    const settings = { transactionalId: 'shared-tx', idempotent: true, maxInFlightRequests: 1 };
    const zombie = kafka.producer(settings);
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: 'fenced', messages: [{ value: 'zombie' }] });
    const fresh = kafka.producer(settings);
    await fresh.connect();
    const next = await fresh.transaction();
    await next.send({ topic: 'fenced', messages: [{ value: 'fresh' }] });
    await next.commit();
    await expect(open.commit()).rejects.toMatchObject(fenced);
    await Promise.all([zombie.disconnect(), fresh.disconnect()]);
    // 'fresh' follows 'zombie' in the partition: receiving it means reading past the aborted record.
    expect(await consume(kafka, false, 1, 'fenced')).toEqual(['fresh']);

    const slow = kafka.producer({ ...settings, transactionalId: 'slow-tx', transactionTimeout: 1000 });
    await slow.connect();
    const late = await slow.transaction();
    await late.send({ topic: 'slow', messages: [{ value: 'late' }] });
    const metrics = () => fetch(`http://127.0.0.1:${dev?.httpPort}/metrics`).then((r) => r.text());
    await waitFor(
      async () => (await metrics()).includes('kafka_coordinator_transaction_ids{state="CompleteAbort"} 1'),
      {
        what: 'the coordinator to abort the timed-out transaction',
      },
    );
    await expect(late.commit()).rejects.toMatchObject(fenced);
    await slow.disconnect();
  });
});
