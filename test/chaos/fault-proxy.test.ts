/** The fault proxy in front of a plain TCP echo server: forwards, cut drops and refuses, heal restores, delay delays. */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { waitFor } from '../harness/wait.ts';

let echo: Server;
let echoPort: number;
let echoAccepted = 0;
let proxy: FaultProxy | null = null;
const sockets: Socket[] = [];

beforeAll(async () => {
  echo = createServer((s) => {
    echoAccepted++;
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const address = echo.address();
  if (address === null || typeof address === 'string') throw new Error('no echo port');
  echoPort = address.port;
});

afterAll(async () => {
  await new Promise((resolve) => echo.close(resolve));
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  proxy = null;
});

/** A client socket through the proxy, with everything it received and whether it closed. */
function dial(port: number): { socket: Socket; received: () => string; closed: () => boolean } {
  const socket = createConnection({ host: '127.0.0.1', port });
  sockets.push(socket);
  let text = '';
  let isClosed = false;
  socket.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    isClosed = true;
  });
  return { socket, received: () => text, closed: () => isClosed };
}

async function startProxy(): Promise<FaultProxy> {
  proxy = await FaultProxy.start({ name: 'echo', target: { host: '127.0.0.1', port: echoPort } });
  return proxy;
}

describe('fault proxy', () => {
  it('forwards bytes both ways to the target', async () => {
    const p = await startProxy();
    const c = dial(p.port);
    c.socket.write('hello');
    await waitFor(() => c.received() === 'hello', { timeoutMs: 5000, what: 'echo through the proxy' });
    expect(p.openConnections).toBe(1);
  });

  it('cut resets open connections and resets new ones in reset mode', async () => {
    const p = await startProxy();
    const c = dial(p.port);
    c.socket.write('x');
    await waitFor(() => c.received() === 'x', { timeoutMs: 5000, what: 'first echo' });
    p.cut('reset');
    await waitFor(() => c.closed(), { timeoutMs: 5000, what: 'open connection dropped' });
    const late = dial(p.port);
    late.socket.write('y');
    await waitFor(() => late.closed(), { timeoutMs: 5000, what: 'new connection reset' });
    expect(late.received()).toBe('');
    expect(p.openConnections).toBe(0);
  });

  it('cut in blackhole mode accepts new connections but never answers; heal resets them and forwards again', async () => {
    const p = await startProxy();
    p.cut('blackhole');
    const targetAcceptedBefore = echoAccepted;
    const held = dial(p.port);
    held.socket.write('lost');
    await waitFor(() => p.acceptedConnections === 1, { timeoutMs: 5000, what: 'blackholed accept' });
    expect(held.closed()).toBe(false);
    p.heal();
    await waitFor(() => held.closed(), { timeoutMs: 5000, what: 'blackholed connection reset on heal' });
    expect(held.received()).toBe('');
    const after = dial(p.port);
    after.socket.write('back');
    await waitFor(() => after.received() === 'back', { timeoutMs: 5000, what: 'echo after heal' });
    // Only the connection made after heal reached the target.
    expect(echoAccepted).toBe(targetAcceptedBefore + 1);
  });

  it('delay holds each chunk back, in order, while an undelayed path through the same code answers', async () => {
    const slow = await startProxy();
    slow.setDelayMs(1000);
    const fast = await FaultProxy.start({ name: 'echo-fast', target: { host: '127.0.0.1', port: echoPort } });
    try {
      const held = dial(slow.port);
      const direct = dial(fast.port);
      await Promise.all([once(held.socket, 'connect'), once(direct.socket, 'connect')]);
      held.socket.write('a');
      held.socket.write('b');
      // Three round trips through the undelayed proxy, one after another, all before the delayed echo.
      for (const text of ['1', '12', '123']) {
        direct.socket.write(text.slice(-1));
        await waitFor(() => direct.received() === text, { timeoutMs: 5000, what: `undelayed echo ${text}` });
      }
      expect(held.received()).toBe('');
      await waitFor(() => held.received().length >= 2, { timeoutMs: 10_000, what: 'delayed echo' });
      expect(held.received()).toBe('ab');
    } finally {
      await fast.close();
    }
  });
});
