/**
 * Compatibility matrix, kcat on librdkafka 2.0.2: metadata, produce,
 * consume, balanced group consumers and offset queries against a real
 * `runnel dev` process. kcat has no admin commands: topics are created with
 * `runnel topics create`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { kcat, kcatReadAll } from '../../harness/kcat.ts';
import { runnel } from '../../harness/runnel-cli.ts';
import { matrixDevArgs, matrixFor } from './cell.ts';

const cell = matrixFor('kcat');
let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start({ args: matrixDevArgs });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

async function createTopic(topic: string, partitions = 1): Promise<void> {
  const result = await runnel([
    'topics',
    'create',
    topic,
    '--partitions',
    String(partitions),
    '--bootstrap-server',
    dev.bootstrap,
  ]);
  expect(result.code, result.stderr).toBe(0);
}

async function produce(topic: string, lines: readonly string[], extra: readonly string[] = []): Promise<void> {
  const result = await kcat(
    ['-P', '-b', dev.bootstrap, '-t', topic, '-p', '0', '-K', ':', ...extra],
    `${lines.join('\n')}\n`,
  );
  expect(result.code, result.stderr).toBe(0);
}

/** Balanced (-G) consumer: reads until `count` records, committing as librdkafka does on close. */
async function consumeGroup(topic: string, group: string, count: number): Promise<string[]> {
  const result = await kcat([
    ...['-G', group, '-b', dev.bootstrap, '-c', String(count), '-f', '%s\n', '-q'],
    // No -o: with -G it would override the committed offset the second member must resume from.
    ...['-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', topic],
  ]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.toString('utf8').split('\n').filter(Boolean);
}

async function queryOffset(topic: string, timestamp: number): Promise<string> {
  const result = await kcat(['-Q', '-b', dev.bootstrap, '-t', `${topic}:0:${timestamp}`]);
  expect(result.code, result.stderr).toBe(0);
  const match = /offset (-?\d+)/.exec(result.stdout.toString('utf8'));
  return match?.[1] ?? `no offset in: ${result.stdout.toString('utf8')}`;
}

describe('compatibility matrix: kcat', () => {
  cell('metadata', async () => {
    await createTopic('kcat-m-metadata', 3);
    const result = await kcat(['-L', '-J', '-b', dev.bootstrap, '-t', 'kcat-m-metadata']);
    expect(result.code, result.stderr).toBe(0);
    const metadata = JSON.parse(result.stdout.toString('utf8')) as {
      topics: { partitions: unknown[] }[];
      brokers: unknown[];
    };
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    expect(metadata.brokers).toHaveLength(1);
    return '3 partitions, 1 broker';
  });

  cell('produce', async () => {
    await createTopic('kcat-m-produce');
    await produce('kcat-m-produce', ['k1:v1', 'k2:v2'], ['-H', 'origin=kcat']);
    const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic: 'kcat-m-produce', format: '%k=%s;%h\n' });
    expect(read.stdout.toString('utf8')).toBe('k1=v1;origin=kcat\nk2=v2;origin=kcat\n');
    return undefined;
  });

  cell('produce-compressed', async () => {
    await createTopic('kcat-m-gzip');
    const lines = Array.from({ length: 50 }, (_, i) => `k:gz-${i}`);
    await produce('kcat-m-gzip', lines, ['-z', 'gzip']);
    const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic: 'kcat-m-gzip', format: '%s\n' });
    expect(read.stdout.toString('utf8').split('\n').filter(Boolean)).toHaveLength(50);
    return '50 records';
  });

  cell('consume', async () => {
    await createTopic('kcat-m-consume');
    await produce('kcat-m-consume', ['a:one', 'b:two']);
    const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic: 'kcat-m-consume', format: '%s\n' });
    expect(read.stdout.toString('utf8')).toBe('one\ntwo\n');
    return undefined;
  });

  cell('consumer-group', async () => {
    await createTopic('kcat-m-group');
    await produce('kcat-m-group', ['a:1', 'b:2']);
    expect(await consumeGroup('kcat-m-group', 'kcat-m-g', 2)).toEqual(['1', '2']);
    await produce('kcat-m-group', ['c:3']);
    expect(await consumeGroup('kcat-m-group', 'kcat-m-g', 1)).toEqual(['3']);
    return 'resumed at offset 2';
  });

  cell('list-offsets', async () => {
    await createTopic('kcat-m-offsets');
    await produce('kcat-m-offsets', ['a:1', 'b:2', 'c:3', 'd:4']);
    // librdkafka passes the logical timestamps -2 (earliest) and -1 (latest) to ListOffsets as they are.
    expect([await queryOffset('kcat-m-offsets', -2), await queryOffset('kcat-m-offsets', -1)]).toEqual(['0', '4']);
    return 'earliest 0, latest 4';
  });

  cell('offsets-for-times', async () => {
    await createTopic('kcat-m-times');
    const base = Date.now() - 60_000;
    // kcat -P cannot set record timestamps: kafkajs writes one batch of 10 records one second apart.
    const producer = new Kafka({ brokers: [dev.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'kcat-m-times',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `t${i}`, timestamp: String(base + i * 1000) })),
      });
    } finally {
      await producer.disconnect();
    }
    expect(await queryOffset('kcat-m-times', base + 5000)).toBe('5');
    return 'record 5 of one batch of 10';
  });
});
