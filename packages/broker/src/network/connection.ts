/**
 * One client connection: frames in, responses out in request order.
 *
 * Requests are handled concurrently (pipelining), but responses are written
 * strictly in the order the requests arrived. A request answered with no
 * response (acks=0 produce) just frees its slot. At most `inflightMax`
 * requests are handled or waiting to be written at once: frames beyond that
 * (one socket chunk can hold hundreds of small requests) wait, undecoded,
 * for a slot. Reading pauses while any frame waits or the socket's write
 * buffer is full, so one client cannot make the broker buffer or work
 * without bound.
 *
 * Owned by KafkaServer. After `close` (bad input, a handler bug, or the
 * peer leaving) pending responses are dropped and the socket destroyed.
 */
import type { Socket } from 'node:net';
import type { Logger } from '@runnel/common';
import type { FrameClaim, FramePool } from './frame-pool.ts';
import { FrameReader } from './frame-reader.ts';

/** What a request produced: response chunks, nothing (no response is sent), or a reason to close the connection. */
export type RequestOutcome =
  /** `claims` (on recycled memory the chunks view) are released once the chunks are written. */
  | { kind: 'respond'; chunks: Buffer[]; claims?: readonly FrameClaim[] }
  | { kind: 'none' }
  | { kind: 'close'; reason: string };

export interface ConnectionContext {
  readonly id: number;
  readonly remoteAddress: string;
  /** Stops reading (and starting) requests for `ms`; responses still go out (KIP-219's muted channel). */
  muteForMs?(ms: number): void;
}

/** Handles one frame; `claim` (a pooled frame's) passes to it, to release when the frame's bytes are free. */
export type RequestProcessor = (
  frame: Buffer,
  connection: ConnectionContext,
  claim: FrameClaim | null,
) => Promise<RequestOutcome>;

interface WaitingFrame {
  readonly frame: Buffer;
  readonly claim: FrameClaim | null;
}

const writeBufferBytesHigh = 16 * 1024 * 1024;
const closeGraceMs = 2000;

export class Connection implements ConnectionContext {
  readonly id: number;
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #process: RequestProcessor;
  readonly #logger: Logger;
  readonly #inflightMax: number;
  /** Outcomes by sequence number, waiting for their turn to be written. */
  readonly #ready = new Map<number, RequestOutcome>();
  /** Frames read but not dispatched yet, from #waitingHead on: at most one chunk's worth (reading pauses while any wait). */
  #waiting: WaitingFrame[] = [];
  #waitingHead = 0;
  #nextSeq = 0;
  #nextToWrite = 0;
  #closed = false;
  #paused = false;
  /** Set while a quota throttle mutes the connection. */
  #muteTimer: NodeJS.Timeout | null = null;
  #mutedUntilMs = 0;

  constructor(options: {
    id: number;
    socket: Socket;
    frameBytesMax: number;
    /** Where large frames are assembled; null allocates each. */
    framePool: FramePool | null;
    inflightMax: number;
    process: RequestProcessor;
    logger: Logger;
    onClose: () => void;
  }) {
    this.id = options.id;
    this.#socket = options.socket;
    this.remoteAddress = `${options.socket.remoteAddress ?? '?'}:${options.socket.remotePort ?? '?'}`;
    this.#reader = new FrameReader(options.frameBytesMax, options.framePool);
    this.#process = options.process;
    this.#inflightMax = options.inflightMax;
    this.#logger = options.logger.child({ connection: this.id, remote: this.remoteAddress });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('drain', () => this.#maybeResume());
    this.#socket.on('error', (error) => this.#logger.debug({ err: error.message }, 'socket error'));
    this.#socket.on('close', () => {
      this.#closed = true;
      if (this.#muteTimer !== null) clearTimeout(this.#muteTimer);
      this.#ready.clear();
      this.#waiting = [];
      options.onClose();
    });
  }

  /** Requests dispatched whose response (or absence of one) is not written yet. */
  get inflight(): number {
    return this.#nextSeq - this.#nextToWrite;
  }

  /** Closes the connection; responses already written are still flushed to the peer. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready.clear();
    this.#waiting = [];
    this.#logger.warn({ reason }, 'closing connection');
    this.#socket.end(() => this.#socket.destroy());
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.#socket.destroy(), closeGraceMs).unref();
  }

  muteForMs(ms: number): void {
    const until = Date.now() + ms;
    if (this.#closed || ms <= 0 || until <= this.#mutedUntilMs) return;
    this.#mutedUntilMs = until;
    if (this.#muteTimer !== null) clearTimeout(this.#muteTimer);
    this.#muteTimer = setTimeout(() => {
      this.#muteTimer = null;
      this.#dispatchWaiting();
      this.#maybeResume();
    }, ms);
    this.#maybePause();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    for (const event of this.#reader.push(chunk)) {
      if (event.kind === 'oversized') {
        this.close(`request size ${event.sizeBytes} outside 0..socket.request.max.bytes`);
        return;
      }
      this.#waiting.push({ frame: event.frame, claim: event.claim });
    }
    this.#dispatchWaiting();
    this.#maybePause();
  }

  #dispatchWaiting(): void {
    while (!this.#closed && this.#muteTimer === null && this.inflight < this.#inflightMax) {
      const waiting = this.#waiting[this.#waitingHead];
      if (waiting === undefined) break;
      this.#waitingHead++;
      this.#dispatch(waiting);
    }
    // An index instead of shift(): a chunk of many small frames drains in linear time.
    if (this.#waitingHead >= this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    }
  }

  #dispatch({ frame, claim }: WaitingFrame): void {
    const seq = this.#nextSeq++;
    this.#process(frame, this, claim).then(
      (outcome) => this.#complete(seq, outcome),
      (error: unknown) => {
        // A handler threw: a bug, not bad input. Keep serving others; drop this connection.
        this.#logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'request handler failed');
        this.#complete(seq, { kind: 'close', reason: 'internal error while handling request' });
      },
    );
  }

  #complete(seq: number, outcome: RequestOutcome): void {
    if (this.#closed) return;
    this.#ready.set(seq, outcome);
    let wrote = false;
    for (;;) {
      const next = this.#ready.get(this.#nextToWrite);
      if (next === undefined) break;
      this.#ready.delete(this.#nextToWrite);
      this.#nextToWrite++;
      if (next.kind === 'close') {
        if (wrote) this.#socket.uncork();
        this.close(next.reason);
        return;
      }
      if (next.kind === 'respond') {
        if (!wrote) this.#socket.cork();
        wrote = true;
        this.#write(next.chunks, next.claims);
      }
    }
    if (wrote) this.#socket.uncork();
    this.#dispatchWaiting();
    this.#maybeResume();
  }

  #write(chunks: readonly Buffer[], claims: readonly FrameClaim[] | undefined): void {
    const last = chunks.length - 1;
    if (claims === undefined || claims.length === 0 || last < 0) {
      for (const c of chunks) this.#socket.write(c);
      return;
    }
    for (let i = 0; i < last; i++) this.#socket.write(chunks[i] as Buffer);
    // The last chunk's callback runs once every chunk before it is written too. After an error the
    // socket may not be done with them: the slabs are then left to the garbage collector.
    this.#socket.write(chunks[last] as Buffer, (error) => {
      if (error === null || error === undefined) for (const c of claims) c.release();
    });
  }

  #mustPause(): boolean {
    return (
      this.#muteTimer !== null ||
      this.#waitingHead < this.#waiting.length ||
      this.inflight >= this.#inflightMax ||
      this.#socket.writableLength > writeBufferBytesHigh
    );
  }

  #maybePause(): void {
    if (!this.#closed && !this.#paused && this.#mustPause()) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #maybeResume(): void {
    if (!this.#closed && this.#paused && !this.#mustPause()) {
      this.#paused = false;
      this.#socket.resume();
    }
  }
}
