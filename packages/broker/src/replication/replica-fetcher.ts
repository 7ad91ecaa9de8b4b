/**
 * The follower side of replication for every partition this broker follows
 * under one leader broker: one fetch loop over one ReplicaFetch stream.
 *
 * Each round sends, per partition, the local log end offset (where to
 * continue), the epoch of the last local batch and the leader epoch we
 * believe in; the leader answers with raw batches (appended as they are,
 * offsets and epochs kept), its high watermark, or where our histories
 * diverge (KIP-101/KIP-320), and we truncate to the end of the common epoch —
 * never to our own high watermark. One round is in flight at a time: the
 * next fetch offset depends on the last append.
 *
 * Owned by ReplicaManager. `remove()` resolves once no round is touching
 * the partition, so its role can change safely. Network trouble backs off
 * and retries; a refused append or an error from the leader is logged and
 * retried on the next round (metadata will usually have moved on by then).
 */
import type { Logger } from '@runnel/common';
import { brokerId, leaderEpoch, offset, partitionId } from '@runnel/common';
import type {
  ReplicaFetchClient,
  ReplicaFetchPartitionResponse,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from '@runnel/rpc';
import type { ByteRateLimiter } from './byte-rate-limiter.ts';
import { followerTruncationOffset, newerEpochsStart } from './divergence.ts';
import type { Partition } from './partition.ts';
import type { ReplicationMetrics } from './replication-metrics.ts';

export interface ReplicaFetcherOptions {
  readonly nodeId: number;
  readonly leaderId: number;
  /** host:port the client dials. */
  readonly address: string;
  /** Makes the stream client; a fetch that gets no answer in time replaces it. */
  readonly connect: () => ReplicaFetchClient;
  /** How long past maxWaitMs a fetch may go unanswered (replica.socket.timeout.ms). */
  readonly requestTimeoutMs: number;
  readonly brokerEpoch: () => bigint;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly backoffMs: number;
  readonly logger: Logger;
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
  #client: ReplicaFetchClient;
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
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), request.maxWaitMs + this.#options.requestTimeoutMs);
    });
    const result = await Promise.race([client.fetch(request), timedOut]);
    clearTimeout(timer);
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
    const now = performance.now();
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
      const timer = ms === null ? null : setTimeout(finish, ms);
      function finish(): void {
        if (timer !== null) clearTimeout(timer);
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
    const asked = batch.map((p) => ({ partition: p, leaderEpoch: p.leaderEpoch, fetchOffset: p.log.logEndOffset }));
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
        lastFetchedEpoch: leaderEpoch(a.partition.log.latestEpoch),
        currentLeaderEpoch: leaderEpoch(a.leaderEpoch),
        logStartOffset: offset(a.partition.log.logStartOffset),
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
        if (p.log.logEndOffset !== a.fetchOffset) return undefined;
        return this.#handle(p, a.fetchOffset, response);
      }),
    );
    const failed = handled.find((h) => h.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async #handle(p: Partition, fetchOffset: bigint, r: ReplicaFetchPartitionResponse): Promise<void> {
    const log = p.log;
    const where = { topic: p.topic, partition: p.index, leader: this.leaderId };
    switch (r.error) {
      case 'none':
        break;
      case 'offset_out_of_range':
        if (fetchOffset < r.logStartOffset || fetchOffset > r.logEndOffset) {
          // Behind the leader's retention, or ahead of a leader that lost records (unclean election):
          // the leader's log is the truth.
          const to = fetchOffset < r.logStartOffset ? r.logStartOffset : r.logEndOffset;
          this.#options.logger.warn({ ...where, from: fetchOffset, to }, 'follower log reset to the leader');
          if (to < fetchOffset) await log.truncateTo(to);
          else await log.resetTo(to);
          p.clipHighWatermark();
          return;
        }
        this.#pause(p);
        return;
      default:
        this.#options.logger.debug({ ...where, error: r.error }, 'replica fetch refused');
        this.#pause(p);
        return;
    }
    if (r.divergingEpoch !== null) {
      const to = followerTruncationOffset(
        r.divergingEpoch,
        log.endOffsetForEpoch(r.divergingEpoch.epoch),
        log.logStartOffset,
        r.logStartOffset,
      );
      if (to >= log.logEndOffset && log.latestEpoch <= r.divergingEpoch.epoch) {
        // Nothing of ours to cut, yet the leader says we diverge: asking again at once would only
        // loop. Sit out a moment (metadata or the leader's log will have moved on).
        this.#options.logger.warn(
          { ...where, divergingEpoch: r.divergingEpoch.epoch, leaderEndOffset: r.divergingEpoch.endOffset, to },
          'diverging epoch with nothing to truncate; pausing the partition',
        );
        this.#pause(p);
        return;
      }
      this.#options.logger.info(
        {
          ...where,
          divergingEpoch: r.divergingEpoch.epoch,
          leaderEndOffset: r.divergingEpoch.endOffset,
          from: log.logEndOffset,
          to,
        },
        'follower truncating to the end of the common epoch',
      );
      await log.truncateTo(to);
      p.clipHighWatermark();
      this.#options.metrics.truncations.inc();
      return;
    }
    if (r.records.length > 0) {
      const appended = await log.appendAsFollower(r.records);
      if (!appended.ok) {
        this.#options.logger.warn({ ...where, error: appended.error }, 'follower append refused');
        if (appended.error === 'epoch_regression') await this.#dropNewerEpochs(p, r.records);
        else this.#pause(p);
        return;
      }
      this.#options.metrics.bytesIn.inc(r.records.length);
      if (this.#throttled(p)) this.#options.throttle.record(r.records.length);
      p.onFollowerAppend();
    }
    p.onLeaderHighWatermark(r.highWatermark);
  }

  /**
   * The leader sent batches of an epoch older than our newest one at offsets
   * we hold nothing for: our newer-epoch records are not in the leader's
   * history. Cut them (everything from where our first epoch newer than the
   * leader's batch begins) and fetch again from there.
   */
  async #dropNewerEpochs(p: Partition, records: Buffer): Promise<void> {
    if (records.length < 16) return;
    const batchEpoch = records.readInt32BE(12);
    const to = newerEpochsStart(p.log.endOffsetForEpoch(batchEpoch), p.log.logStartOffset);
    this.#options.logger.warn(
      { topic: p.topic, partition: p.index, leader: this.leaderId, batchEpoch, from: p.log.logEndOffset, to },
      'follower dropping records of epochs the leader does not have',
    );
    await p.log.truncateTo(to);
    p.clipHighWatermark();
    this.#options.metrics.truncations.inc();
  }

  #pause(p: Partition): void {
    this.#pausedUntil.set(keyOf(p), performance.now() + errorPauseMs);
  }
}

function keyOf(p: Partition): string {
  return `${p.topicId}:${p.index}`;
}
