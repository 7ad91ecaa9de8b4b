/**
 * A stand-in MarkerWriter until the cluster-wide one (WriteTxnMarkers to
 * every partition's leader) is wired: it writes markers only on partitions
 * THIS broker leads (`Partition.writeTxnMarker`) and waits for each to be
 * committed (high watermark past it); a partition led elsewhere is retried
 * every `retryBackoffMs` until it is led here, deleted (counts as written)
 * or the request is cancelled. Enough for one broker, or for transactions
 * whose partitions share their leader with the coordinator.
 */
import type { Logger } from '@runnel/common';
import type { GroupTimers } from '../groups/group-timers.ts';
import type { Partition } from '../replication/partition.ts';
import type { TopicPartition } from './txn-api.ts';
import type { MarkerRequest } from './txn-core.ts';
import type { MarkerWriter } from './txn-ports.ts';

export interface LocalMarkerWriterOptions {
  /** This broker's replica of a partition, if it hosts one. */
  readonly partition: (topic: string, index: number) => Partition | undefined;
  /** Whether the partition still exists in the cluster's metadata. */
  readonly exists: (topic: string, index: number) => boolean;
  readonly timers: GroupTimers;
  readonly logger: Logger;
  readonly retryBackoffMs?: number;
}

export class LocalMarkerWriter implements MarkerWriter {
  readonly #options: LocalMarkerWriterOptions;

  constructor(options: LocalMarkerWriterOptions) {
    this.#options = options;
  }

  async write(request: MarkerRequest, cancelled: () => boolean): Promise<'written' | 'cancelled'> {
    const outcomes = await Promise.all(request.partitions.map((tp) => this.#writeOne(request, tp, cancelled)));
    return outcomes.every((o) => o) ? 'written' : 'cancelled';
  }

  /** True once written (or the partition is gone), false if cancelled first. */
  async #writeOne(request: MarkerRequest, tp: TopicPartition, cancelled: () => boolean): Promise<boolean> {
    const { partition: lookup, exists, logger } = this.#options;
    for (;;) {
      if (cancelled()) return false;
      if (!exists(tp.topic, tp.partition)) return true;
      const partition = lookup(tp.topic, tp.partition);
      if (partition !== undefined && partition.role === 'leader') {
        const written = await partition.writeTxnMarker(
          request.producerId,
          request.producerEpoch,
          request.coordinatorEpoch,
          request.result,
        );
        // A newer coordinator wrote this producer's markers already: ours is not needed.
        if (!written.ok && written.error === 'coordinator_fenced') return true;
        if (written.ok && (await committed(partition, written.value.offset, cancelled))) return true;
      }
      logger.debug({ topic: tp.topic, partition: tp.partition }, 'transaction marker not written here yet; retrying');
      await new Promise<void>((resolve) => this.#options.timers.schedule(this.#options.retryBackoffMs ?? 100, resolve));
    }
  }
}

/**
 * Resolves true once the high watermark passes `offset`, false if the
 * partition stops being led here (or, seen at its next change, the request
 * was cancelled).
 */
function committed(partition: Partition, offset: bigint, cancelled: () => boolean): Promise<boolean> {
  const leaderEpoch = partition.leaderEpoch;
  return new Promise((resolve) => {
    const check = (): void => {
      if (partition.highWatermark > offset) resolve(true);
      else if (cancelled() || partition.closed || partition.role !== 'leader' || partition.leaderEpoch !== leaderEpoch)
        resolve(false);
      // Partition wakes its listeners on appends, high-watermark moves, role changes and close.
      else partition.onNextAppend(check);
    };
    check();
  });
}
