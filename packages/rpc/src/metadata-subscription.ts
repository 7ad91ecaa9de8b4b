/**
 * One ControllerChannel subscriber fed by FetchMetadata streams: it
 * remembers the last offset it delivered and, whenever a stream ends,
 * opens a new one after that offset (with backoff), trimming any overlap
 * and refusing gaps, so the listener sees every offset exactly once.
 * Internal to GrpcControllerChannel, which owns and stops it.
 */
import type { Logger } from '@runnel/common';
import type { CommittedBatch, MetadataRecord } from '@runnel/metadata';
import type { ControllerClient } from './controller-client.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import type { MetadataStream } from './metadata-stream.ts';

export class MetadataSubscription {
  readonly #client: ControllerClient;
  readonly #listener: (batch: CommittedBatch) => void;
  readonly #onSnapshotReset: ((batch: CommittedBatch) => void) | undefined;
  readonly #backoff: ReconnectBackoff;
  readonly #logger: Logger;
  readonly #waiters = new Set<{ offset: bigint; resolve: (reached: boolean) => void }>();
  #delivered = -1n;
  #stream: MetadataStream | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #backoffMs: number;
  #stopped = false;

  constructor(
    client: ControllerClient,
    listener: (batch: CommittedBatch) => void,
    options: {
      backoff: ReconnectBackoff;
      logger: Logger;
      onSnapshotReset: ((batch: CommittedBatch) => void) | undefined;
    },
  ) {
    this.#client = client;
    this.#listener = listener;
    this.#backoff = options.backoff;
    this.#backoffMs = options.backoff.backoffMsMin;
    this.#logger = options.logger;
    this.#onSnapshotReset = options.onSnapshotReset;
    this.#open();
  }

  /** The last offset handed to the listener; -1n before the first. */
  get delivered(): bigint {
    return this.#delivered;
  }

  /** Resolves true once `offset` has been delivered, false if `timeoutMs` passes or the subscription stops first. */
  whenDelivered(offset: bigint, timeoutMs: number): Promise<boolean> {
    if (this.#delivered >= offset) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        offset,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stream?.cancel();
    this.#stream = null;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    for (const waiter of [...this.#waiters]) waiter.resolve(false);
  }

  #open(): void {
    this.#retryTimer = null;
    if (this.#stopped) return;
    this.#stream = this.#client.streamMetadata(this.#delivered, {
      batch: (records, lastOffset) => this.#onBatch(records, lastOffset),
      snapshot: (records, lastOffset) => this.#onSnapshot(records, lastOffset),
      end: (reason, message, leader) => {
        this.#stream = null;
        if (this.#stopped) return;
        this.#logger.info(
          { event: 'metadata-stream-ended', reason, message, delivered: String(this.#delivered) },
          'resuming',
        );
        // A named leader is worth trying at once; anything else waits, doubling up to the cap.
        const waitMs = reason === 'not_controller' && leader?.leaderAddress != null ? 0 : this.#backoffMs;
        this.#backoffMs = Math.min(this.#backoffMs * 2, this.#backoff.backoffMsMax);
        this.#retryTimer = setTimeout(() => this.#open(), waitMs);
      },
    });
  }

  #onBatch(records: MetadataRecord[], lastOffset: bigint): void {
    const firstOffset = lastOffset - BigInt(records.length) + 1n;
    if (lastOffset <= this.#delivered) return;
    if (firstOffset > this.#delivered + 1n) {
      this.#logger.error(
        { event: 'metadata-stream-gap', delivered: String(this.#delivered), firstOffset: String(firstOffset) },
        'controller skipped offsets; resubscribing',
      );
      this.#restart();
      return;
    }
    const fresh = firstOffset > this.#delivered ? records : records.slice(Number(this.#delivered + 1n - firstOffset));
    this.#deliver({ records: fresh, lastOffset });
  }

  #onSnapshot(records: MetadataRecord[], lastOffset: bigint): void {
    if (lastOffset <= this.#delivered) return;
    if (this.#delivered < 0n) {
      this.#deliver({ records, lastOffset });
      return;
    }
    // The controller no longer has the records after what we applied: the subscriber must start over from the image.
    if (this.#onSnapshotReset === undefined) {
      // The listener rebuilds its image from the snapshot (CommittedBatch.reset).
      this.#deliver({ records, lastOffset, reset: true });
      return;
    }
    this.#delivered = lastOffset;
    this.#onSnapshotReset({ records, lastOffset });
    this.#settleWaiters();
  }

  #deliver(batch: CommittedBatch): void {
    this.#delivered = batch.lastOffset;
    this.#backoffMs = this.#backoff.backoffMsMin;
    this.#listener(batch);
    this.#settleWaiters();
  }

  #settleWaiters(): void {
    for (const waiter of [...this.#waiters]) if (waiter.offset <= this.#delivered) waiter.resolve(true);
  }

  #restart(): void {
    this.#stream?.cancel();
    this.#stream = null;
    this.#retryTimer = setTimeout(() => this.#open(), this.#backoffMs);
  }
}
