/**
 * Attack: 20 connections each declare a 100 MiB request frame (the largest
 * socket.request.max.bytes allows) and trickle a few bytes of it. Before
 * the fix each one allocated a buffer of the declared size up front (20
 * connections: 2 GB of buffers). Now a frame costs the bytes that arrived:
 * the broker's buffer memory and RSS stay where they were, a well-behaved
 * client is served and /healthz answers while the 20 frames stay open; a
 * size above the limit closes its connection before anything is allocated.
 *
 * Buffer memory is Node's external memory (nodejs_external_memory_bytes):
 * a buffer allocated and barely written is only partly resident, so on an
 * idle machine the reservation shows there first and in RSS only as the
 * pages are touched (when the frames fill, or a recycled buffer is reused).
 * Both are held to a bound; on unfixed code the external-memory bound fails.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, PeakRss, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { RawSocket } from '../harness/raw-socket.ts';
import { waitFor } from '../harness/wait.ts';
import { metricValue, mib, silentConnection } from './memory-attack.ts';

const connections = 20;
const declaredBytes = 100 * mib;
/** Bytes of each frame sent: a produce request's header, then a trickle. */
const sentBytes = 64;
/** Well above an idle dev broker (~150-300 MB), far below 20 reserved frames (2 GB). */
const rssBoundBytes = 512 * mib;
/** An idle dev broker has a few tens of MiB of buffers. */
const externalBoundBytes = 256 * mib;
const external = (httpPort: number) => metricValue(httpPort, 'nodejs_external_memory_bytes');

let dev: DevProcess;
const sockets: Socket[] = [];

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'] });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await dev?.kill();
});

/** A size prefix declaring `sizeBytes`, and the start of a Produce v9 header. */
function declaredFrameStart(sizeBytes: number): Buffer {
  const start = Buffer.alloc(4 + 8);
  start.writeInt32BE(sizeBytes, 0);
  start.writeInt16BE(0, 4);
  start.writeInt16BE(9, 6);
  start.writeInt32BE(1, 8);
  return start;
}

describe('frames declaring 100 MiB and sending a few bytes', () => {
  it('cost the bytes that arrived: RSS stays bounded, a well-behaved client is served, /healthz answers', async () => {
    const pid = dev.pid;
    if (pid === null) throw new Error('no broker process');
    const rss = new PeakRss(pid);
    const before = await rss.sample();
    for (let c = 0; c < connections; c++)
      sockets.push(await silentConnection(dev.port, declaredFrameStart(declaredBytes)));
    // Trickle: the rest of the bytes one at a time.
    for (let i = 12; i < sentBytes; i++) for (const s of sockets) s.write(Buffer.from([i]));
    // Every byte sent has been read (counted in the request-bytes budget), or memory already broke a bound.
    await waitFor(
      async () =>
        (await rss.sample()) > rssBoundBytes ||
        (await external(dev.httpPort)) > externalBoundBytes ||
        (await metricValue(dev.httpPort, 'runnel_network_request_bytes_in_flight')) >= connections * sentBytes,
      { timeoutMs: 30_000, what: 'the broker to read every trickled byte' },
    );
    console.log(
      `declared frames: RSS ${Math.round(before / mib)} MiB before, peak ${Math.round(rss.peakBytes / mib)} MiB`,
    );
    expect(rss.peakBytes).toBeLessThan(rssBoundBytes);
    expect(await external(dev.httpPort)).toBeLessThan(externalBoundBytes);
    expect(await wellBehavedRoundTrip(dev.bootstrap, 'well-behaved')).toMatch(/^hello-/);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    await rss.sample();
    expect(rss.peakBytes).toBeLessThan(rssBoundBytes);
    // The frames are still open (nothing closed them) and cost what arrived.
    expect(sockets.every((s) => !s.destroyed)).toBe(true);
    expect(await metricValue(dev.httpPort, 'runnel_network_request_bytes_in_flight')).toBeLessThan(connections * 1024);
  });

  it('a frame declaring more than socket.request.max.bytes closes its connection', async () => {
    const socket = await RawSocket.connect(dev.port);
    socket.send(declaredFrameStart(declaredBytes + 1));
    await socket.waitClosed();
  });
});
