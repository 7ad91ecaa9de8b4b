/**
 * gRPC's wire format spoken directly over node:http2, for the replication
 * port's hot stream (ReplicaFetch) and the unary calls that share the port
 * (TxnMarkers). It is the same protocol grpc-js speaks — HTTP/2 POST to
 * /package.Service/Method, `application/grpc` content, messages framed as a
 * 1-byte compressed flag and a 4-byte big-endian length, the status in the
 * `grpc-status` trailer — so grpc-js clients and servers interoperate with
 * it (tests prove both directions).
 *
 * Why not grpc-js here: grpc-js copies every outgoing message into a new
 * framed buffer, after protobufjs has copied the records into the encoding;
 * at replication rates those copies were the leader's largest cost. Here a
 * message goes out as a list of buffers — the record bytes a view of the
 * log's own, never copied in JavaScript — and comes in as one contiguous
 * buffer. `npm run bench:rpc` measures both on the same messages: a round
 * trip with 1 MiB of records costs 1.5 ms of CPU against grpc-js's 3.2 ms,
 * a small one 165 against 190 µs (BENCHMARKS.md).
 *
 * Only what Runnel's calls need: no compression (a compressed message is
 * refused with UNIMPLEMENTED), no deadlines in headers (callers time out
 * themselves), plaintext HTTP/2.
 */
import type { ClientHttp2Stream, Http2Stream, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { constants as h2 } from 'node:http2';

/** gRPC status codes Runnel uses (the numbers are the protocol's). */
export const grpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export type GrpcStatusCode = (typeof grpcStatus)[keyof typeof grpcStatus];

export const grpcContentType = 'application/grpc+proto';

/**
 * Where a reader puts messages that span chunks: recycled memory (a
 * broker's FramePool) instead of a fresh allocation per message, whose
 * churn of external memory drove V8 to full collections at replication
 * rates. `release` is called once, when nothing will read the bytes again.
 */
export interface MessageMemory {
  acquire(sizeBytes: number): { buffer: Buffer; release: () => void } | null;
}

/** One received message; `release` (when not null) returns its memory once the bytes are no longer read. */
export interface ReceivedMessage {
  readonly bytes: Buffer;
  readonly release: (() => void) | null;
}

/**
 * Length-prefixed message framing: reassembles messages from HTTP/2 DATA
 * chunks. A message inside one chunk comes out as a view of it; a message
 * spanning chunks is copied once, chunk by chunk as each arrives (while it
 * is still in cache), into a buffer of the length its prefix announced.
 * That buffer is allocated uninitialized: its pages take memory only as
 * bytes land in them, so an announced length the peer never sends costs no
 * resident memory. Holds nothing else between pushes but a partial prefix.
 */
export class GrpcMessageReader {
  readonly #messageBytesMax: number;
  readonly #memory: MessageMemory | null;
  readonly #prefix = Buffer.alloc(5);
  #prefixFilled = 0;
  /** The message being filled, when it spans chunks. */
  #target: Buffer | null = null;
  #targetRelease: (() => void) | null = null;
  #filled = 0;

  constructor(messageBytesMax: number, memory: MessageMemory | null = null) {
    this.#messageBytesMax = messageBytesMax;
    this.#memory = memory;
  }

  /** Gives back the memory of a message not completed (the stream ended mid-message). */
  discard(): void {
    this.#targetRelease?.();
    this.#target = null;
    this.#targetRelease = null;
  }

  /** Bytes of an incomplete message received so far (prefix included). */
  get pendingBytes(): number {
    return this.#target === null ? this.#prefixFilled : 5 + this.#filled;
  }

  /**
   * The complete messages `chunk` finishes, in order. Throws GrpcWireError
   * for a compressed or oversized message (as soon as its prefix arrives);
   * the stream is then unusable. Linear in the bytes pushed, however small
   * the chunks.
   */
  push(chunk: Buffer): ReceivedMessage[] {
    const out: ReceivedMessage[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      const target = this.#target;
      if (target !== null) {
        const n = Math.min(rest.length, target.length - this.#filled);
        rest.copy(target, this.#filled, 0, n);
        this.#filled += n;
        rest = rest.subarray(n);
        if (this.#filled === target.length) {
          out.push({ bytes: target, release: this.#targetRelease });
          this.#target = null;
          this.#targetRelease = null;
        }
        continue;
      }
      const n = Math.min(rest.length, 5 - this.#prefixFilled);
      rest.copy(this.#prefix, this.#prefixFilled, 0, n);
      this.#prefixFilled += n;
      rest = rest.subarray(n);
      if (this.#prefixFilled < 5) break;
      this.#prefixFilled = 0;
      const length = this.#messageLength();
      if (rest.length >= length) {
        out.push({ bytes: rest.subarray(0, length), release: null });
        rest = rest.subarray(length);
      } else {
        const pooled = this.#memory?.acquire(length) ?? null;
        this.#target = pooled?.buffer ?? Buffer.allocUnsafe(length);
        this.#targetRelease = pooled?.release ?? null;
        this.#filled = 0;
      }
    }
    return out;
  }

  /** The length the complete prefix announces, checked. */
  #messageLength(): number {
    if (this.#prefix[0] !== 0) throw new GrpcWireError(grpcStatus.UNIMPLEMENTED, 'compressed messages');
    const length = this.#prefix.readUInt32BE(1);
    if (length > this.#messageBytesMax) {
      throw new GrpcWireError(
        grpcStatus.RESOURCE_EXHAUSTED,
        `message of ${length} bytes over ${this.#messageBytesMax}`,
      );
    }
    return length;
  }
}

export class GrpcWireError extends Error {
  readonly code: GrpcStatusCode;
  constructor(code: GrpcStatusCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The 5-byte prefix of an uncompressed message of `length` bytes. */
export function messagePrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/**
 * Writes one message made of `parts` (concatenated, they are the protobuf
 * encoding). `done` runs once every part has been handed to the socket (or
 * the stream failed): only then may the caller reuse the parts' memory.
 * Returns false when the stream's buffer is full (wait for 'drain').
 */
export function writeMessage(stream: Http2Stream, parts: readonly Buffer[], done?: () => void): boolean {
  let length = 0;
  for (const p of parts) length += p.length;
  stream.cork();
  stream.write(messagePrefix(length));
  let ok = true;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    ok = stream.write(parts[i], last ? done : undefined);
  }
  if (parts.length === 0 && done !== undefined) done();
  stream.uncork();
  return ok;
}

/** Percent-encoding of grpc-message (the protocol's rule: printable ASCII but '%' passes as is). */
export function encodeGrpcMessage(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A call's end on the server: a trailers-only response when nothing was sent yet, trailers otherwise. */
export function endCall(stream: ServerHttp2Stream, code: GrpcStatusCode, details = ''): void {
  if (stream.destroyed || stream.closed) return;
  const status = {
    'grpc-status': String(code),
    ...(details === '' ? {} : { 'grpc-message': encodeGrpcMessage(details) }),
  };
  if (!stream.headersSent) {
    stream.respond({ [h2.HTTP2_HEADER_STATUS]: 200, 'content-type': grpcContentType, ...status }, { endStream: true });
    return;
  }
  if (stream.writableEnded) return;
  stream.once('wantTrailers', () => {
    if (!stream.destroyed) stream.sendTrailers(status);
  });
  stream.end();
}

/** Response headers that open a streamed answer (trailers follow via endCall). */
export function respondOk(stream: ServerHttp2Stream): void {
  if (!stream.headersSent) {
    stream.respond({ [h2.HTTP2_HEADER_STATUS]: 200, 'content-type': grpcContentType }, { waitForTrailers: true });
  }
}

/** The status a client reads from response headers or trailers; null when neither carries one yet. */
export function statusOf(headers: IncomingHttpHeaders): { code: number; details: string } | null {
  const raw = headers['grpc-status'];
  if (raw === undefined) return null;
  const code = Number(raw);
  const message = headers['grpc-message'];
  return {
    code: Number.isInteger(code) ? code : grpcStatus.UNKNOWN,
    details: typeof message === 'string' ? decodeGrpcMessage(message) : '',
  };
}

/** Request headers of a call to `path` (/package.Service/Method). */
export function callHeaders(path: string): Record<string, string> {
  return {
    [h2.HTTP2_HEADER_METHOD]: 'POST',
    [h2.HTTP2_HEADER_PATH]: path,
    [h2.HTTP2_HEADER_SCHEME]: 'http',
    'content-type': grpcContentType,
    te: 'trailers',
  };
}

/** Whether a request is a gRPC call this server can read: POST, gRPC content, identity encoding. */
export function grpcRequestProblem(headers: IncomingHttpHeaders): { code: GrpcStatusCode; details: string } | null {
  const contentType = headers['content-type'];
  if (headers[h2.HTTP2_HEADER_METHOD] !== 'POST' || contentType?.startsWith('application/grpc') !== true) {
    return { code: grpcStatus.UNIMPLEMENTED, details: 'not a gRPC call' };
  }
  const encoding = headers['grpc-encoding'];
  if (encoding !== undefined && encoding !== 'identity') {
    return { code: grpcStatus.UNIMPLEMENTED, details: `grpc-encoding ${String(encoding)} not supported` };
  }
  return null;
}

export type { ClientHttp2Stream };
