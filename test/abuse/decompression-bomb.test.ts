/**
 * The issue's decompression bombs: gzip batches of ~100 KB that inflate to
 * ~100 MiB, sent to a compacted topic (whose produce path must read every
 * record's key) on four connections at once, sixteen in flight. Before the
 * fix each one was inflated whole and the request failed with no error
 * code; sixteen took a broker from 149 MB to 1.75 GB. Now each is refused
 * with INVALID_RECORD after at most one 64 KiB chunk past its records (or
 * before inflating anything, when a record's length is past the bound), so
 * the broker's RSS stays within 128 MiB of where it started (and far under
 * the issue's 1 GiB), nothing is stored, the attackers' connections stay
 * open, and a well-behaved client is served.
 */
import { ErrorCode, type ProduceResponse } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { gzipBigRecord, gzipBomb, plainBatch } from '../harness/hostile-batches.ts';
import { httpStatus, PeakRss, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'compacted';
const mib = 1024 * 1024;
const rssGrowthBytesMax = 128 * mib;
const rssSamplePeriodMs = 5;
const connections = 4;
const bombsPerConnection = 4;
let dev: DevProcess;
const clients: ProtocolClient[] = [];

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway'] });
  for (let i = 0; i < connections; i++) clients.push(await ProtocolClient.connect(dev.port));
  const admin = clients[0];
  if (admin === undefined) throw new Error('no client');
  const created = await admin.request(19, 4, {
    topics: [
      {
        name: topic,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await dev?.kill('SIGKILL');
});

function produceBody(records: Buffer) {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

function pid(): number {
  const p = dev.pid;
  if (p === null) throw new Error('runnel dev is not running');
  return p;
}

describe('decompression bombs to a compacted topic (issue 15)', () => {
  it('sixteen ~100 KB gzip bombs in flight are each refused with INVALID_RECORD while RSS stays within 128 MiB of its start', async () => {
    // Half inflate to ~100 MiB of zeros after one record; half are one record with a 64 MiB value.
    const bombs = [gzipBomb(100 * mib - 1024), gzipBigRecord(64 * mib)];
    for (const bomb of bombs) expect(bomb.length).toBeLessThan(150 * 1024);
    const rss = new PeakRss(pid());
    const before = await rss.sample();
    let answered = false;
    // Samples RSS every few milliseconds until the answers are in (a sampling period, not a wait for a condition).
    const sampling = (async () => {
      while (!answered) {
        await rss.sample();
        await new Promise((resolve) => setTimeout(resolve, rssSamplePeriodMs));
      }
    })();
    const answers = await Promise.all(
      clients.map(async (client, c) => {
        const ids = Array.from({ length: bombsPerConnection }, (_, i) =>
          client.send(0, 9, produceBody(bombs[(c + i) % bombs.length] ?? plainBatch(1))),
        );
        const out: ProduceResponse['responses'][number]['partitionResponses'][number][] = [];
        for (const id of ids) {
          const response = await client.next();
          expect(response.correlationId).toBe(id);
          const partition = (response.body as ProduceResponse).responses[0]?.partitionResponses[0];
          if (partition !== undefined) out.push(partition);
        }
        return out;
      }),
    );
    answered = true;
    await sampling;
    const all = answers.flat();
    expect(all).toHaveLength(connections * bombsPerConnection);
    for (const answer of all) expect(answer.errorCode).toBe(ErrorCode.INVALID_RECORD);
    process.stderr.write(`decompression bombs: RSS before ${before} bytes, peak ${rss.peakBytes} bytes\n`);
    expect(rss.peakBytes - before).toBeLessThan(rssGrowthBytesMax);
    expect(rss.peakBytes).toBeLessThan(1024 * mib);
    for (const client of clients) expect(client.socket.closed).toBe(false);
  }, 120_000);

  it('nothing was stored, keyed records still go in on the same connections, and a well-behaved client is served', async () => {
    const client = clients[1];
    if (client === undefined) throw new Error('no client');
    const keyed = await client.request(0, 9, produceBody(plainBatch(2)));
    expect(keyed.responses[0]?.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
  }, 60_000);

  it('batch.decompressed.max.bytes is dynamic: lowered to 64 KiB, a batch inflating to 128 KiB is refused and a small one goes in', async () => {
    const client = clients[2];
    if (client === undefined) throw new Error('no client');
    const altered = await client.request(44, 0, {
      resources: [
        {
          resourceType: 4,
          resourceName: '1',
          configs: [{ name: 'batch.decompressed.max.bytes', configOperation: 0, value: '65536' }],
        },
      ],
      validateOnly: false,
    });
    expect(altered.responses[0]?.errorCode).toBe(ErrorCode.NONE);
    const big = gzipBigRecord(128 * 1024);
    const refused = await waitFor(
      async () => {
        const answer = (await client.request(0, 9, produceBody(big))).responses[0]?.partitionResponses[0];
        return answer?.errorCode === ErrorCode.INVALID_RECORD ? answer : undefined;
      },
      { what: 'the lowered bound to apply' },
    );
    expect(refused.errorMessage).toMatch(/65536/);
    const small = await client.request(0, 9, produceBody(gzipBigRecord(16 * 1024)));
    expect(small.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
  }, 60_000);
});
