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
 * without bound. Reading also pauses while the broker-wide request-bytes
 * budget is spent (RequestBytesBudget): each byte read counts until the
 * request it belongs to is handled.
 *
 * A handler about to build a large response (Fetch) first awaits
 * `untilSendable`: every earlier response written and the socket's write
 * buffer nearly empty. So a client that never reads its socket holds at
 * most one such response in the broker (plus the write buffer), however
 * many fetches it pipelines, and the rest of the log stays on disk.
 *
 * Owned by KafkaServer. After `close` (bad input, a handler bug, or the
 * peer leaving) pending responses are dropped and the socket destroyed.
 */
import type { Socket } from 'node:net';
import type { ConnectionActivity, Logger } from '@runnel/common';
import type { FrameClaim, FramePool } from './frame-pool.ts';
import { FrameReader } from './frame-reader.ts';
import type { BudgetReader, RequestBytesBudget } from './request-bytes-budget.ts';

/** What a request produced: response chunks, nothing (no response is sent), or a reason to close the connection. */
export type RequestOutcome =
  /** `claims` (on recycled memory the chunks view) are released once the chunks are written. */
  | { kind: 'respond'; chunks: Buffer[]; claims?: readonly FrameClaim[] }
  | { kind: 'none' }
  | { kind: 'close'; reason: string };

export interface ConnectionContext {
  readonly id: number;
  readonly remoteAddress: string;
  /**
   * Resolves once this request's response is next to be written and the
   * socket's write buffer is nearly empty: true, or false when the
   * connection closed first (nothing will be sent). Absent in handler tests.
   */
  untilSendable?(): Promise<boolean>;
  /**
   * Declares this request's bytes no longer needed (what was decoded from
   * them keeps no view of them): they stop counting against the
   * request-bytes budget now rather than when the handler settles. A
   * handler that parks (a long poll, a fetch waiting to send) calls it
   * first, so a parked request never holds the budget. Absent in handler tests.
   */
  requestBytesDone?(): void;
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
/** untilSendable waits for the write buffer to fall to this (about one socket send buffer's worth). */
const sendableBufferBytesMax = 1024 * 1024;
/** Bytes a frame counted against the request budget: its size prefix and its body. */
const frameBudgetBytes = (frame: Buffer): number => 4 + frame.length;
const closeGraceMs = 2000;

export class Connection implements ConnectionContext, BudgetReader {
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
  readonly #nowMs: () => number;
  /** What the listener's expiry sweep reads (connections.max.idle.ms, the request read deadline). */
  #lastActivityMs: number;
  #frameStartedMs: number | null = null;
  /** Bytes read that are not part of a complete frame yet (the frame being read, with its size prefix). */
  #unframedBytes = 0;
  readonly #budget: RequestBytesBudget | null;
  /** Waiting in the budget's queue (paused for it). */
  #waitingForBudget = false;
  /** Budget bytes this connection holds, and how many of them its dispatched requests hold (given back as each settles). */
  #budgetHeld = 0;
  #budgetHandling = 0;
  /** untilSendable calls by request sequence number. */
  readonly #sendWaiters = new Map<number, (open: boolean) => void>();
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
    /** Monotonic milliseconds for the activity the listener's expiry sweep reads. */
    nowMs?: () => number;
    /** The broker-wide request-bytes budget; null: none. */
    budget?: RequestBytesBudget | null;
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
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#lastActivityMs = this.#nowMs();
    this.#budget = options.budget ?? null;
    this.#logger = options.logger.child({ connection: this.id, remote: this.remoteAddress });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('drain', () => {
      this.#lastActivityMs = this.#nowMs();
      this.#wakeSendWaiter();
      this.#maybeResume();
    });
    this.#socket.on('error', (error) => this.#logger.debug({ err: error.message }, 'socket error'));
    this.#socket.on('close', () => {
      this.#closed = true;
      if (this.#muteTimer !== null) clearTimeout(this.#muteTimer);
      this.#ready.clear();
      this.#dropUnhandled();
      options.onClose();
    });
  }

  /** Requests dispatched whose response (or absence of one) is not written yet. */
  get inflight(): number {
    return this.#nextSeq - this.#nextToWrite;
  }

  /** Part of a frame has been read and, but for the budget, the rest would be (BudgetReader: may be granted). */
  get midFrame(): boolean {
    return this.#reader.midFrame && !this.#closed && !this.#blockedOtherwise();
  }

  /** The budget lets this connection read again (BudgetReader). */
  wake(): void {
    this.#waitingForBudget = false;
    this.#maybeResume();
  }

  /** Closes the connection; responses already written are still flushed to the peer. */
  /**
   * What the connection has been doing, for the listener's expiry sweep. While reading is paused (by the broker,
   * not the peer: in-flight limit, write buffer or the request-bytes budget) no frame is being read: its read
   * deadline starts again when reading resumes.
   */
  get activity(): ConnectionActivity {
    return {
      lastActivityMs: this.#lastActivityMs,
      inflight: this.inflight,
      frameStartedMs: this.#paused ? null : this.#frameStartedMs,
    };
  }

  /** True once closing has begun (the socket may still be flushing). */
  get closed(): boolean {
    return this.#closed;
  }

  close(reason: string, level: 'warn' | 'info' = 'warn'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready.clear();
    this.#dropUnhandled();
    this.#logger[level]({ reason }, 'closing connection');
    this.#socket.end(() => this.#socket.destroy());
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.#socket.destroy(), closeGraceMs).unref();
  }

  /** What the closed connection held but no handler will settle: budget bytes of unhandled frames, untilSendable waiters. */
  #dropUnhandled(): void {
    this.#waiting = [];
    this.#waitingHead = 0;
    // Partial and undispatched frames, and whatever followed a refused size prefix.
    const unhandled = this.#budgetHeld - this.#budgetHandling;
    this.#budgetHeld = this.#budgetHandling;
    if (this.#budget !== null) {
      this.#budget.leave(this);
      if (unhandled > 0) this.#budget.give(unhandled);
    }
    this.#waitingForBudget = false;
    const waiters = [...this.#sendWaiters.values()];
    this.#sendWaiters.clear();
    for (const w of waiters) w(false);
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
    if (this.#budget !== null) {
      this.#budget.take(chunk.length);
      this.#budgetHeld += chunk.length;
    }
    const wasMidFrame = this.#reader.midFrame;
    let frames = 0;
    let framedBytes = 0;
    for (const event of this.#reader.push(chunk)) {
      if (event.kind === 'oversized') {
        // Refused before anything of the frame is kept; what this chunk counted is given back on close.
        this.close(`request size ${event.sizeBytes} outside 0..socket.request.max.bytes`);
        return;
      }
      frames++;
      framedBytes += 4 + event.frame.length;
      this.#waiting.push({ frame: event.frame, claim: event.claim });
    }
    this.#noteRead(chunk.length, framedBytes);
    // A grant past a spent budget lasts for the frame it was given for.
    if (wasMidFrame && frames > 0) this.#budget?.frameDone(this);
    this.#dispatchWaiting();
    this.#maybePause();
  }

  /** Records a chunk read: activity, and when the frame now being read (if any) began. */
  #noteRead(chunkBytes: number, framedBytes: number): void {
    const now = this.#nowMs();
    const started = this.#unframedBytes === 0 || framedBytes > 0;
    this.#lastActivityMs = now;
    this.#unframedBytes += chunkBytes - framedBytes;
    if (this.#unframedBytes === 0) this.#frameStartedMs = null;
    else if (started) this.#frameStartedMs = now;
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
    const budget = this.#budget;
    const bytes = frameBudgetBytes(frame);
    if (budget !== null) {
      budget.startHandling();
      this.#budgetHandling += bytes;
    }
    let counted = budget !== null;
    const settled = (): void => {
      if (budget === null || !counted) return;
      counted = false;
      this.#budgetHandling -= bytes;
      this.#budgetHeld -= bytes;
      budget.finishHandling(bytes);
    };
    const context: ConnectionContext = {
      id: this.id,
      remoteAddress: this.remoteAddress,
      untilSendable: () => this.#untilSendable(seq),
      requestBytesDone: settled,
      muteForMs: (ms) => this.muteForMs(ms),
    };
    this.#process(frame, context, claim).then(
      (outcome) => {
        settled();
        this.#complete(seq, outcome);
      },
      (error: unknown) => {
        settled();
        // A handler threw: a bug, not bad input. Keep serving others; drop this connection.
        this.#logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'request handler failed');
        this.#complete(seq, { kind: 'close', reason: 'internal error while handling request' });
      },
    );
  }

  #sendable(seq: number): boolean {
    return this.#nextToWrite === seq && this.#socket.writableLength <= sendableBufferBytesMax;
  }

  #untilSendable(seq: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#sendable(seq)) return Promise.resolve(true);
    return new Promise((resolve) => this.#sendWaiters.set(seq, resolve));
  }

  /** Wakes the request whose turn it is, once the write buffer has drained enough. */
  #wakeSendWaiter(): void {
    const waiter = this.#sendWaiters.get(this.#nextToWrite);
    if (waiter === undefined || this.#closed || !this.#sendable(this.#nextToWrite)) return;
    this.#sendWaiters.delete(this.#nextToWrite);
    waiter(true);
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
        if (!wrote) {
          this.#socket.cork();
          this.#lastActivityMs = this.#nowMs();
        }
        wrote = true;
        this.#write(next.chunks, next.claims);
      }
    }
    if (wrote) this.#socket.uncork();
    this.#wakeSendWaiter();
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

  /** Reasons of this connection's own to stop reading (the budget aside). */
  #blockedOtherwise(): boolean {
    return (
      this.#muteTimer !== null ||
      this.#waitingHead < this.#waiting.length ||
      this.inflight >= this.#inflightMax ||
      this.#socket.writableLength > writeBufferBytesHigh
    );
  }

  /** Whether the budget stops this connection reading; if so it joins the budget's queue, to be woken. */
  #pausedByBudget(): boolean {
    if (this.#budget === null) return false;
    if (!this.#waitingForBudget) {
      if (this.#budget.mayRead(this)) return false;
      this.#waitingForBudget = true;
    }
    // Joins (or, when nothing else stops it reading now, re-joins) the queue: the budget may grant at once.
    this.#budget.wait(this);
    return this.#waitingForBudget;
  }

  #maybePause(): void {
    if (this.#closed || this.#paused) return;
    if (this.#blockedOtherwise() || this.#pausedByBudget()) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #maybeResume(): void {
    if (this.#closed || !this.#paused || this.#blockedOtherwise() || this.#pausedByBudget()) return;
    this.#paused = false;
    // The frame being read waited on the broker, not the peer: its deadline counts from now.
    if (this.#frameStartedMs !== null) this.#frameStartedMs = this.#nowMs();
    this.#socket.resume();
  }
}
