/**
 * Connection's memory bounds over real loopback sockets: the broker-wide
 * request-bytes budget pausing reading (and never deadlocking on one frame
 * larger than the budget), and untilSendable holding a response back while
 * the client does not read the one before it.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '@runnel/common';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionContext, type RequestOutcome } from '../src/network/connection.ts';
import { RequestBytesBudget } from '../src/network/request-bytes-budget.ts';
import { turn, waitUntil } from './wait-until.ts';

interface Held {
  readonly id: number;
  readonly context: ConnectionContext;
  finish(outcome: RequestOutcome): void;
}

class Harness {
  readonly held: Held[] = [];
  readonly #server: Server;
  readonly #sockets: Socket[] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(budget: RequestBytesBudget): Promise<Harness> {
    let nextId = 1;
    const harness: Harness = new Harness(
      createServer((socket) => {
        new Connection({
          id: nextId++,
          socket,
          frameBytesMax: 1 << 20,
          framePool: null,
          inflightMax: 64,
          budget,
          logger: silentLogger(),
          onClose: () => {},
          process: (frame, context) =>
            new Promise<RequestOutcome>((finish) => harness.held.push({ id: frame.readInt32BE(0), context, finish })),
        });
      }),
    );
    harness.#server.listen(0, '127.0.0.1');
    await once(harness.#server, 'listening');
    return harness;
  }

  async client(): Promise<Socket> {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const socket = connect(address.port, '127.0.0.1');
    socket.on('error', () => undefined);
    this.#sockets.push(socket);
    await once(socket, 'connect');
    return socket;
  }

  async take(id: number): Promise<Held> {
    return waitUntil(() => this.held.find((h) => h.id === id), `request ${id}`);
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** A request frame whose body is its 4-byte number, padded to `bodyBytes`. */
function frame(id: number, bodyBytes = 4): Buffer {
  const bytes = Buffer.alloc(4 + bodyBytes);
  bytes.writeInt32BE(bodyBytes, 0);
  bytes.writeInt32BE(id, 4);
  return bytes;
}

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

describe('Connection memory bounds', () => {
  it('pauses reading on every connection while the request-bytes budget is spent, and resumes as requests finish', async () => {
    const budget = new RequestBytesBudget(64);
    harness = await Harness.start(budget);
    const [heavy, other] = [await harness.client(), await harness.client()];
    heavy.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(i + 1))));
    await harness.take(10);
    expect(budget.snapshot.inFlightBytes).toBe(80);
    // Read before the budget is checked (it may overshoot by one chunk), then paused.
    other.write(frame(100));
    await harness.take(100);
    other.write(frame(101));
    await waitUntil(() => budget.snapshot.pausedConnections === 2, 'both connections paused');
    expect(harness.held.some((h) => h.id === 101)).toBe(false);
    for (const h of harness.held.filter((held) => held.id <= 10)) h.finish({ kind: 'none' });
    await harness.take(101);
    expect(budget.snapshot.pausedConnections).toBe(0);
  });

  it('admits a frame larger than the whole budget when nothing else is in flight', async () => {
    const budget = new RequestBytesBudget(16);
    harness = await Harness.start(budget);
    const client = await harness.client();
    const big = frame(7, 1000);
    client.write(big.subarray(0, 100));
    await waitUntil(() => budget.snapshot.inFlightBytes === 100, 'the first part read');
    client.write(big.subarray(100));
    const held = await harness.take(7);
    expect(budget.snapshot.inFlightBytes).toBe(1004);
    held.finish({ kind: 'none' });
    await waitUntil(() => budget.snapshot.inFlightBytes === 0, 'the bytes given back');
  });

  it('a parked request that gave its bytes back does not stop a frame larger than the budget getting through', async () => {
    const budget = new RequestBytesBudget(16);
    harness = await Harness.start(budget);
    const [parked, big] = [await harness.client(), await harness.client()];
    parked.write(frame(1));
    // Parks for good (a long poll, a fetch its client never reads), having declared its bytes free.
    (await harness.take(1)).context.requestBytesDone?.();
    expect(budget.snapshot.inFlightBytes).toBe(0);
    const bytes = frame(2, 1000);
    big.write(bytes.subarray(0, 100));
    await waitUntil(() => budget.snapshot.inFlightBytes === 100, 'the first part read');
    big.write(bytes.subarray(100));
    (await harness.take(2)).finish({ kind: 'none' });
  });

  it('untilSendable waits while the client has not read the response before, and says false once it closed', async () => {
    harness = await Harness.start(new RequestBytesBudget(0));
    const client = await harness.client();
    client.pause();
    client.write(Buffer.concat([frame(1), frame(2), frame(3)]));
    const [first, second, third] = [await harness.take(1), await harness.take(2), await harness.take(3)];
    const sendable: (boolean | null)[] = [null, null];
    void second.context.untilSendable?.().then((open) => (sendable[0] = open));
    void third.context.untilSendable?.().then((open) => (sendable[1] = open));
    // 64 MiB the client does not read yet: far more than the kernel's socket buffers take.
    const big = (): Buffer => {
      const bytes = Buffer.alloc(64 * 1024 * 1024);
      bytes.writeInt32BE(bytes.length - 4, 0);
      return bytes;
    };
    first.finish({ kind: 'respond', chunks: [big()] });
    for (let i = 0; i < 10; i++) await turn();
    expect(sendable).toEqual([null, null]);
    client.resume();
    await waitUntil(() => sendable[0] === true, 'the second response to become sendable');
    client.pause();
    second.finish({ kind: 'respond', chunks: [big()] });
    for (let i = 0; i < 10; i++) await turn();
    expect(sendable[1]).toBe(null);
    client.destroy();
    await waitUntil(() => sendable[1] === false, 'untilSendable to say the connection closed');
  });
});
