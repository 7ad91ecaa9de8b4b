/**
 * `runnel transactions` against a real broker (a dev node in this process,
 * real sockets and files; the CLI as a child process). A hand-built
 * transactional batch, written an hour ago by its timestamp, opens a
 * transaction that no coordinator knows (the coordinator runtime is not
 * wired here: every broker lists no transactional id), as a producer killed
 * mid-transaction leaves one: describe-producers shows it, find-hanging
 * finds it, abort ends it with an ABORT marker, and the last stable offset
 * moves to the high watermark.
 */
import { KafkaClient } from '@runnel/client';
import { ApiKeys, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './dev-cluster.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

const topic = 'txn-topic';
const hourMs = 3_600_000;
let cluster: TestCluster;
let bootstrap: string;
let client: KafkaClient;

beforeAll(async () => {
  // A hand-built abandoned transaction no coordinator knows: KIP-890 verification off.
  cluster = await startTestCluster(1, { transactionPartitionVerification: false });
  bootstrap = cluster.bootstrap;
  client = await KafkaClient.connect({ bootstrap, clientId: 'transactions-test' });
  const [created] = await client.createTopics([{ name: topic, numPartitions: 1 }]);
  expect(created?.errorCode).toBe(ErrorCode.NONE);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

function runnel(args: readonly string[]): Promise<RunResult> {
  return runRunnel(args, { bootstrap });
}

function batch(options: { producerId: bigint; transactional: boolean; timestampMs: bigint }, ...values: string[]) {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: options.timestampMs,
    producerId: options.producerId,
    producerEpoch: 3,
    baseSequence: 0,
    transactional: options.transactional,
  });
}

/** ListOffsets latest with read_committed: the partition's last stable offset. */
async function lastStableOffset(): Promise<bigint> {
  const connection = await client.anyConnection();
  const response = await connection.request(ApiKeys.ListOffsets, {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  const p = response.topics[0]?.partitions[0];
  expect(p?.errorCode).toBe(ErrorCode.NONE);
  return p?.offset ?? -1n;
}

async function txnMetrics(): Promise<Record<string, number>> {
  const text = await cluster.metrics();
  const out: Record<string, number> = {};
  const pattern = /^(kafka_partition_[a-z_]+)\{topic="([^"]*)",partition="(\d+)"\} (\S+)$/gm;
  for (const m of text.matchAll(pattern)) if (m[2] === topic) out[m[1] ?? ''] = Number(m[4]);
  return out;
}

describe('runnel transactions', () => {
  it('describe-producers shows an abandoned transaction, find-hanging finds it, abort ends it and the LSO moves', async () => {
    const anHourAgo = BigInt(Date.now() - hourMs);
    await client.produce(topic, 0, batch({ producerId: 7n, transactional: false, timestampMs: anHourAgo }, 'plain'), {
      acks: -1,
    });
    await client.produce(topic, 0, batch({ producerId: 9n, transactional: true, timestampMs: anHourAgo }, 'a', 'b'), {
      acks: -1,
      transactionalId: 'abandoned',
    });
    expect(await lastStableOffset()).toBe(1n);
    const open = await txnMetrics();
    expect(open).toMatchObject({
      kafka_partition_open_transactions: 1,
      kafka_partition_last_stable_offset_lag: 2,
      kafka_partition_producer_state_producers: 2,
    });
    expect(open.kafka_partition_last_stable_offset_lag_seconds).toBeGreaterThanOrEqual(3600);

    const producers = await runnel(['transactions', 'describe-producers', '--topic', topic]);
    expect(producers.code, producers.stderr).toBe(0);
    expect(producers.stdout.split('\n')[0]).toMatch(
      /^TOPIC\s+PARTITION\s+PRODUCER-ID\s+PRODUCER-EPOCH\s+COORDINATOR-EPOCH\s+LAST-SEQUENCE\s+LAST-TIMESTAMP\s+CURRENT-TXN-START-OFFSET$/,
    );
    expect(producers.stdout).toMatch(new RegExp(`^${topic}\\s+0\\s+9\\s+3\\s+-1\\s+1\\s+\\S+\\s+1$`, 'm'));
    expect(producers.stdout).toMatch(new RegExp(`^${topic}\\s+0\\s+7\\s+3\\s+-1\\s+0\\s+\\S+\\s+-$`, 'm'));

    // Open for an hour: hanging at the default 15 minutes, not when transactions may last two hours.
    const patient = await runnel(['transactions', 'find-hanging', '--max-transaction-timeout', '120']);
    expect([patient.code, patient.stdout]).toEqual([0, 'No hanging transactions.\n']);
    const found = await runnel(['transactions', 'find-hanging', '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout)).toEqual([
      expect.objectContaining({
        topic,
        partition: 0,
        producerId: '9',
        producerEpoch: 3,
        startOffset: '1',
        transactionalId: null,
        reason: 'no coordinator knows the producer id',
      }),
    ]);
    const table = await runnel(['transactions', 'find-hanging', '--topic', topic, '--partition', '0']);
    expect(table.stdout).toMatch(new RegExp(`^${topic}\\s+0\\s+9\\s+3\\s+-1\\s+1\\s`, 'm'));

    const wrongOffset = await runnel([
      'transactions',
      'abort',
      '--topic',
      topic,
      '--partition',
      '0',
      '--start-offset',
      '0',
    ]);
    expect(wrongOffset.code).toBe(1);
    expect(wrongOffset.stderr).toMatch(/no open transaction starts at offset 0/);

    const aborted = await runnel([
      'transactions',
      'abort',
      '--topic',
      topic,
      '--partition',
      '0',
      '--start-offset',
      '1',
    ]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(aborted.stdout).toMatch(/^Aborted the transaction of producer 9 \(epoch 3\) starting at offset 1/);
    // The marker takes offset 3: everything below the high watermark is decided.
    expect(await lastStableOffset()).toBe(4n);
    expect(await txnMetrics()).toMatchObject({
      kafka_partition_open_transactions: 0,
      kafka_partition_last_stable_offset_lag: 0,
      kafka_partition_last_stable_offset_lag_seconds: 0,
    });
    const after = await runnel(['transactions', 'describe-producers', '--topic', topic, '--partition', '0', '--json']);
    const [partition] = JSON.parse(after.stdout) as {
      producers: { producerId: string; currentTxnStartOffset: string | null; coordinatorEpoch: number }[];
    }[];
    expect(partition?.producers.find((p) => p.producerId === '9')).toMatchObject({
      currentTxnStartOffset: null,
      coordinatorEpoch: 0,
    });
    const none = await runnel(['transactions', 'find-hanging']);
    expect([none.code, none.stdout]).toEqual([0, 'No hanging transactions.\n']);
  });

  it('list answers no ids while no coordinator runs here; describe-producers of an unknown topic fails with its code', async () => {
    const listed = await runnel(['transactions', 'list']);
    expect([listed.code, listed.stdout]).toEqual([0, 'No transactional ids.\n']);
    const json = await runnel(['transactions', 'list', '--json', '--state', 'Ongoing', '--producer-id', '9']);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, []]);
    const unknown = await runnel(['transactions', 'describe-producers', '--topic', 'no-such-topic']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('--help answers for every subcommand', async () => {
    for (const sub of ['list', 'describe', 'describe-producers', 'find-hanging', 'abort']) {
      const help = await runnel(['transactions', sub, '--help']);
      expect(help.code, sub).toBe(0);
      expect(help.stdout, sub).toMatch(new RegExp(`^Usage: runnel transactions ${sub} \\[options\\]`));
    }
  });
});
