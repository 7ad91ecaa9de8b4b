/**
 * The group coordinator's persistence over the `__consumer_offsets`
 * partitions this broker leads (the shared CoordinatorPartitions): each
 * write is one record batch appended as leader to the group's partition and
 * answered once committed (acks=all), and each change of leadership of a
 * partition drives the coordinator's lifecycle (loading → loaded → unloaded).
 *
 * Owned by Broker, which feeds it PartitionManager's role changes
 * (`onRoleChange`). Writes fail as data (StoreError).
 */
import { type Clock, err, type Logger } from '@runnel/common';
import type { KafkaRecord } from '@runnel/protocol';
import { CoordinatorPartitions } from '../coordinator-partitions.ts';
import type { Partition } from '../replication/partition.ts';
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
  type LoadedPartition,
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

export class OffsetsStore extends CoordinatorPartitions<LoadedPartition> implements GroupStore {
  readonly #options: OffsetsStoreOptions;

  constructor(options: OffsetsStoreOptions) {
    const { lifecycle, logger } = options;
    super({
      topic: consumerOffsetsTopic,
      partition: options.partition,
      lifecycle: {
        loading: (p) => lifecycle.loading(p),
        loaded: (p, state) => lifecycle.loaded(p, state),
        unloaded: (p) => lifecycle.unloaded(p),
      },
      load: async (partition, current) => {
        const outcome = await loadOffsetsPartition({ partition, current, logger });
        return 'loaded' in outcome ? outcome.loaded : null;
      },
      describeLoaded: (state) => ({ groups: state.groups.size, groupsWithOffsets: state.offsets.size }),
      minInsyncReplicas: options.minInsyncReplicas,
      messageBytesMax: options.messageBytesMax,
      commitTimeoutMs: options.commitTimeoutMs ?? offsetsCommitTimeoutMsDefault,
      logger,
      clock: options.clock,
    });
    this.#options = options;
  }

  writeGroup(groupId: string, value: GroupMetadataValue | null): Promise<StoreResult> {
    const record = {
      key: encodeGroupMetadataKey(groupId),
      value: value === null ? null : encodeGroupMetadataValue(value),
    };
    return this.append(this.#index(groupId), [record], groupId);
  }

  /**
   * With `transaction`, a transactional offset commit of that producer
   * (TxnOffsetCommit): pending until its marker (CoordinatorPartitions.appendBatch).
   */
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
    return this.appendBatch(this.#index(groupId), records, groupId, transaction);
  }

  #index(groupId: string): number {
    return partitionForGroup(groupId, this.#options.partitionCount());
  }
}
