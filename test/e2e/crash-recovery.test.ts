/**
 * kill -9 of `runnel dev` in the middle of a produce stream, then a torn
 * write at the tail of the log, then a restart: every acknowledged record is
 * still readable, in order, exactly once, and the log recovered without
 * manual steps.
 */
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat, kcatReadAll } from '../harness/kcat.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.kill('SIGKILL');
});

async function consumeAll(bootstrap: string, topic: string): Promise<string[]> {
  const result = await kcatReadAll({ bootstrap, topic, format: '%s\n' });
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.toString('utf8').split('\n');
  lines.pop();
  return lines;
}

describe('crash recovery', () => {
  it('kill -9 during a produce stream and a torn log tail lose no acknowledged record', async () => {
    dev = await DevProcess.start();
    const topic = 'crash-stream';
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'crash-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: true });
    await producer.connect();

    const acked: string[] = [];
    const batchSize = 50;
    let next = 0;
    let stop = false;
    // Several sends in flight at once, so the kill lands with requests outstanding.
    const senders = [0, 1, 2, 3].map(async () => {
      while (!stop) {
        const values = Array.from({ length: batchSize }, () => `record-${String(next++).padStart(8, '0')}`);
        try {
          await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) });
          acked.push(...values);
        } catch {
          return;
        }
      }
    });
    await waitFor(() => acked.length >= 20_000, { timeoutMs: 60_000, what: '20k acknowledged records' });
    await dev.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
    await producer.disconnect().catch(() => undefined);

    // A torn write: the start of a batch that never finished, at the end of the active segment.
    const partitionDir = join(dev.dataDir, 'broker-1', `${topic}-0`);
    const segments = (await readdir(partitionDir)).filter((f) => f.endsWith('.log')).sort();
    const active = segments.at(-1);
    expect(active).toBeDefined();
    const torn = Buffer.alloc(40);
    torn.writeBigInt64BE(999_999n, 0);
    torn.writeInt32BE(5000, 8);
    torn.writeInt8(2, 16);
    await appendFile(join(partitionDir, active ?? ''), torn);

    await dev.restart();
    const recovered = await consumeAll(dev.bootstrap, topic);

    // Every acknowledged record is there exactly once, and everything read is in produce order.
    const seen = new Set<string>();
    for (const value of recovered) {
      expect(seen.has(value), `duplicate ${value}`).toBe(false);
      seen.add(value);
    }
    for (const value of acked) if (!seen.has(value)) expect.fail(`acknowledged record ${value} lost`);
    const positions = acked.map((v) => recovered.indexOf(v));
    for (let i = 1; i < positions.length; i++) {
      if ((positions[i] ?? -1) <= (positions[i - 1] ?? -1))
        expect.fail(`acknowledged records out of order at ${acked[i]}`);
    }
    expect(acked.length).toBeGreaterThanOrEqual(20_000);
    // The torn tail was cut off by recovery, not served.
    expect(recovered.length).toBeLessThan(next + 1);

    // Appends continue at the right offset after recovery.
    const after = await kcat(['-P', '-b', dev.bootstrap, '-t', topic, '-p', '0'], 'after-restart\n');
    expect(after.code, after.stderr).toBe(0);
    const again = await consumeAll(dev.bootstrap, topic);
    expect(again.length).toBe(recovered.length + 1);
    expect(again.at(-1)).toBe('after-restart');
  });
});
