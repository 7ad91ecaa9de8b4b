/**
 * Attack: one CreateTopics asking for 100,000 partitions. Before the
 * partition limits the controller accepted it and the broker opened files
 * for every partition until it ran out of descriptors (at about 6,600
 * partitions), after which neither the Kafka port nor the health endpoints
 * answered. Now the controller refuses the request as a whole with
 * POLICY_VIOLATION (Kafka's answer to a request over its per-request
 * partition bound) before anything is written, so no partition directory
 * appears and the broker keeps serving.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, openFileCount, rssBytes, wellBehavedRoundTrip } from '../harness/process-health.ts';

/** Every directory under `dir` (recursively) whose name starts with `prefix`. */
async function directoriesNamed(dir: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith(prefix)) found.push(path);
    found.push(...(await directoriesNamed(path, prefix)));
  }
  return found;
}

/** The error type kafkajs reports for each topic of a failed createTopics. */
function topicErrorTypes(error: unknown): string[] {
  const errors = (error as { errors?: { type?: string }[] }).errors;
  // Anything else (a timeout, a closed connection) is named, so the assertion says what happened.
  if (errors === undefined) return [`not a per-topic refusal: ${String(error)}`];
  return errors.map((e) => e.type ?? 'unknown');
}

describe('a CreateTopics of 100,000 partitions', () => {
  let dev: DevProcess;
  beforeAll(async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
  });
  afterAll(async () => {
    await dev?.kill('SIGKILL');
  });

  it('is refused with POLICY_VIOLATION, creates nothing on disk, and the broker keeps serving', async () => {
    const pid = dev.pid;
    if (pid === null) throw new Error('runnel dev is not running');
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'attacker', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const refused = await admin
        .createTopics({ topics: [{ topic: 'flood', numPartitions: 100_000 }], timeout: 30_000 })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused, 'the 100,000-partition request must fail').not.toBeNull();
      expect(topicErrorTypes(refused)).toEqual(['POLICY_VIOLATION']);
      // Just over the per-request bound spread over topics: refused as a whole too.
      const spread = await admin
        .createTopics({
          topics: Array.from({ length: 11 }, (_, i) => ({ topic: `spread-${i}`, numPartitions: 1_000 })),
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(topicErrorTypes(spread)).toEqual(Array.from({ length: 11 }, () => 'POLICY_VIOLATION'));
      const listed = await admin.listTopics();
      expect(listed.filter((t) => t === 'flood' || t.startsWith('spread-'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    expect(await directoriesNamed(dev.dataDir, 'flood')).toEqual([]);
    expect(await directoriesNamed(dev.dataDir, 'spread-')).toEqual([]);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    // A dev broker with a handful of topics: far from its descriptor limit, and small.
    expect(await openFileCount(pid)).toBeLessThan(1_000);
    expect(await rssBytes(pid)).toBeLessThan(512 * 1024 * 1024);
  });
});
