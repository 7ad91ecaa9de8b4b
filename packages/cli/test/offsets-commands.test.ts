/**
 * `runnel get-offsets`, `runnel delete-records` and `runnel log-dirs`
 * against a real broker, run as a user runs them, text and --output json.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaClient } from '@runnel/client';
import { encodeRecordBatch } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOffsetJson } from '../src/commands/delete-records.ts';
import { parseTimeSpec } from '../src/commands/get-offsets.ts';
import { toJsonLine } from '../src/output-format.ts';
import { startTestCluster, type TestCluster } from './dev-cluster.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
  expect((await runnel(['topics', 'create', 'cli-offsets', '--partitions', '2'])).code).toBe(0);
  // Ten records on partition 0, one batch each, a second apart from t=1,000,000 ms.
  const client = await KafkaClient.connect({ bootstrap: cluster.bootstrap, clientId: 'offsets-setup' });
  try {
    for (let i = 0; i < 10; i++) {
      const batch = await encodeRecordBatch({
        records: [{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }],
        baseTimestamp: BigInt(1_000_000 + i * 1000),
      });
      await client.produce('cli-offsets', 0, batch, { acks: -1 });
    }
  } finally {
    client.close();
  }
});

afterAll(async () => {
  await cluster?.stop();
});

function runnel(args: readonly string[], stdin?: string): Promise<RunResult> {
  return runRunnel(args, { bootstrap: cluster.bootstrap, ...(stdin === undefined ? {} : { stdin }) });
}

describe('runnel get-offsets', () => {
  it('prints topic:partition:offset for latest (the default) and earliest, every partition', async () => {
    expect(await runnel(['get-offsets', '--topic', 'cli-offsets'])).toMatchObject({
      code: 0,
      stdout: 'cli-offsets:0:10\ncli-offsets:1:0\n',
    });
    expect((await runnel(['get-offsets', '--topic', 'cli-offsets', '--time', 'earliest'])).stdout).toBe(
      'cli-offsets:0:0\ncli-offsets:1:0\n',
    );
  });

  it('by time: the first record at or after it; -1 past the last one; JSON with the timestamp', async () => {
    const at = await runnel([
      'get-offsets',
      '--topic',
      'cli-offsets',
      '--partition',
      '0',
      '--time',
      '1003000',
      '--output',
      'json',
    ]);
    expect(JSON.parse(at.stdout)).toEqual([{ topic: 'cli-offsets', partition: 0, offset: 3, timestamp: 1003000 }]);
    const after = await runnel(['get-offsets', '--topic', 'cli-offsets', '--partition', '0', '--time', '2000000']);
    expect(after.stdout).toBe('cli-offsets:0:-1\n');
  });

  it('an unknown topic or partition exits 1 with the Kafka error name', async () => {
    const unknown = await runnel(['get-offsets', '--topic', 'cli-nothing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^runnel: UNKNOWN_TOPIC_OR_PARTITION/);
    expect((await runnel(['get-offsets', '--topic', 'cli-offsets', '--partition', '9'])).code).toBe(1);
  });

  it('--help names the time forms', async () => {
    const help = await runnel(['get-offsets', '--help']);
    for (const word of ['earliest', 'latest', 'max-timestamp', 'ISO-8601', '--output'])
      expect(help.stdout).toContain(word);
  });
});

describe('runnel delete-records', () => {
  it('moves the log start; get-offsets earliest then starts there', async () => {
    const deleted = await runnel(['delete-records', '--topic', 'cli-offsets', '--partition', '0', '--offset', '4']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Topic: cli-offsets\tPartition: 0\tLow watermark: 4\n' });
    expect(
      (await runnel(['get-offsets', '--topic', 'cli-offsets', '--partition', '0', '--time', 'earliest'])).stdout,
    ).toBe('cli-offsets:0:4\n');
  });

  it("takes Kafka's offset JSON file and answers in JSON; past the high watermark fails that partition, exit 1", async () => {
    const file = join(tmpdir(), `runnel-offsets-${process.pid}.json`);
    await writeFile(
      file,
      JSON.stringify({
        partitions: [
          { topic: 'cli-offsets', partition: 0, offset: 6 },
          { topic: 'cli-offsets', partition: 1, offset: 3 },
        ],
        version: 1,
      }),
    );
    const result = await runnel(['delete-records', '--offset-json-file', file, '--output', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      { topic: 'cli-offsets', partition: 0, lowWatermark: 6 },
      {
        topic: 'cli-offsets',
        partition: 1,
        lowWatermark: -1,
        error: expect.stringMatching(/^OFFSET_OUT_OF_RANGE/),
      },
    ]);
  });

  it('without a target it says what to give', async () => {
    const bare = await runnel(['delete-records', '--offset', '3']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/--offset-json-file/);
  });
});

describe('runnel log-dirs', () => {
  it("lists the broker's log dir with its space and each partition's size and lag", async () => {
    const text = await runnel(['log-dirs', '--topic', 'cli-offsets']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Broker: 1\tLog dir: \S+\tTotal bytes: \d+\tUsable bytes: \d+\n/);
    expect(text.stdout).toMatch(/\n {2}cli-offsets-0\tSize bytes: [1-9]\d*\tOffset lag: 0\n/);
    const json = JSON.parse((await runnel(['log-dirs', '--topic', 'cli-offsets', '--output', 'json'])).stdout) as {
      broker: number;
      logDirs: { partitions: { topic: string; partition: number }[] }[];
    }[];
    expect(json.map((b) => b.broker)).toEqual([1]);
    expect(json[0]?.logDirs[0]?.partitions.map((p) => `${p.topic}-${p.partition}`)).toEqual([
      'cli-offsets-0',
      'cli-offsets-1',
    ]);
  });

  it('an unknown broker id exits 1', async () => {
    expect((await runnel(['log-dirs', '--broker', '42'])).code).toBe(1);
  });
});

describe('parsers and JSON output', () => {
  it('--time takes names, milliseconds and ISO-8601 dates', () => {
    expect(parseTimeSpec('earliest')).toBe(-2n);
    expect(parseTimeSpec('max-timestamp')).toBe(-3n);
    expect(parseTimeSpec('1700000000000')).toBe(1_700_000_000_000n);
    expect(parseTimeSpec('1970-01-01T00:00:01Z')).toBe(1000n);
    expect(() => parseTimeSpec('yesterday')).toThrow(/not earliest/);
  });

  it('offset JSON files must name topic, partition and offset', () => {
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":1,"offset":"9007199254740993"}]}')).toEqual([
      { topic: 't', partition: 1, offset: 9_007_199_254_740_993n },
    ]);
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t"}]}')).toThrow(/partitions\[0\]/);
  });

  it('JSON output keeps every digit of an int64', () => {
    expect(toJsonLine({ offset: 9_007_199_254_740_993n })).toBe('{"offset":9007199254740993}\n');
  });
});
