/**
 * The Kafka listener's connection limits over real loopback sockets, with
 * a clock the test moves: per-address limits and their overrides (a second
 * loopback address, 127.0.0.2, is another client), max.connections, the
 * idle timeout, the read deadline of a started request, and the creation
 * rate holding connections back instead of refusing them. The processor
 * echoes each frame, or (frame "hold") never answers.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { silentLogger } from '@runnel/common';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../src/network/connection.ts';
import { ConnectionMetrics } from '../src/network/connection-metrics.ts';
import { KafkaServer, type ListenerLimits } from '../src/network/kafka-server.ts';
import { waitUntil } from './wait-until.ts';

const unlimited = 2_147_483_647;
const baseLimits: ListenerLimits = {
  connectionsMax: 100,
  connectionsPerIpMax: 100,
  connectionsPerIpOverrides: new Map(),
  connectionCreationRateMax: unlimited,
  idleMsMax: -1,
  frameReadMsMax: -1,
};

let servers: KafkaServer[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  sockets = [];
});

async function start(limits: Partial<ListenerLimits>, inflightMax = 4) {
  const clock = { now: 0 };
  const registry = new Registry();
  const server = await KafkaServer.bind({
    host: '0.0.0.0',
    port: 0,
    limits: { ...baseLimits, ...limits },
    nowMs: () => clock.now,
    metrics: new ConnectionMetrics(registry),
    frameBytesMax: 1024,
    framePool: null,
    inflightMax,
    logger: silentLogger(),
    process: (frame) =>
      frame.toString() === 'hold'
        ? new Promise<RequestOutcome>(() => {})
        : Promise.resolve({ kind: 'respond', chunks: [sizePrefix(frame.length), Buffer.from(frame)] }),
  });
  servers.push(server);
  server.serve();
  const closedTotal = async (reason: string): Promise<number> => {
    const metric = await registry.getSingleMetric('runnel_listener_connections_closed_total')?.get();
    return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };
  const throttledTotal = async (): Promise<number> =>
    (await registry.getSingleMetric('runnel_listener_connections_throttled_total')?.get())?.values[0]?.value ?? 0;
  return { server, clock, closedTotal, throttledTotal };
}

function sizePrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

interface Client {
  socket: Socket;
  closed: boolean;
  received: Buffer;
}

async function open(port: number, localAddress = '127.0.0.1'): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  const client: Client = { socket, closed: false, received: Buffer.alloc(0) };
  socket.on('data', (chunk: Buffer) => {
    client.received = Buffer.concat([client.received, chunk]);
  });
  socket.on('close', () => {
    client.closed = true;
  });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return client;
}

async function echoes(client: Client, text: string): Promise<boolean> {
  const before = client.received.length;
  client.socket.write(Buffer.concat([sizePrefix(text.length), Buffer.from(text)]));
  await waitUntil(() => client.closed || client.received.length >= before + 4 + text.length, 'an echo');
  return client.received.subarray(before + 4).toString() === text;
}

describe('KafkaServer connection limits', () => {
  it('closes connections beyond max.connections.per.ip; another address and an override are served', async () => {
    const { server, closedTotal } = await start({
      connectionsPerIpMax: 2,
      connectionsPerIpOverrides: new Map([['127.0.0.3', 3]]),
    });
    const [a, b] = [await open(server.port), await open(server.port)];
    const third = await open(server.port);
    await waitUntil(() => third.closed, 'the third connection from 127.0.0.1 to close');
    expect(await echoes(a, 'a')).toBe(true);
    expect(await echoes(b, 'b')).toBe(true);
    const other = await open(server.port, '127.0.0.2');
    expect(await echoes(other, 'other')).toBe(true);
    const overridden = [1, 2, 3].map(() => open(server.port, '127.0.0.3'));
    for (const c of await Promise.all(overridden)) expect(await echoes(c, 'x')).toBe(true);
    expect(await closedTotal('per_ip')).toBe(1);
    // A closed connection frees its address's slot.
    a.socket.destroy();
    await waitUntil(() => server.connectionCount === 5, 'the closed connection to be forgotten');
    expect(await echoes(await open(server.port), 'again')).toBe(true);
  });

  it('max.connections refuses every address once full, and serves again when one leaves', async () => {
    const { server, closedTotal } = await start({ connectionsMax: 2 });
    const a = await open(server.port);
    await open(server.port, '127.0.0.2');
    const refused = await open(server.port, '127.0.0.3');
    await waitUntil(() => refused.closed, 'the connection beyond max.connections to close');
    expect(await closedTotal('max_connections')).toBe(1);
    a.socket.destroy();
    await waitUntil(() => server.connectionCount === 1, 'a slot to free');
    expect(await echoes(await open(server.port, '127.0.0.3'), 'in')).toBe(true);
  });

  it('closes a connection idle for connections.max.idle.ms, but not one with a request in flight', async () => {
    const { server, clock, closedTotal } = await start({ idleMsMax: 1000 });
    const idle = await open(server.port);
    const busy = await open(server.port);
    expect(await echoes(idle, 'once')).toBe(true);
    busy.socket.write(Buffer.concat([sizePrefix(4), Buffer.from('hold')]));
    await waitUntil(() => server.activities.some((a) => a.inflight === 1), 'the held request to be in flight');
    clock.now = 999;
    expect(await echoes(idle, 'still')).toBe(true);
    clock.now = 999 + 1000;
    await waitUntil(() => idle.closed, 'the idle connection to close');
    expect(busy.closed).toBe(false);
    expect(await closedTotal('idle')).toBe(1);
  });

  it('closes a connection whose started request does not arrive within the read deadline, bytes trickling or not', async () => {
    const { server, clock, closedTotal } = await start({ frameReadMsMax: 300, idleMsMax: 10_000 });
    const slow = await open(server.port);
    const fine = await open(server.port);
    slow.socket.write(sizePrefix(100));
    slow.socket.write('a few bytes');
    await waitUntil(() => server.activities.some((a) => a.frameStartedMs === 0), 'the request to have started');
    clock.now = 200;
    slow.socket.write('more');
    await waitUntil(() => server.activities.some((a) => a.lastActivityMs === 200), 'more bytes to arrive');
    expect(await echoes(fine, 'between')).toBe(true);
    clock.now = 300;
    await waitUntil(() => slow.closed, 'the slow sender to be closed');
    expect(fine.closed).toBe(false);
    expect(await closedTotal('deadline')).toBe(1);
  });

  it('does not time a started request while the broker itself has paused reading (in-flight limit)', async () => {
    const { server, clock, closedTotal } = await start({ frameReadMsMax: 300, idleMsMax: 10_000 }, 1);
    const client = await open(server.port);
    // One request the processor never answers fills the in-flight limit; the next one is only begun.
    client.socket.write(Buffer.concat([sizePrefix(4), Buffer.from('hold'), sizePrefix(100), Buffer.from('begun')]));
    await waitUntil(() => server.activities.some((a) => a.inflight === 1), 'the held request to be in flight');
    clock.now = 5000;
    // A sweep has run at the new time once a connection that is closable is closed: open one and wait for that.
    const silent = await open(server.port);
    await waitUntil(() => server.connectionCount === 2, 'the silent connection to be served');
    clock.now = 15_001;
    await waitUntil(() => silent.closed, 'the silent connection to be closed as idle');
    expect(client.closed).toBe(false);
    expect(await closedTotal('deadline')).toBe(0);
  });

  it('max.connection.creation.rate holds connections beyond the rate back and then serves them, refusing none', async () => {
    const { server, throttledTotal } = await start({ connectionCreationRateMax: 2 });
    const clients = await Promise.all([1, 2, 3].map(() => open(server.port)));
    const answers = await Promise.all(clients.map((c, i) => echoes(c, `c${i}`)));
    expect(answers).toEqual([true, true, true]);
    expect(await throttledTotal()).toBe(1);
  });

  it('a lowered per-address limit applies to new connections only', async () => {
    const { server } = await start({});
    const kept = await Promise.all([1, 2, 3].map(() => open(server.port)));
    await waitUntil(() => server.connectionCount === 3, 'three connections');
    server.reconfigure({ ...baseLimits, connectionsPerIpMax: 1 });
    const refused = await open(server.port);
    await waitUntil(() => refused.closed, 'the new connection to be refused');
    for (const c of kept) expect(await echoes(c, 'kept')).toBe(true);
  });
});
