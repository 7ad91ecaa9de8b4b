/**
 * The coordinator's persistence over the `__consumer_offsets` partitions
 * this broker leads: each write is one record batch appended as leader to
 * the group's partition and answered once committed (acks=all), and each
 * change of leadership of a partition drives the coordinator's lifecycle
 * (loading → loaded → unloaded).
 *
 * Owned by Broker, which feeds it PartitionManager's role changes
 * (`onRoleChange`). Writes fail as data (StoreError); nothing here throws
 * on a lost leadership or a bad disk. A load that fails or is overtaken is
 * abandoned and the partition stays unserved until the next role change.
 */
import { assert, type Clock, err, type Logger, ok, type Result } from '@runnel/common';
import { encodeRecordBatchSync, type KafkaRecord } from '@runnel/protocol';
import type { AckOutcome } from '../replication/ack-waiters.ts';
import type { Partition } from '../replication/partition.ts';
import type { PartitionRole } from '../replication/partition-api.ts';
import { loadOffsetsPartition } from './offsets-loader.ts';
import {
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from './offsets-records.ts';
import {
  type CoordinatorLifecycle,
  consumerOffsetsTopic,
  type GroupMetadataValue,
  type GroupStore,
  type OffsetsWriteError,
  type OffsetsWriteResult,
  partitionForGroup,
  type StoreResult,
  type TopicPartitionOffset,
  type TxnProducer,
} from './types.ts';

/** offset.metadata.max.bytes */
export const offsetMetadataBytesMaxDefault = 4096;
/** offsets.commit.timeout.ms */
export const offsetsCommitTimeoutMsDefault = 5000;

export interface OffsetsStoreOptions {
  /** This broker's replica of `__consumer_offsets` partition `index`, if it hosts one. */
  readonly partition: (index: number) => Partition | undefined;
  /** The topic's partition count (what partitionForGroup divides by). */
  readonly partitionCount: () => number;
  readonly lifecycle: CoordinatorLifecycle;
  /** The topic's effective min.insync.replicas. */
  readonly minInsyncReplicas: () => number;
  /** The topic's effective max.message.bytes: the largest batch one write may be. */
  readonly messageBytesMax: () => number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly offsetMetadataBytesMax?: number;
  readonly commitTimeoutMs?: number;
}

/** Where this broker stands with one partition it leads. */
interface Coordination {
  readonly leaderEpoch: number;
  status: 'loading' | 'loaded';
}

export class OffsetsStore implements GroupStore {
  readonly #options: OffsetsStoreOptions;
  readonly #coordinating = new Map<number, Coordination>();
  #closed = false;

  constructor(options: OffsetsStoreOptions) {
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
    if (partition.topic !== consumerOffsetsTopic || this.#closed) return;
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

  async writeGroup(groupId: string, value: GroupMetadataValue | null): Promise<StoreResult> {
    const record = {
      key: encodeGroupMetadataKey(groupId),
      value: value === null ? null : encodeGroupMetadataValue(value),
    };
    const written = await this.#write(groupId, [record], null);
    if (written.ok) return ok(undefined);
    const error = written.error;
    assert(error !== 'invalid_producer_epoch', 'a group record has no producer to fence');
    return err(error);
  }

  writeOffsets(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    transaction: TxnProducer | null,
  ): Promise<OffsetsWriteResult> {
    const metadataMax = this.#options.offsetMetadataBytesMax ?? offsetMetadataBytesMaxDefault;
    const records: KafkaRecord[] = [];
    for (const o of offsets) {
      if (o.value !== null && Buffer.byteLength(o.value.metadata, 'utf8') > metadataMax) {
        return Promise.resolve(err('record_too_large', `commit metadata over ${metadataMax} bytes`));
      }
      records.push({
        key: encodeOffsetCommitKey(groupId, o.topic, o.partition),
        value: o.value === null ? null : encodeOffsetCommitValue(o.value),
      });
    }
    return this.#write(groupId, records, transaction);
  }

  #load(partition: Partition): void {
    const index = partition.index;
    const entry: Coordination = { leaderEpoch: partition.leaderEpoch, status: 'loading' };
    this.#coordinating.set(index, entry);
    const { lifecycle, logger } = this.#options;
    const current = (): boolean => this.#coordinating.get(index) === entry;
    lifecycle.loading(index);
    const started = this.#options.clock.monotonicMs();
    loadOffsetsPartition({ partition, current, logger }).then(
      (outcome) => {
        if (!('loaded' in outcome) || !current()) return;
        entry.status = 'loaded';
        const { groups, offsets } = outcome.loaded;
        logger.info(
          {
            partition: index,
            leaderEpoch: entry.leaderEpoch,
            groups: groups.size,
            groupsWithOffsets: offsets.size,
            ms: this.#options.clock.monotonicMs() - started,
          },
          'loaded __consumer_offsets partition',
        );
        lifecycle.loaded(index, outcome.loaded);
      },
      (error: unknown) => {
        // A read or decode failure; the partition stays unserved (loading) until leadership changes again.
        logger.error({ partition: index, err: String(error) }, 'could not load __consumer_offsets partition');
      },
    );
  }

  /**
   * One batch of `records` as leader, acks=all; for `transaction` a
   * transactional batch of that producer with no sequence (as Kafka's
   * coordinator writes it), checked by the log as a coordinator's (epoch
   * only) and opening the producer's transaction on this partition, so its
   * last stable offset waits for the marker.
   */
  async #write(
    groupId: string,
    records: KafkaRecord[],
    transaction: TxnProducer | null,
  ): Promise<Result<{ baseOffset: bigint }, OffsetsWriteError>> {
    assert(records.length > 0, 'a coordinator write holds at least one record');
    const o = this.#options;
    const index = partitionForGroup(groupId, o.partitionCount());
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
    // acks=all refuses before appending when the ISR is already too small; for groups that is NOT_COORDINATOR.
    if (partition.isr.length < minIsr) return err('not_coordinator', 'ISR below min.insync.replicas');
    const baseTimestamp = BigInt(o.clock.nowMs());
    const batch = encodeRecordBatchSync(
      transaction === null
        ? { records, baseTimestamp }
        : {
            records,
            baseTimestamp,
            producerId: transaction.producerId,
            producerEpoch: transaction.producerEpoch,
            baseSequence: -1,
            transactional: true,
          },
    );
    if (batch.length > o.messageBytesMax()) return err('record_too_large', `batch of ${batch.length} bytes`);
    let replicated: Promise<AckOutcome>;
    let baseOffset: bigint;
    try {
      const appended = await partition.appendAsLeader(batch, records.length, {
        acks: -1,
        minInsyncReplicas: minIsr,
        timeoutMs: o.commitTimeoutMs ?? offsetsCommitTimeoutMsDefault,
        origin: 'coordinator',
      });
      if (!appended.ok) {
        // An epoch older than the partition knows: the producer was fenced (Kafka answers INVALID_PRODUCER_EPOCH).
        if (appended.error === 'invalid_producer_epoch') return err('invalid_producer_epoch');
        if (transaction !== null)
          o.logger.warn({ partition: index, groupId, error: appended.error }, 'txn commit refused');
        return err('not_coordinator');
      }
      baseOffset = appended.value.baseOffset;
      replicated = appended.value.replicated;
    } catch (error) {
      // A closed or failed log: Kafka answers NOT_COORDINATOR to storage errors on this topic too.
      o.logger.warn({ partition: index, groupId, err: String(error) }, 'append to __consumer_offsets failed');
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
}
