/**
 * Transactions end to end: a real `runnel dev` process and a kafkajs
 * transactional producer (FindCoordinator for its transactional id creates
 * `__transaction_state`, InitProducerId, AddPartitionsToTxn, transactional
 * Produce, EndTxn; the coordinator writes the markers). Three transactions
 * over two partitions — committed, aborted, committed — then a
 * read_committed consumer receives exactly the committed records and a
 * read_uncommitted one every record. The coordinator's gauges count the id
 * and the 50 `__transaction_state` partitions this only broker leads;
 * DescribeConfigs reports the transaction configs.
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

async function consume(kafka: Kafka, readUncommitted: boolean, count: number) {
  const consumer = kafka.consumer({ groupId: `txn-${readUncommitted}`, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
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
});
