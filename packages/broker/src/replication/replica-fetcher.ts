/**
 * The follower side of replication for every partition this broker follows
 * under one leader broker: one fetch loop over one ReplicaFetchStream (the
 * transport seam: gRPC in production).
 *
 * Each round sends, per partition, where its log continues
 * (Partition.fetchPosition: log end, epoch of the last batch) and the leader
 * epoch we believe in; Partition.applyLeaderAnswer does what the answer says
 * (append, truncate to the end of the common epoch, reset) and this loop
 * logs it, counts it and pauses partitions the leader refused. One round is
 * in flight at a time: the next fetch offset depends on the last append.
 * Time and timers (request timeout, pauses, backoff) come from the Clock and
 * Timers it is given.
 *
 * Owned by ReplicaManager. `remove()` resolves once no round is touching
 * the partition, so its role can change safely. Network trouble backs off
 * and retries; a refused append or an error from the leader is logged and
 * retried on the next round (metadata will usually have moved on by then).
 */
import type { Clock, Logger, Timers } from '@runnel/common';
import { brokerId, leaderEpoch, offset, partitionId } from '@runnel/common';
import type { ReplicaFetchPartitionResponse, ReplicaFetchRequest, ReplicaFetchResponse } from '@runnel/rpc';
import type { ByteRateLimiter } from './byte-rate-limiter.ts';
import type { FollowerOutcome } from './follower-apply.ts';
import type { Partition } from './partition.ts';
import type { ReplicationMetrics } from './replication-metrics.ts';
import type { ReplicaFetchStream } from './replication-transport.ts';

export interface ReplicaFetcherOptions {
  readonly nodeId: number;
  readonly leaderId: number;
  /** host:port the client dials. */
  readonly address: string;
  /** Makes the stream; a fetch that gets no answer in time replaces it. */
  readonly connect: () => ReplicaFetchStream;
  /** How long past maxWaitMs a fetch may go unanswered (replica.socket.timeout.ms). */
  readonly requestTimeoutMs: number;
  readonly brokerEpoch: () => bigint;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly backoffMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly metrics: ReplicationMetrics;
  /** Applies to partitions this broker is being added to by a reassignment. */
  readonly throttle: ByteRateLimiter;
}

/** Partitions answered with an error sit out this long before being asked for again. */
const errorPauseMs = 200;

export class ReplicaFetcher {
  readonly leaderId: number;
  readonly address: string;
  readonly #options: ReplicaFetcherOptions;
  readonly #partitions = new Map<string, Partition>();
  /** Partitions that sit out until the given monotonic time. */
  readonly #pausedUntil = new Map<string, number>();
  /** Settles when the responses being applied now have been (not when the fetch in flight answers). */
  #applying: Promise<void> = Promise.resolve();
  #client: ReplicaFetchStream;
  #wake: (() => void) | null = null;
  #closed = false;
  #loop: Promise<void>;

  constructor(options: ReplicaFetcherOptions) {
    this.leaderId = options.leaderId;
    this.address = options.address;
    this.#options = options;
    this.#client = options.connect();
    this.#loop = this.#run();
  }

  get size(): number {
    return this.#partitions.size;
  }

  has(partition: Partition): boolean {
    return this.#partitions.get(keyOf(partition)) === partition;
  }

  partitions(): Partition[] {
    return [...this.#partitions.values()];
  }

  add(partition: Partition): void {
    this.#partitions.set(keyOf(partition), partition);
    this.#pausedUntil.delete(keyOf(partition));
    this.#wake?.();
  }

  /**
   * Stops fetching `partition`; resolves when nothing this fetcher does can
   * still write to it. A fetch still waiting for the leader is not waited
   * for: its answer is dropped for partitions no longer here.
   */
  async remove(partition: Partition): Promise<void> {
    const key = keyOf(partition);
    if (this.#partitions.get(key) === partition) this.#partitions.delete(key);
    this.#pausedUntil.delete(key);
    await this.#applying;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#partitions.clear();
    this.#wake?.();
    this.#client.close();
    await this.#applying;
  }

  /** Resolves when the fetch loop has ended (after close()). */
  get ended(): Promise<void> {
    return this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const batch = this.#due();
      if (batch.length === 0) {
        await this.#idle(this.#partitions.size === 0 ? null : errorPauseMs);
        continue;
      }
      try {
        const ok = await this.#fetchOnce(batch);
        if (!ok && !this.#closed) await this.#idle(this.#options.backoffMs);
      } catch (error) {
        this.#options.logger.error(
          { leader: this.leaderId, err: error instanceof Error ? error.message : String(error) },
          'replica fetch round failed',
        );
        await this.#idle(this.#options.backoffMs);
      }
    }
  }

  /** The leader's answer, or null when none came in time (the stream is then replaced). */
  async #send(request: ReplicaFetchRequest): Promise<ReplicaFetchResponse | null> {
    const client = this.#client;
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = this.#options.timers.setTimeout(
        () => resolve('timeout'),
        request.maxWaitMs + this.#options.requestTimeoutMs,
      );
    });
    const result = await Promise.race([client.fetch(request), timedOut]);
    timer?.cancel();
    if (result === 'timeout') {
      this.#options.logger.warn({ leader: this.leaderId }, 'replica fetch unanswered; reconnecting to the leader');
      client.close();
      if (!this.#closed) this.#client = this.#options.connect();
      return null;
    }
    if (!result.ok) {
      if (result.error !== 'closed') {
        this.#options.logger.debug({ leader: this.leaderId, error: result.error }, 'replica fetch failed');
      }
      return null;
    }
    return result.value;
  }

  /** Partitions to ask for in the next round. */
  #due(): Partition[] {
    const now = this.#options.clock.monotonicMs();
    const due: Partition[] = [];
    for (const [key, p] of this.#partitions) {
      if (p.closed) continue;
      const until = this.#pausedUntil.get(key);
      if (until !== undefined && until > now) continue;
      if (this.#throttled(p) && !this.#options.throttle.allows()) continue;
      due.push(p);
    }
    return due;
  }

  #throttled(p: Partition): boolean {
    return p.state.addingReplicas.includes(this.#options.nodeId);
  }

  /** Waits for a partition to be added, close(), or `ms` (null: no timeout). */
  #idle(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : this.#options.timers.setTimeout(finish, ms);
      function finish(): void {
        timer?.cancel();
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        finish();
      };
    });
  }

  /** One fetch round; false when the leader could not be reached. */
  async #fetchOnce(batch: Partition[]): Promise<boolean> {
    const asked = batch.map((p) => ({ partition: p, leaderEpoch: p.leaderEpoch, ...p.fetchPosition() }));
    const request: ReplicaFetchRequest = {
      replicaId: brokerId(this.#options.nodeId),
      brokerEpoch: this.#options.brokerEpoch(),
      maxWaitMs: this.#options.maxWaitMs,
      minBytes: 1,
      maxBytes: this.#options.maxBytes,
      partitions: asked.map((a) => ({
        topicId: a.partition.topicId,
        partition: partitionId(a.partition.index),
        fetchOffset: offset(a.fetchOffset),
        lastFetchedEpoch: leaderEpoch(a.lastFetchedEpoch),
        currentLeaderEpoch: leaderEpoch(a.leaderEpoch),
        logStartOffset: offset(a.logStartOffset),
      })),
    };
    const response = await this.#send(request);
    if (response === null) return false;
    let done!: () => void;
    this.#applying = new Promise((resolve) => {
      done = resolve;
    });
    try {
      await this.#apply(asked, response);
    } finally {
      // The records were appended (copied into the log) or dropped: their memory may be recycled.
      response.release?.();
      done();
    }
    return true;
  }

  async #apply(
    asked: readonly { partition: Partition; leaderEpoch: number; fetchOffset: bigint }[],
    response: ReplicaFetchResponse,
  ): Promise<void> {
    const byKey = new Map<string, ReplicaFetchPartitionResponse>();
    for (const r of response.partitions) byKey.set(`${r.topicId}:${r.partition}`, r);
    // Partitions have separate logs, so their appends run side by side: a round costs one write's
    // wait, not one per partition. allSettled: the round ends only when every append has.
    const handled = await Promise.allSettled(
      asked.map((a) => {
        const p = a.partition;
        const response = byKey.get(keyOf(p));
        // Skip partitions whose role or epoch changed while the fetch was out.
        if (response === undefined || !this.has(p) || p.closed || p.leaderEpoch !== a.leaderEpoch) return undefined;
        if (p.logEndOffset !== a.fetchOffset) return undefined;
        return this.#handle(p, a.fetchOffset, response);
      }),
    );
    const failed = handled.find((h) => h.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async #handle(p: Partition, fetchOffset: bigint, r: ReplicaFetchPartitionResponse): Promise<void> {
    const outcome = await p.applyLeaderAnswer(fetchOffset, r);
    this.#report(p, outcome);
    switch (outcome.kind) {
      case 'appended':
        this.#options.metrics.bytesIn.inc(outcome.bytes);
        if (this.#throttled(p)) this.#options.throttle.record(outcome.bytes);
        return;
      case 'truncated':
        this.#options.metrics.truncations.inc();
        return;
      case 'paused':
        // Asked for again after a pause: metadata or the leader's log will usually have moved on.
        this.#pause(p);
        return;
      case 'caught_up':
      case 'reset':
        return;
    }
  }

  #report(p: Partition, outcome: FollowerOutcome): void {
    const where = { topic: p.topic, partition: p.index, leader: this.leaderId };
    const logger = this.#options.logger;
    switch (outcome.kind) {
      case 'reset':
        logger.warn({ ...where, from: outcome.from, to: outcome.to }, 'follower log reset to the leader');
        return;
      case 'truncated':
        if (outcome.cause === 'diverging_epoch') {
          const { divergingEpoch, leaderEndOffset, from, to } = outcome;
          logger.info(
            { ...where, divergingEpoch, leaderEndOffset, from, to },
            'follower truncating to the end of the common epoch',
          );
        } else {
          logger.warn({ ...where, error: 'epoch_regression' }, 'follower append refused');
          const { batchEpoch, from, to } = outcome;
          logger.warn(
            { ...where, batchEpoch, from, to },
            'follower dropping records of epochs the leader does not have',
          );
        }
        return;
      case 'paused':
        if (outcome.cause === 'leader_error') {
          if (outcome.error !== 'offset_out_of_range') {
            logger.debug({ ...where, error: outcome.error }, 'replica fetch refused');
          }
        } else if (outcome.cause === 'append_refused') {
          logger.warn({ ...where, error: outcome.error }, 'follower append refused');
        } else {
          const { divergingEpoch, leaderEndOffset, to } = outcome;
          logger.warn(
            { ...where, divergingEpoch, leaderEndOffset, to },
            'diverging epoch with nothing to truncate; pausing the partition',
          );
        }
        return;
      case 'appended':
      case 'caught_up':
        return;
    }
  }

  #pause(p: Partition): void {
    this.#pausedUntil.set(keyOf(p), this.#options.clock.monotonicMs() + errorPauseMs);
  }
}

function keyOf(p: Partition): string {
  return `${p.topicId}:${p.index}`;
}
