/**
 * The fault proxy in front of a plain TCP echo server: forwards, cut drops and refuses, heal restores, delay delays;
 * and in front of a Kafka-shaped server: captures, replays and duplicates chosen requests on new connections.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, FaultProxy } from '../harness/fault-proxy.ts';
import { RequestFrameSplitter } from '../harness/kafka-request-frames.ts';
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

/** A Kafka-shaped stand-in target: records every request frame with the connection it came on, answers each with its correlation id. */
async function kafkaLikeServer(): Promise<{
  close: () => Promise<void>;
  port: number;
  seen: { connection: number; apiKey: number; bytes: Buffer }[];
}> {
  const seen: { connection: number; apiKey: number; bytes: Buffer }[] = [];
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((s) => {
    const connection = ++connections;
    open.add(s);
    s.once('close', () => open.delete(s));
    const splitter = new RequestFrameSplitter();
    s.on('error', () => {});
    s.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk, () => true)) {
        seen.push({ connection, apiKey: frame.apiKey, bytes: frame.bytes });
        const answer = Buffer.alloc(8);
        answer.writeInt32BE(4, 0);
        answer.writeInt32BE(frame.correlationId, 4);
        s.write(answer);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const close = async (): Promise<void> => {
    for (const s of open) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { close, port: address.port, seen };
}

/** A request frame: size, api key, version, correlation id, then `body` (the header's rest does not matter here). */
function requestFrame(apiKey: number, correlationId: number, body: string): Buffer {
  const payload = Buffer.concat([Buffer.alloc(8), Buffer.from(body)]);
  payload.writeInt16BE(apiKey, 0);
  payload.writeInt16BE(8, 2);
  payload.writeInt32BE(correlationId, 4);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

describe('request frame splitter', () => {
  it('cuts frames split over chunks and packed in one chunk, and hands out only the wanted api keys', () => {
    const produce = requestFrame(ApiKeys.produce, 1, 'p-body');
    const metadata = requestFrame(3, 2, 'm'.repeat(5000));
    const endTxn = requestFrame(ApiKeys.endTxn, 3, 'e');
    const stream = Buffer.concat([produce, metadata, endTxn]);
    const splitter = new RequestFrameSplitter();
    const wanted = (key: number): boolean => key !== 3;
    const frames = [
      ...splitter.push(stream.subarray(0, 3), wanted),
      ...splitter.push(stream.subarray(3, produce.length + 7), wanted),
      ...splitter.push(stream.subarray(produce.length + 7, produce.length + 4000), wanted),
      ...splitter.push(stream.subarray(produce.length + 4000), wanted),
    ];
    expect(frames.map((f) => [f.apiKey, f.correlationId])).toEqual([
      [ApiKeys.produce, 1],
      [ApiKeys.endTxn, 3],
    ]);
    expect(frames[0]?.bytes.equals(produce)).toBe(true);
    expect(frames[1]?.bytes.equals(endTxn)).toBe(true);
  });
});

describe('fault proxy request replay', () => {
  it('captures only the chosen api keys and replays one byte for byte on a new connection, returning the answer', async () => {
    const target = await kafkaLikeServer();
    const p = await FaultProxy.start({ name: 'kafka', target: { host: '127.0.0.1', port: target.port } });
    proxy = p;
    try {
      p.captureRequests([ApiKeys.produce, ApiKeys.endTxn]);
      const c = dial(p.port);
      c.socket.write(Buffer.concat([requestFrame(3, 1, 'meta'), requestFrame(ApiKeys.produce, 2, 'old write')]));
      await waitFor(() => target.seen.length === 2, { timeoutMs: 5000, what: 'both requests forwarded' });
      expect(p.capturedRequests.map((r) => [r.apiKey, r.correlationId, r.connection])).toEqual([
        [ApiKeys.produce, 2, 1],
      ]);
      const captured = p.capturedRequests[0];
      if (captured === undefined) throw new Error('captured');
      const answer = await p.replay(captured);
      expect(answer?.readInt32BE(4)).toBe(2);
      expect(target.seen.map((s) => [s.connection, s.apiKey])).toEqual([
        [1, 3],
        [1, ApiKeys.produce],
        [2, ApiKeys.produce],
      ]);
      expect(target.seen[2]?.bytes.equals(target.seen[1]?.bytes ?? Buffer.alloc(0))).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('duplicateRequests sends each chosen request again on its own new connection, and leaves other requests alone', async () => {
    const target = await kafkaLikeServer();
    const p = await FaultProxy.start({ name: 'kafka', target: { host: '127.0.0.1', port: target.port } });
    proxy = p;
    try {
      p.duplicateRequests([ApiKeys.produce, ApiKeys.endTxn], 50);
      const c = dial(p.port);
      c.socket.write(
        Buffer.concat([
          requestFrame(ApiKeys.produce, 1, 'write'),
          requestFrame(3, 2, 'meta'),
          requestFrame(ApiKeys.endTxn, 3, 'commit'),
        ]),
      );
      // Every answer on the client's connection means the proxy has seen (and scheduled) every request.
      await waitFor(() => c.received().length === 24, { timeoutMs: 5000, what: 'three answers' });
      expect(p.duplicatedRequests).toBe(2);
      await waitFor(() => target.seen.length === 5, { timeoutMs: 10_000, what: 'two duplicates delivered' });
      const duplicates = target.seen.filter((s) => s.connection !== 1);
      expect(duplicates.map((s) => s.apiKey).sort()).toEqual([ApiKeys.produce, ApiKeys.endTxn].sort());
      expect(new Set(duplicates.map((s) => s.connection)).size).toBe(2);
      for (const d of duplicates) {
        expect(target.seen.some((s) => s.connection === 1 && s.bytes.equals(d.bytes))).toBe(true);
      }
      p.duplicateRequests([], 0);
      c.socket.write(requestFrame(ApiKeys.produce, 4, 'after'));
      await waitFor(() => c.received().length === 32, { timeoutMs: 5000, what: 'fourth answer' });
      expect(p.duplicatedRequests).toBe(2);
    } finally {
      await target.close();
    }
  });
});
