/**
 * Compaction of a transactional, compacted topic through the broker: an
 * aborted transaction's record is removed by the cleaner (on the retention
 * timer), so neither read_uncommitted nor read_committed readers (kcat,
 * librdkafka) see it, and the committed value it would have shadowed is
 * every reader's latest. Transactional batches go in as Produce v8; the
 * markers through the hosted Partition, as the coordinator writes them.
 */
import { ErrorCode, encodeRecordBatchSync, type ProduceRequest } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { kcat } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'compacted-txn';
let cluster: InProcessCluster;
let client: ProtocolClient;
let bootstrap: string;

beforeAll(async () => {
  // Hand-built transactions no coordinator knows: KIP-890 verification off.
  cluster = await startInProcess({ logRetentionCheckIntervalMs: 100, transactionPartitionVerificationEnable: false });
  bootstrap = `127.0.0.1:${cluster.broker.port}`;
  client = await ProtocolClient.connect(cluster.broker.port);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

function batch(pairs: readonly (readonly [string, string])[], producer?: { id: bigint; seq: number }): Buffer {
  return encodeRecordBatchSync({
    records: pairs.map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v) })),
    ...(producer === undefined
      ? {}
      : { producerId: producer.id, producerEpoch: 0, baseSequence: producer.seq, transactional: true }),
  });
}

async function produce(records: Buffer): Promise<void> {
  const request: ProduceRequest = {
    transactionalId: 'hand-built',
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
  const response = await client.request(0, 8, request);
  expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
}

/** `key=value` per record from the start, read by kcat with `isolation`. */
async function readAll(isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const args = ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n'];
  const out = await kcat([...args, '-X', `isolation.level=${isolation}`]);
  expect(out.code).toBe(0);
  return out.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0);
}

describe('compaction with transactions through the broker', () => {
  it("the cleaner removes an aborted transaction's record, and the committed value it shadowed is every reader's latest", async () => {
    const admin = new Kafka({ brokers: [bootstrap], clientId: 'txn-compaction', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.bytes', value: '2048' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const partition = await waitFor(async () => cluster.broker.hostedPartition(topic, 0), {
      what: 'the broker to host the partition',
    });

    await produce(batch([['k1', 'committed']], { id: 1n, seq: 0 }));
    expect(
      await partition.writeTxnMarker(1n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 }),
    ).toMatchObject({ ok: true });
    await produce(batch([['k1', 'aborted']], { id: 2n, seq: 0 }));
    expect(await partition.writeTxnMarker(2n, 0, 0, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 })).toMatchObject(
      { ok: true },
    );
    // Still in the active segment, which the cleaner never touches: every reader sees it.
    expect(await readAll('read_uncommitted')).toEqual(['k1=committed', 'k1=aborted']);
    expect(await readAll('read_committed')).toEqual(['k1=committed']);
    // Plain padding: each batch outgrows segment.bytes, so the transactions' segment is sealed.
    const padding = 'p'.repeat(100);
    for (let i = 0; i < 3; i++) {
      await produce(batch(Array.from({ length: 20 }, (_, j) => [`pad${j}`, `${padding}${i}`] as const)));
    }

    await waitFor(async () => !(await readAll('read_uncommitted')).includes('k1=aborted'), {
      what: 'the cleaner to remove the aborted record',
      timeoutMs: 30_000,
    });
    for (const isolation of ['read_uncommitted', 'read_committed'] as const) {
      const k1 = (await readAll(isolation)).filter((line) => line.startsWith('k1='));
      expect(k1, isolation).toEqual(['k1=committed']);
    }
  });
});
