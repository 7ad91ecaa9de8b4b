/**
 * Kafka request frames as the fault proxy sees them: a splitter that cuts
 * a client's byte stream into size-prefixed frames and reads each one's
 * request header (api key, version, correlation id), and a one-shot sender
 * that writes a frame on a fresh connection and waits for one response frame.
 *
 * The wire grammar (every Kafka request, any header version):
 *   Frame          => Size:int32 Payload[Size]
 *   Payload header => ApiKey:int16 ApiVersion:int16 CorrelationId:int32 ...
 *
 * The splitter joins and copies only the frames it hands out, and counts
 * the others' bytes past; it is owned by one
 * connection's pipe. A frame too short to hold a header is a bug in the
 * peer, and is passed through uncaptured (the broker answers it).
 */
import { createConnection } from 'node:net';

export interface RequestFrame {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The whole frame, size prefix included: what a replay writes. */
  bytes: Buffer;
}

export class RequestFrameSplitter {
  /** Bytes of the current frame not yet seen, held since the frame is wanted. */
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current, unwanted frame still to pass by. */
  #skip = 0;

  /** Feeds the next chunk of the stream; returns the completed frames whose api key is `wanted` (copied). */
  push(chunk: Buffer, wanted: (apiKey: number) => boolean): RequestFrame[] {
    const frames: RequestFrame[] = [];
    let data = chunk;
    for (;;) {
      if (this.#skip > 0) {
        const passed = Math.min(this.#skip, data.length);
        this.#skip -= passed;
        data = data.subarray(passed);
        if (this.#skip > 0) return frames;
      }
      const buffer = this.#pending.length === 0 ? data : Buffer.concat([this.#pending, data]);
      this.#pending = Buffer.alloc(0);
      // Size and api key: enough to decide whether this frame is worth keeping.
      if (buffer.length < 6) {
        this.#pending = Buffer.from(buffer);
        return frames;
      }
      const total = 4 + Math.max(0, buffer.readInt32BE(0));
      if (total < 12 || !wanted(buffer.readInt16BE(4))) {
        // Not kept: only count its bytes past, so big unwanted frames are never joined.
        this.#skip = total;
        data = buffer;
        continue;
      }
      if (buffer.length < total) {
        this.#pending = Buffer.from(buffer);
        return frames;
      }
      const frame = buffer.subarray(0, total);
      frames.push({
        apiKey: frame.readInt16BE(4),
        apiVersion: frame.readInt16BE(6),
        correlationId: frame.readInt32BE(8),
        // A copy: the chunk it came in belongs to the stream, which moves on.
        bytes: Buffer.from(frame),
      });
      data = buffer.subarray(total);
    }
  }
}

/**
 * Writes `frame` on a new connection to `target` and resolves with the first
 * response frame (size prefix included), or null when the connection fails,
 * closes first, or `responseTimeoutMs` passes (acks=0 Produce has no answer).
 */
export function sendOnNewConnection(
  target: { host: string; port: number },
  frame: Buffer,
  responseTimeoutMs: number,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: target.host, port: target.port });
    let received = Buffer.alloc(0);
    const finish = (response: Buffer | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const timer = setTimeout(() => finish(null), responseTimeoutMs);
    socket.on('error', () => finish(null));
    socket.once('close', () => finish(null));
    socket.once('connect', () => socket.write(frame));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        finish(received.subarray(0, 4 + received.readInt32BE(0)));
      }
    });
  });
}
