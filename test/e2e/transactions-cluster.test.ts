/**
 * Transactions across brokers: on a real 3-broker cluster, kafkajs
 * transactions write to a 6-partition RF=3 topic whose leaders are spread
 * over every broker, so the coordinator's markers reach most partitions
 * over the brokers' gRPC (TxnMarkers.Write) and most leaders verify the
 * first batch of each transaction with a coordinator on another broker
 * (TxnMarkers.Verify, KIP-890 part 1). Committed transactions are read back
 * whole by read_committed readers, aborted ones never; read_uncommitted
 * readers see both.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { kcatReadValues } from '../harness/kcat.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'txn-spread';
const partitions = 6;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
});

afterAll(async () => {
  await cluster?.stop();
});

function readAll(isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  return kcatReadValues({ bootstrap: cluster.bootstrap(), topic, partitions, isolation });
}

describe('transactions across brokers', () => {
  it('commits reach every partition leader and aborts are never read committed', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'txn-spread',
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
    await admin.disconnect();
    const leaders = await waitFor(
      async () => {
        const found = (await cluster.metadata(1, topic)).topics.find((t) => t.topic === topic);
        const ls = found?.partitions.map((p) => p.leader) ?? [];
        return ls.length === partitions && ls.every((l) => l > 0) ? ls : undefined;
      },
      { what: 'leaders for every partition' },
    );
    expect(new Set(leaders).size).toBeGreaterThan(1);

    const producer = kafka.producer({ transactionalId: 'spread', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const expectedCommitted: string[] = [];
    const expectedAll: string[] = [];
    for (let t = 0; t < 6; t++) {
      const commit = t % 3 !== 1;
      const values = Array.from({ length: partitions }, (_, p) => `t${t}-p${p}-${commit ? 'c' : 'a'}`);
      const txn = await producer.transaction();
      await txn.send({ topic, messages: values.map((value, p) => ({ value, partition: p })) });
      if (commit) await txn.commit();
      else await txn.abort();
      expectedAll.push(...values);
      if (commit) expectedCommitted.push(...values);
    }
    await producer.disconnect();

    // Every partition's last stable offset reaches its end once the last markers are written.
    await waitFor(async () => (await readAll('read_committed')).length === expectedCommitted.length, {
      timeoutMs: 30_000,
      what: 'every committed record to be readable',
    });
    expect(await readAll('read_committed')).toEqual(expectedCommitted.sort());
    expect(await readAll('read_uncommitted')).toEqual(expectedAll.sort());
  });
});
