/**
 * Attack: many connections pipeline large Produce requests at once. The
 * broker-wide budget for request bytes in flight (queued.max.request.bytes)
 * pauses reading while it is spent, so what the broker holds of them is
 * bounded by the budget instead of by how fast clients can send. Here the
 * budget (512 KiB) is smaller than every request (1 MiB): each one still
 * gets through (a frame larger than the budget is admitted when nothing
 * else is in flight), every request is answered, the budget's metrics show
 * reading paused, and a well-behaved client is served meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, PeakRss, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { fillTopic, metricValue, mib } from './memory-attack.ts';

const topic = 'pipelined';
const budgetBytes = 512 * 1024;
const producers = 6;
const requestsEach = 12;
const rssBoundBytes = 512 * mib;

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start({
    args: [
      '--no-gateway',
      '--group-initial-rebalance-delay-ms',
      '0',
      '--queued-max-request-bytes',
      String(budgetBytes),
    ],
  });
  const admin = await ProtocolClient.connect(dev.port);
  expect(await admin.createTopic(topic, 1)).toBe(0);
  admin.close();
});

afterAll(async () => {
  await dev?.kill();
});

describe('pipelined large produce requests against a small queued.max.request.bytes', () => {
  it('pause reading while the budget is spent; every request is answered; a well-behaved client is served', async () => {
    const pid = dev.pid;
    if (pid === null) throw new Error('no broker process');
    const rss = new PeakRss(pid);
    expect(await metricValue(dev.httpPort, 'runnel_network_request_bytes_max')).toBe(budgetBytes);
    const attack = Promise.all(
      Array.from({ length: producers }, () => fillTopic(dev.port, topic, requestsEach, requestsEach)),
    );
    const served = await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved');
    const answers = (await attack).flat();
    expect(served).toMatch(/^hello-/);
    expect(answers).toEqual(new Array(producers * requestsEach).fill(0));
    expect(await metricValue(dev.httpPort, 'runnel_network_request_bytes_exhausted_seconds_total')).toBeGreaterThan(0);
    expect(await metricValue(dev.httpPort, 'runnel_network_request_bytes_in_flight')).toBe(0);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(await rss.sample()).toBeLessThan(rssBoundBytes);
  });
});
