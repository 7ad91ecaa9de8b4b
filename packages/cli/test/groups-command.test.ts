import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient } from '@runnel/client';
import { encodeRecordBatchSync } from '@runnel/protocol';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev } from '../src/commands/dev.ts';
import { eventually } from './dev-cluster.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

const topic = 'lag-topic';
let dataDir: string;
let dev: Awaited<ReturnType<typeof startDev>>;
let bootstrap: string;
let client: KafkaClient;
let kafka: Kafka;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'runnel-groups-test-'));
  dev = await startDev({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    logLevel: 'silent',
    partitions: 1,
    autoCreateTopics: true,
    // The lag test hand-builds a transaction no coordinator knows: KIP-890 verification off.
    transactionPartitionVerification: false,
    flushMessages: Number.MAX_SAFE_INTEGER,
    // Groups join at once: no test waits out the 3 s a first join holds for more members.
    groupInitialRebalanceDelayMs: 0,
  });
  bootstrap = `127.0.0.1:${dev.broker.port}`;
  client = await KafkaClient.connect({ bootstrap, clientId: 'groups-test' });
  kafka = new Kafka({ brokers: [bootstrap], clientId: 'groups-test-consumer', logLevel: logLevel.NOTHING });
  const [created] = await client.createTopics([{ name: topic, numPartitions: 2 }]);
  expect(created?.errorCode).toBe(0);
  await produce(0, 10);
  await produce(1, 6);
});

afterAll(async () => {
  client?.close();
  await dev?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function produce(partition: number, count: number): Promise<void> {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) }));
  await client.produce(topic, partition, records, { acks: -1 });
}

function runnel(args: readonly string[]): Promise<RunResult> {
  return runRunnel(args, { bootstrap });
}

/** `describe`'s table rows for the topic, as column arrays keyed by partition. */
function lagRows(stdout: string): Map<number, string[]> {
  const rows = new Map<number, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s+/);
    if (cells[1] === topic) rows.set(Number(cells[2]), cells);
  }
  return rows;
}

/** Columns CURRENT-OFFSET, LOG-END-OFFSET, LAG of one partition. */
function offsets(stdout: string, partition: number): string[] {
  return lagRows(stdout).get(partition)?.slice(3, 6) ?? [];
}

async function lagMetrics(group: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${dev.broker.httpPort}/metrics`)).text();
  const out = new Map<string, number>();
  const pattern = /^(kafka_consumergroup_(?:lag|current_offset))\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(pattern)) {
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.group === group) out.set(`${m[1]}:${labels.topic}-${labels.partition}`, Number(m[3]));
  }
  return out;
}

describe('runnel groups', () => {
  it('describe shows lag = produced - committed while a kafkajs group consumes and after it stops; list, delete and reset-offsets follow the group state', async () => {
    const group = 'lag-group';
    const consumer: Consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    await consumer.run({
      autoCommit: false,
      eachMessage: async () => {
        consumed++;
      },
    });
    try {
      await eventually(
        async () => consumed,
        (n) => n === 16,
      );
      // Commit a position short of the end on partition 0 and the end on partition 1.
      await consumer.commitOffsets([
        { topic, partition: 0, offset: '4' },
        { topic, partition: 1, offset: '6' },
      ]);
      const active = await eventually(
        () => runnel(['groups', 'describe', group]),
        (r) => offsets(r.stdout, 0)[0] === '4' && lagRows(r.stdout).get(0)?.[6] !== '-',
      );
      expect(active.code).toBe(0);
      expect(offsets(active.stdout, 0)).toEqual(['4', '10', '6']);
      expect(offsets(active.stdout, 1)).toEqual(['6', '6', '0']);
      expect(active.stdout.split('\n')[0]).toMatch(
        /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID$/,
      );
      // One member owns both partitions: its id and client id are on both rows.
      const row0 = lagRows(active.stdout).get(0) ?? [];
      expect(row0[8]).toBe('groups-test-consumer');
      expect(lagRows(active.stdout).get(1)?.[6]).toBe(row0[6]);

      // More records arrive while the commit stays: the log end and the lag grow; the metric agrees.
      await produce(0, 5);
      const grown = await runnel(['groups', 'describe', group]);
      expect(offsets(grown.stdout, 0)).toEqual(['4', '15', '11']);
      expect(await lagMetrics(group)).toEqual(
        new Map([
          [`kafka_consumergroup_lag:${topic}-0`, 11],
          [`kafka_consumergroup_lag:${topic}-1`, 0],
          [`kafka_consumergroup_current_offset:${topic}-0`, 4],
          [`kafka_consumergroup_current_offset:${topic}-1`, 6],
        ]),
      );

      const listed = await runnel(['groups', 'list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^GROUP\s+STATE\s+PROTOCOL-TYPE\s+COORDINATOR$/m);
      expect(listed.stdout).toMatch(new RegExp(`^${group}\\s+Stable\\s+consumer\\s+1$`, 'm'));

      const deleteActive = await runnel(['groups', 'delete', group]);
      expect(deleteActive.code).toBe(1);
      expect(deleteActive.stderr).toMatch(/^runnel: NON_EMPTY_GROUP: .*stop its consumers/);

      const resetActive = await runnel(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest']);
      expect(resetActive.code).toBe(1);
      expect(resetActive.stderr).toMatch(/is Stable with 1 member\(s\).*stop its consumers first/);
    } finally {
      await consumer.disconnect();
    }

    // After the consumer left: Empty, the commits and the lag stay, nobody owns a partition.
    const stopped = await eventually(
      () => runnel(['groups', 'describe', group]),
      (r) => r.stdout.includes('has no active members'),
    );
    expect(offsets(stopped.stdout, 0)).toEqual(['4', '15', '11']);
    expect(lagRows(stopped.stdout).get(0)?.slice(6)).toEqual(['-', '-', '-']);

    // Dry run prints the plan and commits nothing.
    const dry = await runnel(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trimEnd().split('\n')).toEqual([
      'GROUP     TOPIC     PARTITION NEW-OFFSET',
      `${group} ${topic} 0         0`,
      `${group} ${topic} 1         0`,
    ]);
    expect(dry.stderr).toMatch(/Dry run: nothing was committed.*--execute/);
    expect(offsets((await runnel(['groups', 'describe', group])).stdout, 0)[0]).toBe('4');

    // Execute commits it.
    const executed = await runnel(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '--execute']);
    expect(executed.code).toBe(0);
    const reset = await runnel(['groups', 'describe', group]);
    expect(offsets(reset.stdout, 0)).toEqual(['0', '15', '15']);
    expect(offsets(reset.stdout, 1)).toEqual(['0', '6', '6']);

    // Shift one partition from its committed offset; shift past the end is clamped to the log end.
    const shifted = await runnel([
      'groups',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--partition',
      '1',
      '--shift-by',
      '3',
      '--execute',
    ]);
    expect(shifted.code).toBe(0);
    const clamped = await runnel([
      'groups',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--partition',
      '0',
      '--to-offset',
      '999',
      '--execute',
    ]);
    expect(clamped.code).toBe(0);
    const afterShift = await runnel(['groups', 'describe', group]);
    expect(offsets(afterShift.stdout, 1)).toEqual(['3', '6', '3']);
    expect(offsets(afterShift.stdout, 0)).toEqual(['15', '15', '0']);
    // Back by 5 with a negative shift, and a date-time in the future means the log end.
    expect(
      (
        await runnel([
          'groups',
          'reset-offsets',
          group,
          '--topic',
          topic,
          '--partition',
          '0',
          '--shift-by',
          '-5',
          '--execute',
        ])
      ).code,
    ).toBe(0);
    expect(offsets((await runnel(['groups', 'describe', group])).stdout, 0)).toEqual(['10', '15', '5']);
    const future = await runnel([
      'groups',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--to-datetime',
      '2999-01-01T00:00:00Z',
    ]);
    expect(future.stdout).toMatch(new RegExp(`^${group}\\s+${topic}\\s+0\\s+15$`, 'm'));
    expect(future.stdout).toMatch(new RegExp(`^${group}\\s+${topic}\\s+1\\s+6$`, 'm'));

    // An empty group can be deleted; then it is gone.
    const deleted = await runnel(['groups', 'delete', group]);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted consumer group '${group}'.\n` });
    const gone = await runnel(['groups', 'describe', group]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/consumer group 'lag-group' does not exist; `runnel groups list`/);
    expect((await runnel(['groups', 'list'])).stdout).not.toMatch(/^lag-group\s/m);
  });

  it('reset-offsets without exactly one scenario, or with a bad date, exits 1 naming the fix', async () => {
    const none = await runnel(['groups', 'reset-offsets', 'g', '--topic', topic]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /give exactly one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime/,
    );
    const two = await runnel(['groups', 'reset-offsets', 'g', '--topic', topic, '--to-earliest', '--to-latest']);
    expect(two.code).toBe(1);
    const badDate = await runnel(['groups', 'reset-offsets', 'g', '--topic', topic, '--to-datetime', 'yesterday']);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toMatch(/not a date-time; use ISO 8601/);
  });

  it('reset-offsets on an unknown topic or partition, and delete of an unknown group, exit 1 with the reason', async () => {
    const noTopic = await runnel(['groups', 'reset-offsets', 'g', '--topic', 'no-such-topic', '--to-latest']);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toMatch(/UNKNOWN_TOPIC_OR_PARTITION/);
    const noPartition = await runnel([
      'groups',
      'reset-offsets',
      'g',
      '--topic',
      topic,
      '--partition',
      '7',
      '--to-latest',
    ]);
    expect(noPartition.code).toBe(1);
    expect(noPartition.stderr).toMatch(/has no partition 7 \(it has 2\)/);
    const noGroup = await runnel(['groups', 'delete', 'never-existed']);
    expect(noGroup.code).toBe(1);
    expect(noGroup.stderr).toMatch(/GROUP_ID_NOT_FOUND: consumer group 'never-existed' does not exist/);
  });

  it('describe and the lag metric count data records only: a transactional partition read to its end has lag 0', async () => {
    const txnTopic = 'txn-lag-topic';
    const group = 'txn-lag-group';
    const [created] = await client.createTopics([{ name: txnTopic, numPartitions: 1 }]);
    expect(created?.errorCode).toBe(0);
    const partition = await eventually(
      async () => dev.broker.hostedPartition(txnTopic, 0),
      (p) => p?.role === 'leader',
    );
    if (partition === undefined) throw new Error('the broker leads the partition');
    const txnBatch = (seq: number, count: number) =>
      encodeRecordBatchSync({
        records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`t${seq + i}`) })),
        producerId: 77n,
        producerEpoch: 0,
        baseSequence: seq,
        transactional: true,
      });
    // Data 0-2, commit marker 3, data 4-5, abort marker 6: log end 7, of which 5 are data records.
    await client.produce(txnTopic, 0, txnBatch(0, 3), { acks: -1, transactionalId: 'lag-txn' });
    expect(
      await partition.writeTxnMarker(77n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 }),
    ).toMatchObject({ ok: true, value: { offset: 3n } });
    await client.produce(txnTopic, 0, txnBatch(3, 2), { acks: -1, transactionalId: 'lag-txn' });
    expect(
      await partition.writeTxnMarker(77n, 0, 0, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 }),
    ).toMatchObject({ ok: true, value: { offset: 6n } });
    await eventually(
      async () => partition.highWatermark,
      (hw) => hw === 7n,
    );
    const lagAt = async (offset: number): Promise<{ shown: string[]; metric: number | undefined }> => {
      const reset = await runnel([
        'groups',
        'reset-offsets',
        group,
        '--topic',
        txnTopic,
        '--to-offset',
        String(offset),
        '--execute',
      ]);
      expect(reset.code).toBe(0);
      const described = await runnel(['groups', 'describe', group]);
      const row = described.stdout.split('\n').find((line) => line.trim().split(/\s+/)[1] === txnTopic);
      const shown = row?.trim().split(/\s+/).slice(3, 6) ?? [];
      return { shown, metric: (await lagMetrics(group)).get(`kafka_consumergroup_lag:${txnTopic}-0`) };
    };
    // Committed at the abort marker (last data + 1) or past it: caught up.
    expect(await lagAt(6)).toEqual({ shown: ['6', '7', '0'], metric: 0 });
    expect(await lagAt(7)).toEqual({ shown: ['7', '7', '0'], metric: 0 });
    // From the commit marker: records 4 and 5 are left, the two markers are not lag.
    expect(await lagAt(3)).toEqual({ shown: ['3', '7', '2'], metric: 2 });
    expect(await lagAt(0)).toEqual({ shown: ['0', '7', '5'], metric: 5 });
  });

  it('--help of each subcommand answers and exits 0', async () => {
    for (const sub of ['list', 'describe', 'delete', 'reset-offsets']) {
      const help = await runnel(['groups', sub, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: runnel groups /);
    }
    expect((await runnel(['groups', 'reset-offsets', '--help'])).stdout).toMatch(/--execute/);
  });
});
