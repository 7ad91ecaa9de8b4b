/**
 * limitHttpConnections on a real Node HTTP server over loopback: a second
 * loopback address (127.0.0.2) is another client.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpLimitReason, limitHttpConnections, probeHttpLimits } from '../src/http-connection-limits.ts';

let server: Server | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  server?.closeAllConnections();
  if (server !== null) await new Promise((r) => server?.close(r));
  server = null;
});

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

async function start(limits: Partial<typeof probeHttpLimits>) {
  const reasons: HttpLimitReason[] = [];
  server = createServer((_req, res) => res.end('ok\n'));
  const counts = limitHttpConnections(server, { ...probeHttpLimits, ...limits }, (reason) => reasons.push(reason));
  server.listen(0, '0.0.0.0');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, reasons, counts };
}

async function rawConnection(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  const state = { closed: false, text: '' };
  socket.on('close', () => {
    state.closed = true;
  });
  socket.on('data', (chunk: Buffer) => {
    state.text += chunk.toString();
  });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, state };
}

describe('limitHttpConnections', () => {
  it('closes connections beyond the per-address cap; another address still gets answers', async () => {
    const { port, reasons, counts } = await start({ connectionsPerIpMax: 2 });
    await rawConnection(port);
    await rawConnection(port);
    const third = await rawConnection(port);
    await waitUntil(() => third.state.closed, 'the third connection to close');
    expect(reasons).toEqual(['per_ip']);
    const other = await rawConnection(port, '127.0.0.2');
    other.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await waitUntil(() => other.state.text.includes('ok'), 'an answer');
    expect(counts.open()).toBe(3);
  });

  it('closes a connection that sends nothing for the idle time', async () => {
    const { port, reasons } = await start({ idleMs: 100 });
    const silent = await rawConnection(port);
    await waitUntil(() => silent.state.closed, 'the silent connection to close');
    expect(reasons).toEqual(['idle']);
  });
});
