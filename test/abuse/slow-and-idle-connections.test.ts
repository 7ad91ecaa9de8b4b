/**
 * Slowloris and idle sockets, which the broker used to keep forever: a
 * client that starts a request (its size prefix and a few bytes) and then
 * trickles a byte now and then, or stops, is closed once the request has
 * not arrived within runnel.request.read.timeout.ms; a client that sends
 * nothing, or goes quiet after a request, is closed after
 * connections.max.idle.ms. Both limits are small here (1 s, 2 s); the
 * broker keeps serving a well-behaved client and its probes meanwhile.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, rssBytes, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { waitFor } from '../harness/wait.ts';

const readTimeoutMs = 1000;
const idleMs = 2000;
const rssBytesMax = 512 * 1024 * 1024;

let dev: DevProcess;
const sockets: Socket[] = [];
const tricklers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  dev = await DevProcess.start({
    args: ['--no-gateway', `--request-read-timeout-ms=${readTimeoutMs}`, `--connections-max-idle-ms=${idleMs}`],
  });
}, 60_000);

afterAll(async () => {
  for (const t of tricklers) clearInterval(t);
  for (const s of sockets) s.destroy();
  await dev?.kill('SIGKILL');
});

interface Peer {
  socket: Socket;
  closed: boolean;
  received: number;
}

function open(): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: dev.port, host: '127.0.0.1' });
    sockets.push(socket);
    const peer: Peer = { socket, closed: false, received: 0 };
    socket.on('close', () => {
      peer.closed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      peer.received += chunk.length;
    });
    socket.once('connect', () => {
      socket.on('error', () => undefined);
      resolve(peer);
    });
    socket.once('error', reject);
  });
}

/** An ApiVersions v0 request (header v1: key 18, version 0, correlation id 1, client id "idle"). */
function apiVersionsFrame(): Buffer {
  const body = Buffer.alloc(2 + 2 + 4 + 2 + 4);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(1, 4);
  body.writeInt16BE(4, 8);
  body.write('idle', 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function closedCount(reason: 'idle' | 'deadline'): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${dev.httpPort}/metrics`)).text();
  const match = new RegExp(
    `^runnel_listener_connections_closed_total\\{listener="PLAINTEXT",reason="${reason}"\\} (\\d+)$`,
    'm',
  ).exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('slow and idle connections', () => {
  it('closes started requests that trickle or stall past the read deadline, and serves a well-behaved client', async () => {
    const rssBefore = await rssBytes(dev.pid ?? 0);
    const trickling = await Promise.all(Array.from({ length: 10 }, open));
    const stalled = await Promise.all(Array.from({ length: 10 }, open));
    const declared = Buffer.alloc(4);
    declared.writeInt32BE(1_000_000);
    for (const peer of [...trickling, ...stalled]) peer.socket.write(Buffer.concat([declared, Buffer.from('partial')]));
    // The attack itself: a byte every 100 ms keeps a trickling peer active, so only the read deadline can end it.
    tricklers.push(
      setInterval(() => {
        for (const peer of trickling) if (!peer.closed) peer.socket.write('x');
      }, 100),
    );
    await expect(wellBehavedRoundTrip(dev.bootstrap, 'beside-slowloris')).resolves.toMatch(/^hello-/);
    await waitFor(() => [...trickling, ...stalled].every((p) => p.closed), {
      timeoutMs: 30_000,
      what: 'every slow request to be closed after runnel.request.read.timeout.ms',
    });
    expect(await closedCount('deadline')).toBeGreaterThanOrEqual(20);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    const rssAfter = await rssBytes(dev.pid ?? 0);
    console.log(
      `slowloris: RSS ${Math.round(rssBefore / 2 ** 20)} MiB before, ${Math.round(rssAfter / 2 ** 20)} MiB after`,
    );
    expect(rssAfter).toBeLessThan(rssBytesMax);
  }, 90_000);

  it('closes connections idle for connections.max.idle.ms: silent from the start, or quiet after a request', async () => {
    const idleBefore = await closedCount('idle');
    const silent = await Promise.all(Array.from({ length: 5 }, open));
    const quiet = await open();
    quiet.socket.write(apiVersionsFrame());
    await waitFor(() => quiet.received > 0, { what: 'the ApiVersions answer' });
    await waitFor(() => [...silent, quiet].every((p) => p.closed), {
      timeoutMs: 30_000,
      what: 'the idle connections to be closed after connections.max.idle.ms',
    });
    expect((await closedCount('idle')) - idleBefore).toBeGreaterThanOrEqual(6);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
  }, 60_000);
});
