/**
 * A bare TCP connection for sending hand-made (often broken) frames to a
 * broker and seeing exactly what comes back: response frames, or a close.
 */
import { connect, type Socket } from 'node:net';
import { waitFor } from './wait.ts';

export class RawSocket {
  readonly #socket: Socket;
  #received = Buffer.alloc(0);
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
    });
    socket.on('close', () => {
      this.#closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(bytes: Buffer | readonly Buffer[]): void {
    for (const b of Buffer.isBuffer(bytes) ? [bytes] : bytes) this.#socket.write(b);
  }

  /** The next whole response frame (without its size prefix). */
  async nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    return waitFor(
      () => {
        if (this.#received.length >= 4) {
          const size = this.#received.readInt32BE(0);
          if (this.#received.length >= 4 + size) {
            const frame = this.#received.subarray(4, 4 + size);
            this.#received = this.#received.subarray(4 + size);
            return frame;
          }
        }
        if (this.#closed) throw new Error('connection closed before a response arrived');
        return undefined;
      },
      { timeoutMs, what: 'a response frame' },
    );
  }

  /** Waits for the broker to close the connection. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.#closed, { timeoutMs, what: 'the broker to close the connection' });
  }

  close(): void {
    this.#socket.destroy();
  }
}
