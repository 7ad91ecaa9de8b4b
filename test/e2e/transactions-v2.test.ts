/**
 * Transaction version 2 (KIP-890 part 2) on a real 3-broker cluster, with
 * Runnel's own version 2 producer (@runnel/client TransactionalProducer,
 * which sends what Kafka's Java producer sends once a broker finalizes
 * transaction.version 2: Produce v12, TxnOffsetCommit v5, EndTxn v5, and no
 * AddPartitionsToTxn / AddOffsetsToTxn). Partition leaders spread over the
 * brokers, so most implicit adds reach the coordinator over gRPC.
 *
 * - Commits and aborts across every partition, with offsets sent to the
 *   transaction: read_committed readers see exactly the committed records,
 *   the group's committed offset is the last committed transaction's, and
 *   every end raises the producer epoch by one.
 * - The 2024 Jepsen anomaly: an EndTxn and a Produce of an earlier
 *   transaction, replayed while the producer's next transaction is open,
 *   are fenced, and neither ends nor joins it.
 */
import {
  askCoordinator,
  CoordinatorKeyType,
  GroupAdmin,
  KafkaClient,
  KafkaError,
  TransactionalProducer,
} from '@runnel/client';
import { ApiKeys, ErrorCode, encodeRecordBatch } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { kcatReadValues } from '../harness/kcat.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'tv2';
const sourceTopic = 'tv2-source';
const partitions = 6;
const group = 'tv2-copier';
let cluster: TestCluster;
let client: KafkaClient;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
  client = await KafkaClient.connect({
    bootstrap: cluster.bootstrap(),
    clientId: 'tv2',
    allowAutoTopicCreation: false,
  });
  const created = await client.createTopics([
    { name: topic, numPartitions: partitions, replicationFactor: 3 },
    { name: sourceTopic, numPartitions: 1, replicationFactor: 3 },
  ]);
  expect(created.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  await waitFor(
    async () => {
      const found = (await cluster.metadata(1, topic)).topics.find((t) => t.topic === topic);
      const leaders = found?.partitions.map((p) => p.leader) ?? [];
      return leaders.length === partitions && leaders.every((l) => l > 0) && new Set(leaders).size > 1;
    },
    { what: 'leaders on more than one broker for every partition' },
  );
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

function readAll(isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  return kcatReadValues({ bootstrap: cluster.bootstrap(), topic, partitions, isolation });
}

async function transactionCoordinator(transactionalId: string) {
  const any = await client.anyConnection();
  const found = await waitFor(
    async () => {
      const r = await askCoordinator(any, CoordinatorKeyType.transaction, transactionalId);
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    },
    { what: `the coordinator of ${transactionalId}` },
  );
  return client.connectionTo({ host: found.host, port: found.port });
}

describe('transaction version 2', () => {
  it('commits and aborts with offsets, raising the epoch at every end; read_committed sees exactly the commits', async () => {
    const producer = await TransactionalProducer.init(client, { transactionalId: 'tv2-commits' });
    const first = producer.producer;
    const committed: string[] = [];
    const all: string[] = [];
    for (let t = 0; t < 6; t++) {
      const commit = t % 3 !== 1;
      const values = Array.from({ length: partitions }, (_, p) => `t${t}-p${p}-${commit ? 'c' : 'a'}`);
      await Promise.all(values.map((value, p) => producer.send(topic, p, [{ key: null, value: Buffer.from(value) }])));
      await producer.sendOffsets(group, [{ topic: sourceTopic, partition: 0, offset: BigInt(t + 1) }]);
      if (commit) await producer.commit();
      else await producer.abort();
      expect(producer.producer).toEqual({ producerId: first.producerId, producerEpoch: first.producerEpoch + t + 1 });
      all.push(...values);
      if (commit) committed.push(...values);
    }
    await waitFor(async () => (await readAll('read_committed')).length === committed.length, {
      timeoutMs: 30_000,
      what: 'every committed record to be readable',
    });
    expect(await readAll('read_committed')).toEqual(committed.sort());
    expect(await readAll('read_uncommitted')).toEqual(all.sort());
    // The last transaction (t = 5) committed offset 6; the aborted t = 4 one (offset 5) never counted.
    const offsets = await new GroupAdmin(client).fetchOffsets(group);
    expect(offsets.find((o) => o.topic === sourceTopic && o.partition === 0)?.offset).toBe(6n);
  });

  it('an EndTxn and a Produce of an earlier transaction replayed during the next one are fenced', async () => {
    const transactionalId = 'tv2-replay';
    const producer = await TransactionalProducer.init(client, { transactionalId });
    await producer.send(topic, 0, [{ key: null, value: Buffer.from('replay-first') }]);
    const old = producer.producer;
    await producer.commit();
    // The next transaction is open on partition 1.
    await producer.send(topic, 1, [{ key: null, value: Buffer.from('replay-second') }]);
    expect(producer.producer.producerEpoch).toBe(old.producerEpoch + 1);

    // The first transaction's EndTxn, arriving again: Kafka's transaction version 1 would commit the open one.
    const coordinator = await transactionCoordinator(transactionalId);
    const replayedEnd = await coordinator.request(ApiKeys.EndTxn, {
      transactionalId,
      producerId: old.producerId,
      producerEpoch: old.producerEpoch,
      committed: true,
    });
    expect(replayedEnd.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    // A batch of the first transaction, arriving late at a partition the second has not touched.
    const late = await encodeRecordBatch({
      records: [{ key: null, value: Buffer.from('replay-late') }],
      producerId: old.producerId,
      producerEpoch: old.producerEpoch,
      baseSequence: 1,
      transactional: true,
    });
    const refused = await client.produce(topic, 2, late, { acks: -1, transactionalId, transactionVersion: 2 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(KafkaError);
    expect((refused as KafkaError).code).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);

    await producer.abort();
    await waitFor(async () => (await readAll('read_committed')).includes('replay-first'), {
      timeoutMs: 30_000,
      what: 'the first transaction to be readable',
    });
    const read = await readAll('read_committed');
    expect(read).not.toContain('replay-second');
    expect(read).not.toContain('replay-late');
    expect(await readAll('read_uncommitted')).not.toContain('replay-late');
  });
});
