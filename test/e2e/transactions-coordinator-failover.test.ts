/**
 * Transaction coordinator failover on a real 3-broker cluster: the broker
 * that coordinates a transactional id is kill -9ed (1) right after a commit
 * was answered, while its markers may still be on their way, and (2) while a
 * transaction is open. The new leader of the id's `__transaction_state`
 * partition loads it, finishes what was prepared (every committed record
 * becomes readable by read_committed readers) and serves the producer, whose
 * open transaction can still be committed; nothing aborted or open is ever
 * read committed, nothing committed is lost.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { kcatReadValues } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'txn-failover';
const partitions = 3;
const transactionalId = 'failover';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
});

afterAll(async () => {
  await cluster?.stop();
});

function readCommitted(): Promise<string[]> {
  return kcatReadValues({ bootstrap: cluster.bootstrap(), topic, partitions, isolation: 'read_committed' });
}

/** The broker FindCoordinator names for the transactional id, asked of a running broker. */
async function coordinator(): Promise<number> {
  const via = cluster.ids('broker', { running: true })[0] ?? 1;
  const client = await ProtocolClient.connect(cluster.ports('broker', via).kafka);
  try {
    const answer = await client.request(10, 1, { key: transactionalId, keyType: 1 });
    return answer.errorCode === 0 ? (answer.nodeId ?? -1) : -1;
  } finally {
    client.close();
  }
}

describe('transaction coordinator failover', () => {
  it('a killed coordinator’s successor completes the committed transaction and serves the open one', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'txn-failover',
      logLevel: logLevel.NOTHING,
      retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values = (t: string) => Array.from({ length: partitions }, (_, p) => `${t}-p${p}`);

    const first = await producer.transaction();
    await first.send({ topic, messages: values('first').map((value, p) => ({ value, partition: p })) });
    await first.commit();
    // The commit is decided (PrepareCommit is replicated); its markers may not all be written yet.
    const before = await waitFor(async () => {
      const id = await coordinator();
      return id > 0 ? id : undefined;
    });
    await cluster.kill('broker', before);
    const after = await waitFor(
      async () => {
        const id = await coordinator();
        return id > 0 && id !== before ? id : undefined;
      },
      { timeoutMs: 30_000, what: 'a new transaction coordinator' },
    );
    expect(after).not.toBe(before);
    await waitFor(async () => (await readCommitted()).length === partitions, {
      timeoutMs: 30_000,
      what: 'the first transaction to be readable',
    });

    // An open transaction when the coordinator dies: the producer finds the next one and commits.
    const second = await producer.transaction();
    await second.send({ topic, messages: values('second').map((value, p) => ({ value, partition: p })) });
    await cluster.restart('broker', before);
    // Back in every ISR first, so the third broker alone is never all that is left of a partition.
    await waitFor(
      async () => {
        const via = cluster.ids('broker', { running: true }).find((id) => id !== before) ?? 1;
        const all = [
          ...((await cluster.metadata(via, topic)).topics[0]?.partitions ?? []),
          ...((await cluster.metadata(via, '__transaction_state')).topics[0]?.partitions ?? []),
        ];
        return all.length > partitions && all.every((p) => p.isrs.includes(before));
      },
      { timeoutMs: 60_000, what: `broker ${before} back in every ISR` },
    );
    await cluster.kill('broker', after);
    await second.commit();
    await producer.disconnect();
    await waitFor(async () => (await readCommitted()).length === 2 * partitions, {
      timeoutMs: 30_000,
      what: 'the second transaction to be readable',
    });
    expect(await readCommitted()).toEqual([...values('first'), ...values('second')].sort());
  });
});
