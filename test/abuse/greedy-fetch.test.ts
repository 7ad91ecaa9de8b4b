/**
 * Attack: clients send ~100-byte Fetch requests asking for 2^31 bytes and
 * never read their sockets. Before the fix each fetch read everything up to
 * the high watermark into memory, once per pipelined fetch (six clients
 * took a broker from 335 MB to 3.7 GB). Now a fetch carries at most
 * fetch.max.bytes (55 MiB) and is read only once its connection may send
 * it, so each silent client holds one response: the broker's RSS stays
 * under the bound below, a well-behaved client is served and /healthz
 * answers while the attackers are still connected.
 *
 * Sizes: 128 MiB of data, six clients pipelining four fetches each. Unfixed
 * that is 24 reads of 128 MiB at once (~3 GB); fixed, at most six of 55 MiB.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, PeakRss, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';
import { fillTopic, greedyFetchFrame, metricValue, mib, silentConnection } from './memory-attack.ts';

const topic = 'greedy';
const dataMib = 128;
const attackers = 6;
const fetchesEach = 4;
/** The bound this test holds the broker to: 6 x 55 MiB held plus a dev broker's ~300 MB, well under the 1 GiB. */
const rssBoundBytes = 768 * mib;

let dev: DevProcess;
const sockets: Socket[] = [];

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'] });
  const admin = await ProtocolClient.connect(dev.port);
  expect(await admin.createTopic(topic, 1)).toBe(0);
  admin.close();
  await fillTopic(dev.port, topic, dataMib);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await dev?.kill();
});

describe('greedy fetches from clients that never read', () => {
  it('hold one capped response per client: RSS stays bounded, a well-behaved client is served, /healthz answers', async () => {
    const pid = dev.pid;
    if (pid === null) throw new Error('no broker process');
    const rss = new PeakRss(pid);
    const before = await rss.sample();
    const bytesOutBefore = await metricValue(dev.httpPort, 'kafka_server_brokertopicmetrics_bytesout_total');
    for (let a = 0; a < attackers; a++) {
      const frames = Array.from({ length: fetchesEach }, (_, i) => greedyFetchFrame(topic, i + 1));
      sockets.push(await silentConnection(dev.port, Buffer.concat(frames)));
    }
    // Every attacker has had its first fetch read (at least 50 MiB each); or memory already broke the bound.
    await waitFor(
      async () =>
        (await rss.sample()) > rssBoundBytes ||
        (await metricValue(dev.httpPort, 'kafka_server_brokertopicmetrics_bytesout_total')) - bytesOutBefore >=
          attackers * 50 * mib,
      { timeoutMs: 60_000, what: 'the attackers to be served their first fetch' },
    );
    const report = () =>
      console.log(
        `greedy fetch: RSS ${Math.round(before / mib)} MiB before, peak ${Math.round(rss.peakBytes / mib)} MiB`,
      );
    report();
    expect(rss.peakBytes).toBeLessThan(rssBoundBytes);
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    await rss.sample();
    report();
    expect(rss.peakBytes).toBeLessThan(rssBoundBytes);
    // The fetches behind each attacker's first wait for it to read: nothing more was read for them.
    const bytesOut =
      (await metricValue(dev.httpPort, 'kafka_server_brokertopicmetrics_bytesout_total')) - bytesOutBefore;
    expect(bytesOut).toBeLessThanOrEqual(attackers * 56 * mib + mib);
  });
});
