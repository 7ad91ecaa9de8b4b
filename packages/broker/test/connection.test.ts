/**
 * Connection over real loopback sockets with a scripted request processor:
 * each request frame is a 4-byte request number, and the test decides when
 * and how each request completes. Covers pipelining with in-order
 * responses, requests without a response (acks=0), the in-flight bound,
 * claims on recycled memory released once written, bad input or a
 * failing handler closing only its own connection, and a quota mute.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '@runnel/common';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionContext, type RequestOutcome } from '../src/network/connection.ts';
import { waitUntil } from './wait-until.ts';

const frameBytesMax = 1024;

/** One request the processor has been handed, and how to finish it. */
interface Pending {
  readonly id: number;
  readonly connectionId: number;
  /** What the connection handed the processor with this request (as the broker's request processor gets it). */
  readonly context: ConnectionContext;
  finish(outcome: RequestOutcome): void;
  fail(error: Error): void;
}

/** The broker side: a listener making a Connection per socket, with the requests its processor holds. */
class Harness {
  readonly pending: Pending[] = [];
  /** Requests being processed right now, and the most there ever were at once. */
  active = 0;
  activeMax = 0;
  readonly closedConnections: number[] = [];
  readonly connections: Connection[] = [];
  readonly #server: Server;
  readonly #clients: Socket[] = [];
  #nextId = 1;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(inflightMax: number): Promise<Harness> {
    let harness: Harness | null = null;
    const server = createServer((socket) => harness?.accept(socket, inflightMax));
    harness = new Harness(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return harness;
  }

  accept(socket: Socket, inflightMax: number): void {
    const id = this.#nextId++;
    const connection = new Connection({
      id,
      socket,
      frameBytesMax,
      framePool: null,
      inflightMax,
      logger: silentLogger(),
      onClose: () => this.closedConnections.push(id),
      process: (frame, context) =>
        new Promise<RequestOutcome>((resolve, reject) => {
          this.active++;
          this.activeMax = Math.max(this.activeMax, this.active);
          const settle = () => {
            this.active--;
          };
          this.pending.push({
            id: frame.readInt32BE(0),
            connectionId: id,
            context,
            finish: (outcome) => {
              settle();
              resolve(outcome);
            },
            fail: (error) => {
              settle();
              reject(error);
            },
          });
        }),
    });
    this.connections.push(connection);
  }

  /** A client connection that collects the request numbers of the responses it gets. */
  async client(): Promise<Client> {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const socket = connect(address.port, '127.0.0.1');
    this.#clients.push(socket);
    await once(socket, 'connect');
    return new Client(socket);
  }

  /** Waits until the processor holds a request numbered `id` and hands it over. */
  async take(id: number, connectionId?: number): Promise<Pending> {
    return waitUntil(() =>
      this.pending.find((p) => p.id === id && (connectionId === undefined || p.connectionId === connectionId)),
    );
  }

  async stop(): Promise<void> {
    for (const c of this.#clients) c.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

class Client {
  readonly responses: number[] = [];
  closed = false;
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readInt32BE(0)) {
        this.responses.push(this.#buffer.readInt32BE(4));
        this.#buffer = this.#buffer.subarray(4 + this.#buffer.readInt32BE(0));
      }
    });
  }

  /** Writes the frames of `ids` in one write (so they reach the broker in one chunk). */
  send(...ids: number[]): void {
    this.#socket.write(Buffer.concat(ids.map(requestFrame)));
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  close(): void {
    this.#socket.destroy();
  }
}

function requestFrame(id: number): Buffer {
  const frame = Buffer.alloc(8);
  frame.writeInt32BE(4, 0);
  frame.writeInt32BE(id, 4);
  return frame;
}

/** The response frame a request gets: its number, size-prefixed. */
function respond(id: number): RequestOutcome {
  return { kind: 'respond', chunks: [requestFrame(id)] };
}

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.stop();
  harness = null;
});

describe('Connection', () => {
  it('a muted connection still answers at once, then reads no request until the mute ends (KIP-219)', async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    client.send(1);
    const first = await harness.take(1);
    const mutedAt = performance.now();
    // Through the context the request processor gets, as a quota throttle mutes it.
    expect(first.context.muteForMs).toBeDefined();
    first.context.muteForMs?.(300);
    first.finish(respond(1));
    await waitUntil(() => client.responses.includes(1), 'the answer of the request that earned the mute');
    client.send(2);
    await harness.take(2);
    // A lower bound only: the mute may end late on a loaded machine, never early.
    expect(performance.now() - mutedAt).toBeGreaterThanOrEqual(295);
  });

  it('handles pipelined requests concurrently and writes their responses in request order', async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    client.send(1, 2, 3);
    const [one, two, three] = await Promise.all([harness.take(1), harness.take(2), harness.take(3)]);
    expect(harness.active).toBe(3);
    three.finish(respond(3));
    two.finish(respond(2));
    // 3 and 2 are done, but 1 is not: nothing may be written yet.
    await harness.take(3);
    expect(client.responses).toEqual([]);
    one.finish(respond(1));
    await waitUntil(() => client.responses.length === 3, 'three responses');
    expect(client.responses).toEqual([1, 2, 3]);
  });

  it('a request without a response (acks=0) sends nothing and does not hold back the next one', async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    client.send(1, 2, 3);
    const [one, two, three] = await Promise.all([harness.take(1), harness.take(2), harness.take(3)]);
    two.finish({ kind: 'none' });
    three.finish(respond(3));
    one.finish(respond(1));
    await waitUntil(() => client.responses.length === 2, 'two responses');
    client.send(4);
    (await harness.take(4)).finish(respond(4));
    await waitUntil(() => client.responses.length === 3, 'the response to 4');
    expect(client.responses).toEqual([1, 3, 4]);
  });

  it('never has more than inflightMax requests in hand, even when one chunk carries more; the rest follow in order', async () => {
    harness = await Harness.start(2);
    const client = await harness.client();
    client.send(1, 2, 3, 4, 5);
    const one = await harness.take(1);
    await harness.take(2);
    expect(harness.pending.map((p) => p.id)).toEqual([1, 2]);
    one.finish(respond(1));
    // Request 1's slot goes to request 3, and only then.
    await harness.take(3);
    expect(harness.active).toBe(2);
    for (const id of [2, 3, 4, 5]) (await harness.take(id)).finish(respond(id));
    await waitUntil(() => client.responses.length === 5, 'five responses');
    expect(client.responses).toEqual([1, 2, 3, 4, 5]);
    expect(harness.activeMax).toBe(2);
  });

  it('a response not yet written holds its slot: a slow first request stalls dispatch at inflightMax', async () => {
    harness = await Harness.start(2);
    const client = await harness.client();
    client.send(1, 2, 3);
    const one = await harness.take(1);
    (await harness.take(2)).finish(respond(2));
    // 2 is done but cannot be written before 1, so it still counts: 3 waits.
    client.send(4);
    await waitUntil(() => harness?.active === 1, 'request 2 to finish');
    expect(harness.pending.some((p) => p.id === 3)).toBe(false);
    one.finish(respond(1));
    (await harness.take(3)).finish(respond(3));
    (await harness.take(4)).finish(respond(4));
    await waitUntil(() => client.responses.length === 4, 'four responses');
    expect(client.responses).toEqual([1, 2, 3, 4]);
  });

  it('a frame larger than the limit closes that connection only; another keeps being served', async () => {
    harness = await Harness.start(8);
    const bad = await harness.client();
    const good = await harness.client();
    const oversized = Buffer.alloc(8);
    oversized.writeInt32BE(frameBytesMax + 1, 0);
    bad.write(oversized);
    await waitUntil(() => bad.closed, 'the oversized frame to close its connection');
    expect(harness.closedConnections).toEqual([1]);
    expect(harness.pending).toEqual([]);
    good.send(7);
    (await harness.take(7)).finish(respond(7));
    await waitUntil(() => good.responses.length === 1, 'the other connection to be answered');
    expect(good.responses).toEqual([7]);
    expect(good.closed).toBe(false);
  });

  it('a negative frame size closes the connection, dropping requests still in hand', async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    client.send(1);
    const one = await harness.take(1);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-1, 0);
    client.write(negative);
    await waitUntil(() => client.closed, 'the connection to close');
    one.finish(respond(1));
    expect(client.responses).toEqual([]);
  });

  it('a bad request (close outcome) closes its connection after the responses before it; others are unaffected', async () => {
    harness = await Harness.start(8);
    const bad = await harness.client();
    const good = await harness.client();
    bad.send(1, 2, 3);
    const [one, two, three] = await Promise.all([harness.take(1, 1), harness.take(2, 1), harness.take(3, 1)]);
    three.finish(respond(3));
    two.finish({ kind: 'close', reason: 'malformed request' });
    one.finish(respond(1));
    await waitUntil(() => bad.closed, 'the bad connection to close');
    expect(bad.responses).toEqual([1]);
    good.send(9);
    (await harness.take(9, 2)).finish(respond(9));
    await waitUntil(() => good.responses.length === 1, 'the good connection to be answered');
    expect(good.responses).toEqual([9]);
  });

  it('a handler that throws closes that connection (a bug, not bad input); others are unaffected', async () => {
    harness = await Harness.start(8);
    const failing = await harness.client();
    const other = await harness.client();
    failing.send(1);
    other.send(2);
    (await harness.take(1, 1)).fail(new Error('handler bug'));
    await waitUntil(() => failing.closed, 'the failing connection to close');
    (await harness.take(2, 2)).finish(respond(2));
    await waitUntil(() => other.responses.length === 1, 'the other connection to be answered');
    expect(other.closed).toBe(false);
    expect(harness.closedConnections).toEqual([1]);
  });

  it("a response's claims are released once it is written, and not before; a dropped one keeps them", async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    const dropped = await harness.client();
    const released: number[] = [];
    const claim = (id: number) => ({ release: () => released.push(id) });
    client.send(1, 2);
    dropped.send(3);
    const [one, two, three] = await Promise.all([harness.take(1, 1), harness.take(2, 1), harness.take(3, 2)]);
    // 2 is done but waits for 1: nothing written, nothing released.
    two.finish({ kind: 'respond', chunks: [requestFrame(2)], claims: [claim(2), claim(22)] });
    await harness.take(2);
    expect(released).toEqual([]);
    one.finish({ kind: 'respond', chunks: [requestFrame(1)], claims: [claim(1)] });
    await waitUntil(() => released.length === 3, 'the claims of both responses');
    expect(released).toEqual([1, 2, 22]);
    expect(client.responses).toEqual([1, 2]);
    dropped.close();
    await waitUntil(() => harness?.closedConnections.includes(2), 'the other connection to close');
    three.finish({ kind: 'respond', chunks: [requestFrame(3)], claims: [claim(3)] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual([1, 2, 22]);
  });

  it('a frame split across many writes is assembled and answered once', async () => {
    harness = await Harness.start(8);
    const client = await harness.client();
    const frame = requestFrame(42);
    for (const byte of frame) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    (await harness.take(42)).finish(respond(42));
    await waitUntil(() => client.responses.length === 1, 'the response');
    expect(client.responses).toEqual([42]);
    expect(harness.pending).toHaveLength(1);
  });
});
