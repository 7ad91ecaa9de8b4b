/**
 * What the group and the transaction coordinators' stores share: the
 * partitions of their internal topic (`__consumer_offsets`,
 * `__transaction_state`) this broker leads, each loaded into coordinator
 * state when leadership arrives and unloaded when it moves
 * (loading → loaded → unloaded), and writes appended as leader, answered
 * once committed (acks=all).
 *
 * The base class of the coordinators' stores (OffsetsStore,
 * TransactionStateStore), which add their record formats; the Broker feeds
 * them PartitionManager's role changes. Writes fail as data
 * (StoreError); nothing here throws on a lost leadership or a bad disk. A
 * load that fails or is overtaken is abandoned and the partition stays
 * unserved until the next role change.
 */
import { assert, type Clock, err, type Logger, ok, type Result } from '@runnel/common';
import { encodeRecordBatchSync, type KafkaRecord } from '@runnel/protocol';
import type { CoordinatorAppendError, StoreResult } from './coordinator-store.ts';
import type { AckOutcome } from './replication/ack-waiters.ts';
import type { Partition } from './replication/partition.ts';
import type { PartitionRole } from './replication/partition-api.ts';

/** What a coordinator hears about the partitions of its topic this broker leads. */
export interface PartitionLifecycle<S> {
  /** Loading of `partition` began: its keys answer COORDINATOR_LOAD_IN_PROGRESS. */
  loading(partition: number): void;
  /** This broker now coordinates `partition` in `leaderEpoch`, starting from `state`. */
  loaded(partition: number, state: S, leaderEpoch: number): void;
  /** This broker no longer coordinates `partition`: drop its state, answer NOT_COORDINATOR. */
  unloaded(partition: number): void;
}

export interface CoordinatorPartitionsOptions<S> {
  readonly topic: string;
  /** This broker's replica of partition `index` of the topic, if it hosts one. */
  readonly partition: (index: number) => Partition | undefined;
  readonly lifecycle: PartitionLifecycle<S>;
  /** Replays the partition (see coordinator-loader.ts); null when the load was abandoned. */
  readonly load: (partition: Partition, current: () => boolean) => Promise<S | null>;
  /** For the log line of a finished load: how much state it found. */
  readonly describeLoaded: (state: S) => Record<string, number>;
  /** The topic's effective min.insync.replicas. */
  readonly minInsyncReplicas: () => number;
  /** The topic's effective max.message.bytes: the largest batch one write may be. */
  readonly messageBytesMax: () => number;
  /** How long a write may wait for the ISR before it answers timed_out. */
  readonly commitTimeoutMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Where this broker stands with one partition it leads. */
interface Coordination {
  readonly leaderEpoch: number;
  status: 'loading' | 'loaded';
}

export class CoordinatorPartitions<S> {
  readonly #options: CoordinatorPartitionsOptions<S>;
  readonly #coordinating = new Map<number, Coordination>();
  #closed = false;

  constructor(options: CoordinatorPartitionsOptions<S>) {
    this.#options = options;
  }

  /** For diagnostics and tests: how far this broker is with coordinating `index`. */
  status(index: number): 'loading' | 'loaded' | 'none' {
    return this.#coordinating.get(index)?.status ?? 'none';
  }

  /**
   * PartitionManager's hook: a partition changed role (or, as leader, its
   * leader epoch). Never blocks the caller: loads run in the background.
   */
  onRoleChange(partition: Partition, _before: PartitionRole, after: PartitionRole): void {
    if (partition.topic !== this.#options.topic || this.#closed) return;
    const index = partition.index;
    const held = this.#coordinating.get(index);
    const leads = after === 'leader' && !partition.closed;
    if (held !== undefined && leads && held.leaderEpoch === partition.leaderEpoch) return;
    if (held !== undefined) {
      // Deleting the entry is what abandons a load in progress (its `current()` turns false).
      this.#coordinating.delete(index);
      this.#options.lifecycle.unloaded(index);
    }
    if (leads) this.#load(partition);
  }

  /** Stops every load and coordination (the broker is stopping). */
  close(): void {
    this.#closed = true;
    for (const index of [...this.#coordinating.keys()]) {
      this.#coordinating.delete(index);
      this.#options.lifecycle.unloaded(index);
    }
  }

  /** Appends `records` as one batch to partition `index` and resolves once committed; `what` names it in logs. */
  async append(index: number, records: KafkaRecord[], what: string): Promise<StoreResult> {
    if (records.length === 0) return ok(undefined);
    const written = await this.appendBatch(index, records, what, null);
    if (written.ok) return ok(undefined);
    assert(written.error !== 'invalid_producer_epoch', "a write of the coordinator's own has no producer to fence");
    return err(written.error, written.message);
  }

  /**
   * `append` returning the batch's base offset; with `transaction`, a
   * transactional batch of that producer with no sequence (as Kafka's
   * coordinator writes it), checked by the log as a coordinator's (epoch
   * only) and opening the producer's transaction on the partition, so its
   * last stable offset waits for the marker.
   */
  async appendBatch(
    index: number,
    records: KafkaRecord[],
    what: string,
    transaction: { readonly producerId: bigint; readonly producerEpoch: number } | null,
  ): Promise<Result<{ baseOffset: bigint }, CoordinatorAppendError>> {
    assert(records.length > 0, 'a coordinator write holds at least one record');
    const o = this.#options;
    const held = this.#coordinating.get(index);
    if (held === undefined) return err('not_coordinator');
    if (held.status === 'loading') return err('coordinator_load_in_progress');
    const partition = o.partition(index);
    if (
      partition === undefined ||
      partition.closed ||
      partition.role !== 'leader' ||
      partition.leaderEpoch !== held.leaderEpoch
    ) {
      return err('not_coordinator');
    }
    const minIsr = o.minInsyncReplicas();
    // acks=all refuses before appending when the ISR is already too small; for coordinators that is NOT_COORDINATOR.
    if (partition.isr.length < minIsr) return err('not_coordinator', 'ISR below min.insync.replicas');
    const baseTimestamp = BigInt(o.clock.nowMs());
    const batch = encodeRecordBatchSync(
      transaction === null
        ? { records, baseTimestamp }
        : { records, baseTimestamp, ...transaction, baseSequence: -1, transactional: true },
    );
    if (batch.length > o.messageBytesMax()) return err('record_too_large', `batch of ${batch.length} bytes`);
    let replicated: Promise<AckOutcome>;
    let baseOffset: bigint;
    try {
      const appended = await partition.appendAsLeader(batch, records.length, {
        acks: -1,
        minInsyncReplicas: minIsr,
        timeoutMs: o.commitTimeoutMs,
        origin: 'coordinator',
      });
      if (!appended.ok) {
        // An epoch older than the partition knows: the producer was fenced.
        if (appended.error === 'invalid_producer_epoch') return err('invalid_producer_epoch');
        if (transaction !== null) o.logger.warn({ partition: index, key: what, error: appended.error }, 'refused');
        return err('not_coordinator');
      }
      baseOffset = appended.value.baseOffset;
      replicated = appended.value.replicated;
    } catch (error) {
      // A closed or failed log: Kafka answers NOT_COORDINATOR to storage errors on these topics too.
      o.logger.warn({ partition: index, key: what, err: String(error) }, `append to ${o.topic} failed`);
      return err('not_coordinator');
    }
    const outcome = await replicated;
    switch (outcome) {
      case 'done':
        return ok({ baseOffset });
      case 'timed_out':
        return err('timed_out');
      case 'not_leader':
      case 'not_enough_replicas_after_append':
        return err('not_coordinator');
    }
  }

  #load(partition: Partition): void {
    const index = partition.index;
    const entry: Coordination = { leaderEpoch: partition.leaderEpoch, status: 'loading' };
    this.#coordinating.set(index, entry);
    const { lifecycle, logger, topic } = this.#options;
    const current = (): boolean => this.#coordinating.get(index) === entry;
    lifecycle.loading(index);
    const started = this.#options.clock.monotonicMs();
    this.#options.load(partition, current).then(
      (state) => {
        if (state === null || !current()) return;
        entry.status = 'loaded';
        logger.info(
          {
            partition: index,
            leaderEpoch: entry.leaderEpoch,
            ...this.#options.describeLoaded(state),
            ms: this.#options.clock.monotonicMs() - started,
          },
          `loaded ${topic} partition`,
        );
        lifecycle.loaded(index, state, entry.leaderEpoch);
      },
      (error: unknown) => {
        // A read or decode failure; the partition stays unserved (loading) until leadership changes again.
        logger.error({ partition: index, err: String(error) }, `could not load ${topic} partition`);
      },
    );
  }
}
