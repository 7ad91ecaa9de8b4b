/**
 * `MarkerWriter` for a broker: a prepared transaction's markers go to each
 * partition's current leader. Partitions this broker leads are written
 * directly (txn-marker-apply.ts); the others are grouped per leader broker
 * into one TxnMarkers.Write call over the cluster's gRPC, served by that
 * broker with the same core.
 *
 * A round sends every partition still pending; what failed (an error code,
 * an unreachable or unregistered leader, no leader at all) is tried again
 * after a backoff that doubles up to `retryBackoffMsMax`, routed afresh from
 * the latest metadata, so a moved leader is followed. A partition whose
 * topic is gone from metadata counts as written (nothing is left to end),
 * as in Kafka. A partition that keeps failing is logged at warn every
 * `warnAfterAttempts` attempts. `cancelled()` is polled before every round,
 * so a coordinator that lost its partition stops within one backoff plus
 * one call.
 *
 * Owned by Broker (or whoever built it), which must close() it; after close
 * every write in progress resolves 'cancelled' at its next round.
 */
import type { Logger, Timers } from '@runnel/common';
import { systemTimers } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import { ErrorCode, errorName } from '@runnel/protocol';
import type { TxnMarkersRequest, TxnMarkersResult, TxnVerifyRequest, TxnVerifyResult } from '@runnel/rpc';
import { replicationListenerName } from '../replication/replica-manager.ts';
import type { TopicPartition } from './txn-api.ts';
import type { MarkerRequest } from './txn-core.ts';
import type { TxnMarkerAnswer, TxnMarkerEntry } from './txn-marker-apply.ts';
import type { MarkerWriter } from './txn-ports.ts';

/** Where each partition's markers go, read afresh every round. */
export interface MarkerRouting {
  /** The partition's leader now; -1 while it has none; null once metadata no longer has the partition. */
  leaderOf(topic: string, partition: number): number | null;
  /** `host:port` of a broker's TxnMarkers service (its replication listener); undefined when not registered. */
  addressOf(brokerId: number): string | undefined;
}

/**
 * The network to other brokers' TxnMarkers service (broker-markers.ts):
 * Write to other leaders, and Verify to other coordinators (KIP-890 part 1,
 * broker-txn-verifier.ts).
 */
export interface MarkerTransport {
  write(address: string, request: TxnMarkersRequest, timeoutMs: number): Promise<TxnMarkersResult>;
  verify(address: string, request: TxnVerifyRequest, timeoutMs: number): Promise<TxnVerifyResult>;
  close(): void;
}

export interface BrokerMarkerWriterOptions {
  readonly nodeId: number;
  readonly routing: MarkerRouting;
  /** Writes markers on partitions this broker leads (applyTxnMarkers with this broker's host). */
  readonly local: (entries: readonly TxnMarkerEntry[]) => Promise<TxnMarkerAnswer[]>;
  readonly transport: Pick<MarkerTransport, 'write' | 'close'>;
  readonly logger: Logger;
  readonly timers?: Timers;
  /** Deadline of one call to another leader: its acks=all wait plus the trip. */
  readonly callTimeoutMs?: number;
  readonly retryBackoffMsMin?: number;
  readonly retryBackoffMsMax?: number;
  readonly warnAfterAttempts?: number;
}

export const markerWriterDefaults = {
  callTimeoutMs: 35_000,
  retryBackoffMsMin: 100,
  retryBackoffMsMax: 1_000,
  warnAfterAttempts: 10,
} as const;

/** The image's view of leaders and replication listeners. */
export function imageRouting(image: () => MetadataImage): MarkerRouting {
  return {
    leaderOf(topic, partition) {
      return image().partition(topic, partition)?.leader ?? null;
    },
    addressOf(brokerId) {
      const listener = image()
        .broker(brokerId)
        ?.listeners.find((l) => l.name === replicationListenerName);
      return listener === undefined ? undefined : `${listener.host}:${listener.port}`;
    },
  };
}

/** Why one partition was not written this round: a Kafka code, or trouble reaching its leader. */
type Failure = { readonly tp: TopicPartition; readonly reason: string };

export class BrokerMarkerWriter implements MarkerWriter {
  readonly #options: BrokerMarkerWriterOptions;
  readonly #timers: Timers;
  readonly #callTimeoutMs: number;
  readonly #backoffMsMin: number;
  readonly #backoffMsMax: number;
  readonly #warnAfterAttempts: number;
  #closed = false;

  constructor(options: BrokerMarkerWriterOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.#callTimeoutMs = options.callTimeoutMs ?? markerWriterDefaults.callTimeoutMs;
    this.#backoffMsMin = options.retryBackoffMsMin ?? markerWriterDefaults.retryBackoffMsMin;
    this.#backoffMsMax = Math.max(
      this.#backoffMsMin,
      options.retryBackoffMsMax ?? markerWriterDefaults.retryBackoffMsMax,
    );
    this.#warnAfterAttempts = options.warnAfterAttempts ?? markerWriterDefaults.warnAfterAttempts;
  }

  async write(request: MarkerRequest, cancelled: () => boolean): Promise<'written' | 'cancelled'> {
    let pending = uniquePartitions(request.partitions);
    const attempts = new Map<string, number>();
    let backoffMs = this.#backoffMsMin;
    for (;;) {
      if (this.#closed || cancelled()) return 'cancelled';
      const failures = await this.#round(request, pending);
      if (failures.length === 0) return 'written';
      for (const { tp, reason } of failures) this.#noteFailure(request, tp, reason, attempts);
      pending = failures.map((f) => f.tp);
      await this.#sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, this.#backoffMsMax);
    }
  }

  /** Stops the transport; writes in progress end 'cancelled' at their next round. */
  close(): void {
    this.#closed = true;
    this.#options.transport.close();
  }

  /** Sends every pending partition to its leader once; answers those not written. */
  async #round(request: MarkerRequest, pending: readonly TopicPartition[]): Promise<Failure[]> {
    const { routing } = this.#options;
    const failures: Failure[] = [];
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of pending) {
      const leader = routing.leaderOf(tp.topic, tp.partition);
      if (leader === null) continue; // deleted: nothing left to end
      if (leader < 0) failures.push({ tp, reason: 'no leader' });
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
    }
    const sent = await Promise.all(
      [...byLeader].map(([leader, partitions]) => this.#send(leader, entryOf(request, partitions))),
    );
    return failures.concat(...sent);
  }

  async #send(leader: number, entry: TxnMarkerEntry): Promise<Failure[]> {
    const all = (reason: string): Failure[] => entry.partitions.map((tp) => ({ tp, reason }));
    let answer: TxnMarkerAnswer | undefined;
    if (leader === this.#options.nodeId) {
      answer = (await this.#options.local([entry]))[0];
    } else {
      const address = this.#options.routing.addressOf(leader);
      if (address === undefined) return all(`leader ${leader} has no replication listener`);
      const result = await this.#options.transport.write(address, { markers: [entry] }, this.#callTimeoutMs);
      if (!result.ok) return all(`leader ${leader}: ${result.error}`);
      answer = result.value.markers[0];
    }
    if (answer === undefined) return all('no answer');
    return answer.partitions
      .filter((p) => p.errorCode !== ErrorCode.NONE)
      .map((p) => ({ tp: { topic: p.topic, partition: p.partition }, reason: errorName(p.errorCode) }));
  }

  #noteFailure(request: MarkerRequest, tp: TopicPartition, reason: string, attempts: Map<string, number>): void {
    const key = `${tp.topic}-${tp.partition}`;
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    const fields = {
      transactionalId: request.transactionalId,
      producerId: String(request.producerId),
      result: request.result,
      topic: tp.topic,
      partition: tp.partition,
      attempts: n,
      reason,
    };
    // Retriable trouble is normal for a moment (a leader election); a partition stuck for many rounds is not.
    if (n % this.#warnAfterAttempts === 0) this.#options.logger.warn(fields, 'transaction marker still not written');
    else this.#options.logger.debug(fields, 'transaction marker not written; retrying');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timers.setTimeout(resolve, ms);
    });
  }
}

function entryOf(request: MarkerRequest, partitions: readonly TopicPartition[]): TxnMarkerEntry {
  return {
    producerId: request.producerId,
    producerEpoch: request.producerEpoch,
    coordinatorEpoch: request.coordinatorEpoch,
    result: request.result,
    partitions,
  };
}

function uniquePartitions(partitions: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const tp of partitions) seen.set(`${tp.topic}-${tp.partition}`, tp);
  return [...seen.values()];
}
