/**
 * Replication on one broker: the ReplicaFetch server that followers pull
 * from (for the partitions this broker leads), one ReplicaFetcher per
 * leader broker (for the partitions it follows), and the ISR loop that
 * sends each leader's ISR proposals to the controller (AlterPartition).
 *
 * PartitionManager calls `applyState` for every partition whose metadata
 * changed, and `remove` before it deletes one: a partition leaves its
 * fetcher (and any round writing to it finishes) before its role changes,
 * so a follower append never races the leader's first appends.
 *
 * The network (ReplicationTransport: gRPC by default), time and timers
 * (Clock, Timers) and the replication rules are parameters, so the
 * deterministic simulation runs this class as it is.
 *
 * Owned by Broker; `close()` stops the fetchers, the server and the loop.
 * Errors from the controller leave the proposal to be recomputed on the
 * next tick; a leader that cannot be reached is retried with backoff.
 */

import type { Clock, Logger, Result, Timer, Timers } from '@runnel/common';
import { systemTimers } from '@runnel/common';
import type { AlterPartitionError, AlterPartitionReply, AlterPartitionRequest, MetadataImage } from '@runnel/metadata';
import type { MessageMemory } from '@runnel/rpc';
import type { Registry } from 'prom-client';
import type { FrameClaim, FramePool } from '../network/frame-pool.ts';
import { ByteRateLimiter } from './byte-rate-limiter.ts';
import { leaderFetchHandler } from './leader-fetch-handler.ts';
import type { Partition } from './partition.ts';
import type { PartitionState } from './partition-api.ts';
import { ReplicaFetcher } from './replica-fetcher.ts';
import { ReplicationMetrics } from './replication-metrics.ts';
import { type ReplicationRules, runnelReplicationRules } from './replication-rules.ts';
import type { TxnServices } from './replication-transport.ts';
import {
  grpcReplicationTransport,
  type ReplicaFetchListener,
  type ReplicationTransport,
} from './replication-transport.ts';

export interface ReplicationConfig {
  readonly nodeId: number;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** replica.lag.time.max.ms */
  readonly lagTimeMaxMs: number;
  /** replica.fetch.wait.max.ms */
  readonly fetchWaitMaxMs: number;
  /** replica.fetch.response.max.bytes */
  readonly fetchResponseBytesMax: number;
  /** replica.fetch.backoff.ms */
  readonly fetchBackoffMs: number;
  /** replica.socket.timeout.ms: how long past its max wait a fetch may go unanswered. */
  readonly fetchTimeoutMs: number;
  /** follower.replication.throttled.rate: bytes/s for reassignment traffic; 0 = unlimited. */
  readonly throttledRateBytesPerSec: number;
}

export interface ReplicaManagerOptions {
  readonly config: ReplicationConfig;
  /** Where ISR changes go (AlterPartition). */
  /** The controller's AlterPartition (ControllerChannel.call('alterPartition', ...) in a broker). */
  readonly channel: {
    alterPartition(request: AlterPartitionRequest): Promise<Result<AlterPartitionReply, AlterPartitionError>>;
  };
  readonly logger: Logger;
  readonly clock: Clock;
  /** Default: the event loop's. */
  readonly timers?: Timers;
  /** Default: gRPC (@runnel/rpc), assembling large responses in `framePool`. */
  readonly transport?: ReplicationTransport;
  /**
   * The broker's recycled memory: leaders read the log into it for followers
   * (held until the response is sent), followers assemble large responses in
   * it (released once applied). Default: fresh buffers.
   */
  readonly framePool?: FramePool;
  /** Default: runnelReplicationRules (only the simulation swaps old rules in). */
  readonly rules?: ReplicationRules;
  readonly registry: Registry;
  readonly partitions: () => Iterable<Partition>;
  readonly lookup: (topicId: string, partition: number) => Partition | undefined;
  readonly image: () => MetadataImage;
  readonly brokerEpoch: () => bigint;
  readonly minInsyncReplicas: (topic: string) => number;
  /** Transaction calls served on the replication port (markers from coordinators, KIP-890 verification). */
  readonly txn?: TxnServices;
}

export const replicationListenerName = 'REPLICATION';

/** Pauses after a refused ISR change: short for shrinks (they hold the high watermark back). */
const shrinkRetryMs = 200;
const expandRetryMs = 1000;

export class ReplicaManager {
  readonly metrics: ReplicationMetrics;
  #options: ReplicaManagerOptions;
  readonly #timers: Timers;
  readonly #transport: ReplicationTransport;
  readonly #rules: ReplicationRules;
  readonly #server: ReplicaFetchListener;
  readonly #fetchers = new Map<number, ReplicaFetcher>();
  #throttle: ByteRateLimiter;
  readonly #timer: Timer;
  #closed = false;
  #following = true;
  /** Partitions whose last proposal was refused: no new one before this monotonic time. */
  readonly #retryAt = new WeakMap<Partition, number>();

  private constructor(
    options: ReplicaManagerOptions,
    transport: ReplicationTransport,
    server: ReplicaFetchListener,
    metrics: ReplicationMetrics,
  ) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.#transport = transport;
    this.#rules = options.rules ?? runnelReplicationRules;
    this.#server = server;
    this.metrics = metrics;
    this.#throttle = new ByteRateLimiter(options.config.throttledRateBytesPerSec, () => options.clock.monotonicMs());
    // Shrinks are due lagTimeMaxMs after a follower stops keeping up; checking at half that bounds the delay.
    const tick = Math.max(50, Math.min(1000, Math.floor(options.config.lagTimeMaxMs / 2)));
    this.#timer = this.#timers.setInterval(() => this.#checkIsrs(), tick);
  }

  /**
   * Dynamic broker configs: the next fetch round uses the new wait and size
   * limits; a changed throttle starts a fresh rate window.
   */
  reconfigure(
    change: Pick<ReplicationConfig, 'fetchWaitMaxMs' | 'fetchResponseBytesMax' | 'throttledRateBytesPerSec'>,
  ): void {
    const before = this.#options.config;
    if (change.throttledRateBytesPerSec !== before.throttledRateBytesPerSec) {
      const clock = this.#options.clock;
      this.#throttle = new ByteRateLimiter(change.throttledRateBytesPerSec, () => clock.monotonicMs());
    }
    this.#options = { ...this.#options, config: { ...before, ...change } };
  }

  static async start(options: ReplicaManagerOptions): Promise<ReplicaManager> {
    const metrics = new ReplicationMetrics(options.registry, {
      partitions: options.partitions,
      minInsyncReplicas: options.minInsyncReplicas,
      nowMs: () => options.clock.monotonicMs(),
    });
    const holder: { manager: ReplicaManager | null } = { manager: null };
    const pool = options.framePool;
    const transport = options.transport ?? grpcReplicationTransport(options.logger, pool && messageMemory(pool));
    const handler = leaderFetchHandler({
      lookup: options.lookup,
      clock: options.clock,
      timers: options.timers ?? systemTimers,
      metrics,
      logger: options.logger,
      onFollowerProgress: (p) => holder.manager?.proposeIsrChange(p),
      // This broker's own replica.fetch.response.max.bytes (dynamic) caps what any follower may ask for.
      responseBytesMax: () => holder.manager?.fetchResponseBytesMax ?? options.config.fetchResponseBytesMax,
      ...(pool === undefined ? {} : { memory: (sizeBytes: number) => readMemory(pool, sizeBytes) }),
    });
    const started = await transport.listen(options.config.host, options.config.port, handler, options.txn);
    if (!started.ok) {
      throw new Error(
        `could not listen for replication on ${options.config.host}:${options.config.port}: ${started.error}`,
      );
    }
    const manager = new ReplicaManager(options, transport, started.value, metrics);
    holder.manager = manager;
    return manager;
  }

  /** replica.fetch.response.max.bytes as now configured. */
  get fetchResponseBytesMax(): number {
    return this.#options.config.fetchResponseBytesMax;
  }

  get port(): number {
    return this.#server.port;
  }

  /** Moves `p` to the role `state` gives it, fetching from the new leader if it follows. */
  async applyState(p: Partition, state: PartitionState): Promise<void> {
    const current = this.#fetcherOf(p);
    const follows = state.leader >= 0 && state.leader !== this.#options.config.nodeId;
    if (
      current !== undefined &&
      (!follows || current.leaderId !== state.leader || state.leaderEpoch !== p.leaderEpoch)
    ) {
      await current.remove(p);
    }
    const wasFollowing = p.role === 'follower' && p.leader === state.leader && p.leaderEpoch === state.leaderEpoch;
    p.applyState(state, {
      lagTimeMaxMs: this.#options.config.lagTimeMaxMs,
      minInsyncReplicas: this.#options.minInsyncReplicas(p.topic),
      unavailable: this.#unavailableReplicas(state.replicas),
    });
    if (p.role === 'follower' && !wasFollowing) await p.startFollowing();
    if (p.role === 'follower') this.#fetcherFor(p.leader)?.add(p);
    if (p.role === 'leader') this.proposeIsrChange(p);
  }

  /** Stops replicating `p` (it is about to be closed or deleted). */
  async remove(p: Partition): Promise<void> {
    await this.#fetcherOf(p)?.remove(p);
  }

  /** Sends the ISR change p's tracker wants now, if any. */
  proposeIsrChange(p: Partition): void {
    if (this.#closed || p.closed) return;
    const now = this.#options.clock.monotonicMs();
    if ((this.#retryAt.get(p) ?? 0) > now) return;
    const proposal = p.isrChange();
    if (proposal === null) return;
    const where = { topic: p.topic, partition: p.index };
    const checkEpochs = this.#rules.isrExpansionChecksBrokerEpochs;
    // Kafka's isReplicaIsrEligible: only add brokers our metadata shows registered under the epoch they
    // fetched with and unfenced; a restarted broker fetches before the controller lets it back in.
    const image = this.#options.image();
    const ineligible = proposal.addedBrokerEpochs.filter((m) => {
      const broker = image.broker(m.brokerId);
      return checkEpochs && (broker === undefined || broker.fenced || broker.brokerEpoch !== m.brokerEpoch);
    });
    if (ineligible.length > 0) {
      p.onIsrAnswer(proposal.leaderEpoch, null);
      this.#retryAt.set(p, now + expandRetryMs);
      return;
    }
    this.#options.logger.info(
      { ...where, reason: proposal.reason, changed: proposal.changed, isr: proposal.isr },
      proposal.reason === 'shrink' ? 'proposing ISR shrink' : 'proposing ISR expand',
    );
    this.#options.channel
      .alterPartition({
        leaderId: this.#options.config.nodeId,
        topicId: p.topicId,
        partition: p.index,
        leaderEpoch: proposal.leaderEpoch,
        partitionEpoch: proposal.partitionEpoch,
        isr: proposal.isr,
        addedBrokerEpochs: checkEpochs ? proposal.addedBrokerEpochs : [],
      })
      .then(
        (result) => {
          if (result.ok) {
            p.onIsrAnswer(proposal.leaderEpoch, result.value);
            (proposal.reason === 'shrink' ? this.metrics.isrShrinks : this.metrics.isrExpands).inc();
          } else {
            this.#options.logger.info({ ...where, error: result.error, why: result.message }, 'ISR change refused');
            this.#retryLater(p, proposal.reason);
            p.onIsrAnswer(proposal.leaderEpoch, null);
          }
        },
        (error: unknown) => {
          this.#options.logger.warn({ ...where, err: String(error) }, 'ISR change failed');
          this.#retryLater(p, proposal.reason);
          p.onIsrAnswer(proposal.leaderEpoch, null);
        },
      );
  }

  /**
   * Stops following (controlled shutdown): a broker on its way out must not
   * keep catching up, or leaders would put it back into ISRs the controller
   * is taking it out of. Leading continues until leadership has moved.
   */
  async stopFollowing(): Promise<void> {
    this.#following = false;
    const fetchers = [...this.#fetchers.values()];
    this.#fetchers.clear();
    await Promise.all(fetchers.map((f) => f.close()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#timer.cancel();
    this.#server.close();
    const fetchers = [...this.#fetchers.values()];
    await Promise.all(fetchers.map((f) => f.close()));
    this.#fetchers.clear();
  }

  /** After a refusal, wait before proposing again (the metadata that explains it is usually on its way). */
  #retryLater(p: Partition, reason: 'shrink' | 'expand'): void {
    this.#retryAt.set(p, this.#options.clock.monotonicMs() + (reason === 'shrink' ? shrinkRetryMs : expandRetryMs));
  }

  #checkIsrs(): void {
    for (const p of this.#options.partitions()) {
      if (p.role === 'leader') this.proposeIsrChange(p);
      // A follower whose leader had no known replication address when it became one.
      else if (p.role === 'follower' && !p.closed && this.#fetcherOf(p) === undefined)
        this.#fetcherFor(p.leader)?.add(p);
    }
    // Fetchers whose partitions all moved elsewhere.
    for (const [leaderId, fetcher] of this.#fetchers) {
      if (fetcher.size === 0) {
        this.#fetchers.delete(leaderId);
        void fetcher.close();
      }
    }
  }

  /** Replicas the metadata image shows fenced or unregistered. */
  #unavailableReplicas(replicas: readonly number[]): ReadonlySet<number> {
    const image = this.#options.image();
    return new Set(replicas.filter((id) => image.broker(id)?.fenced !== false));
  }

  #fetcherOf(p: Partition): ReplicaFetcher | undefined {
    for (const fetcher of this.#fetchers.values()) if (fetcher.has(p)) return fetcher;
    return undefined;
  }

  #fetcherFor(leaderId: number): ReplicaFetcher | undefined {
    if (this.#closed || !this.#following) return undefined;
    const broker = this.#options.image().broker(leaderId);
    const listener = broker?.listeners.find((l) => l.name === replicationListenerName);
    if (listener === undefined) {
      this.#options.logger.warn(
        { leader: leaderId },
        'leader has no replication listener registered; cannot follow it',
      );
      return undefined;
    }
    const address = `${listener.host}:${listener.port}`;
    const existing = this.#fetchers.get(leaderId);
    if (existing !== undefined && existing.address === address) return existing;
    const fetcher = new ReplicaFetcher({
      nodeId: this.#options.config.nodeId,
      leaderId,
      address,
      connect: () => this.#transport.connect(address),
      requestTimeoutMs: this.#options.config.fetchTimeoutMs,
      brokerEpoch: this.#options.brokerEpoch,
      maxWaitMs: this.#options.config.fetchWaitMaxMs,
      maxBytes: this.#options.config.fetchResponseBytesMax,
      backoffMs: this.#options.config.fetchBackoffMs,
      logger: this.#options.logger,
      clock: this.#options.clock,
      timers: this.#timers,
      metrics: this.metrics,
      throttle: this.#throttle,
    });
    this.#fetchers.set(leaderId, fetcher);
    if (existing !== undefined) {
      // The leader re-registered at another address: move its partitions over.
      this.#options.logger.info({ leader: leaderId, address }, 'leader moved; reconnecting replica fetcher');
      for (const p of existing.partitions()) fetcher.add(p);
      void existing.close();
    }
    return fetcher;
  }
}

/** The pool as the transport's MessageMemory: a follower's response assembled in a slab. */
function messageMemory(pool: FramePool): MessageMemory {
  return {
    acquire: (sizeBytes) => {
      const pooled = pool.acquire(sizeBytes);
      return pooled === null ? null : { buffer: pooled.frame, release: () => pooled.claim.release() };
    },
  };
}

function readMemory(pool: FramePool, sizeBytes: number): { bytes: Buffer; claim: FrameClaim } | null {
  const pooled = pool.acquire(sizeBytes);
  return pooled === null ? null : { bytes: pooled.frame, claim: pooled.claim };
}
