/**
 * librdkafka (kcat) against a real `runnel dev` process: metadata, and
 * 100k keyed records with headers per compression codec, produced with
 * acks=all and read back byte-identical and in order.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '@runnel/common';
import { codecFromId, compressionOf, readBatchHeader } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat, kcatReadAll } from '../harness/kcat.ts';

const recordCount = 100_000;
let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

/** Printable values of varied length; no tab (key separator) or newline (record separator). */
function makeRecords(seed: number): { key: string; value: string }[] {
  const random = new Random(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_=+*/()[]{}<>@#$%^&|~';
  const records: { key: string; value: string }[] = [];
  for (let i = 0; i < recordCount; i++) {
    const length = random.int(1, 200);
    let value = '';
    for (let j = 0; j < length; j++) value += alphabet[random.int(0, alphabet.length - 1)];
    records.push({ key: `key-${i}-${random.int(0, 1_000_000)}`, value });
  }
  return records;
}

describe('kcat (librdkafka 2.0.2)', () => {
  it('lists the broker and its port with -L', async () => {
    const result = await kcat(['-b', dev.bootstrap, '-L', '-m', '10']);
    expect(result.code, result.stderr).toBe(0);
    const text = result.stdout.toString('utf8');
    expect(text).toMatch(/1 brokers:/);
    expect(text).toContain(`broker 1 at 127.0.0.1:${dev.port}`);
  });

  for (const [index, codec] of (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).entries()) {
    it(`produces ${recordCount} keyed records with headers under ${codec} and reads them back identical and in order`, async () => {
      const topic = `kcat-${codec}`;
      const records = makeRecords(1000 + index);
      const input = `${records.map((r) => `${r.key}\t${r.value}`).join('\n')}\n`;
      const produced = await kcat(
        [
          '-P',
          '-b',
          dev.bootstrap,
          '-t',
          topic,
          '-p',
          '0',
          '-K',
          '\t',
          '-z',
          codec,
          '-H',
          'trace=abc123',
          '-H',
          `codec=${codec}`,
          '-X',
          'linger.ms=20',
          '-X',
          'batch.num.messages=5000',
        ],
        input,
      );
      expect(produced.code, produced.stderr).toBe(0);
      expect(produced.stderr).not.toMatch(/error|fail/i);
      // The log holds the producer's batches as sent: compressed with the codec kcat was asked for
      // (librdkafka sends a batch uncompressed when compressing would not make it smaller).
      const segment = await readFile(join(dev.dataDir, 'broker-1', `${topic}-0`, '00000000000000000000.log'));
      const codecs = new Map<string, number>();
      for (let pos = 0; pos < segment.length; ) {
        const header = readBatchHeader(segment, pos);
        const name = codecFromId(compressionOf(header.attributes)) ?? 'unknown';
        codecs.set(name, (codecs.get(name) ?? 0) + 1);
        pos += 12 + header.batchLength;
      }
      const batches = [...codecs.values()].reduce((a, b) => a + b, 0);
      expect([...codecs.keys()].every((c) => c === codec || c === 'none')).toBe(true);
      expect(codecs.get(codec) ?? 0).toBeGreaterThan(batches / 2);

      const consumed = await kcatReadAll({ bootstrap: dev.bootstrap, topic, format: '%o\t%k\t%s\t%h\n' });
      expect(consumed.code, consumed.stderr).toBe(0);
      const lines = consumed.stdout.toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(recordCount);
      for (let i = 0; i < recordCount; i++) {
        const expected = `${i}\t${records[i]?.key}\t${records[i]?.value}\ttrace=abc123,codec=${codec}`;
        if (lines[i] !== expected) expect(lines[i]).toBe(expected);
      }
    });
  }
});
