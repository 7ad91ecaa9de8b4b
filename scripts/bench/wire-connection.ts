/**
 * A raw Kafka connection for the load generator: writes pre-encoded request
 * frames with a fresh correlation id, splits the response stream into frames
 * and hands each to the request that caused it. Kafka answers in request
 * order on a connection, so a FIFO of waiters is all the matching needed; the
 * correlation id is still checked, because a mismatch would mean the bench
 * measures garbage.
 *
 * Owned by one load-generator run. A socket error, or the peer closing,
 * rejects every waiting request; the connection is unusable afterwards.
 */
import { connect, type Socket } from 'node:net';
import { assert } from '@runnel/common';
import { FrameReceiver } from './frame-receiver.ts';

/** Request header v1/v2: int32 size, int16 apiKey, int16 apiVersion, int32 correlationId. */
const CORRELATION_ID_AT = 8;

interface Waiter {
  correlationId: number;
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
}

export class WireConnection {
  readonly #socket: Socket;
  readonly #waiters: Waiter[] = [];
  #nextCorrelationId = 1;
  #failure: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed by peer')));
  }

  static open(host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      // The receiver needs the connection and the socket needs the receiver: a late-bound hop.
      let connection: WireConnection | null = null;
      const receiver = new FrameReceiver((frame) => {
        assert(connection !== null, 'a response before any request');
        connection.#deliver(frame);
      });
      const socket = connect({ host, port, onread: receiver.onread });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        connection = new WireConnection(socket);
        resolve(connection);
      });
    });
  }

  /**
   * Sends `frame` (from encodeRequestFrame: size prefix first, header next).
   * Only a copy of the first chunk, which holds the header, is patched; the
   * other chunks (record batches) are shared by every request in flight and
   * never written to. Resolves with the response frame after its size prefix,
   * a view into reused receive buffers: read it before the next socket read
   * (in the continuation of this promise), never later.
   */
  send(frame: readonly Buffer[]): Promise<Buffer> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const first = frame[0];
    assert(first !== undefined && first.length >= CORRELATION_ID_AT + 4, 'request frame lacks a header');
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) & 0x7fffffff;
    const head = Buffer.from(first);
    head.writeInt32BE(correlationId, CORRELATION_ID_AT);
    const answered = new Promise<Buffer>((resolve, reject) => {
      this.#waiters.push({ correlationId, resolve, reject });
    });
    this.#socket.cork();
    this.#socket.write(head);
    for (let i = 1; i < frame.length; i++) this.#socket.write(frame[i] as Buffer);
    this.#socket.uncork();
    return answered;
  }

  close(): void {
    this.#failure ??= new Error('connection closed');
    this.#socket.destroy();
  }

  #deliver(frame: Buffer): void {
    const waiter = this.#waiters.shift();
    assert(waiter !== undefined, 'response with no request waiting');
    const correlationId = frame.readInt32BE(0);
    assert(
      correlationId === waiter.correlationId,
      `response ${correlationId} arrived for request ${waiter.correlationId}`,
    );
    waiter.resolve(frame);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
  }
}
