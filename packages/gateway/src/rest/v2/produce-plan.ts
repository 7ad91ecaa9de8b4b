/**
 * Which partition each record of a produce request goes to, and the
 * batches that carry them: every partition's records in request order, cut
 * into batches below the broker's default message.max.bytes, so one
 * request costs one Produce per partition (more only for big requests) and
 * the partitions' Produces can run in parallel. Pure; produce-routes.ts
 * sends the batches.
 */
import type { KafkaRecord } from '@runnel/protocol';
import { partitionForKey } from '../partitioner.ts';

/** A record's encoded bytes and the partition the request named for it (null: none named). */
export interface EncodedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly partition: number | null;
}

/** One Produce's worth of one partition's records, with each record's index in the request. */
export interface PlannedBatch {
  readonly records: KafkaRecord[];
  readonly indexes: number[];
}

/** A partition's batches, to be sent one after another (so its records keep the request's order). */
export interface PartitionPlan {
  readonly partition: number;
  readonly batches: PlannedBatch[];
}

/**
 * Kafka's default message.max.bytes is 1048588 per batch; record overhead (varints, attributes, the batch
 * header) is bounded by `recordOverheadBytes` per record, so batches this size always fit under it.
 */
export const batchBytesMax = 900 * 1024;
const recordOverheadBytes = 32;

export interface PlanOptions {
  /** The topic's partition count. */
  readonly partitions: number;
  /** Every record goes here (produce to a partition); null lets each record's partition, key or spread decide. */
  readonly fixedPartition: number | null;
  /** Where spreading unkeyed records starts (the caller rotates it between requests). */
  readonly spreadStart: number;
  readonly batchBytesMax?: number;
}

/**
 * The partition of each record: the fixed one, else its own, else its key's (Kafka's default partitioner), else
 * the next in a round robin from `spreadStart`. Partitions must already be checked to be below `partitions`.
 */
export function partitionsOf(records: readonly EncodedRecord[], options: PlanOptions): number[] {
  let next = options.spreadStart;
  return records.map((record) => {
    if (options.fixedPartition !== null) return options.fixedPartition;
    if (record.partition !== null) return record.partition;
    if (record.key !== null) return partitionForKey(record.key, options.partitions);
    const partition = next % options.partitions;
    next += 1;
    return partition;
  });
}

/** The batches per partition, partitions in ascending order, records in request order within each. */
export function planBatches(records: readonly EncodedRecord[], options: PlanOptions): PartitionPlan[] {
  const bytesMax = options.batchBytesMax ?? batchBytesMax;
  const targets = partitionsOf(records, options);
  const byPartition = new Map<number, { batches: PlannedBatch[]; bytes: number }>();
  records.forEach((record, index) => {
    const partition = targets[index] ?? 0;
    let plan = byPartition.get(partition);
    if (plan === undefined) {
      plan = { batches: [], bytes: 0 };
      byPartition.set(partition, plan);
    }
    const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + recordOverheadBytes;
    let batch = plan.batches.at(-1);
    // A record bigger than the bound goes alone: the broker, not the proxy, says whether it fits its topic.
    if (batch === undefined || (batch.records.length > 0 && plan.bytes + size > bytesMax)) {
      batch = { records: [], indexes: [] };
      plan.batches.push(batch);
      plan.bytes = 0;
    }
    batch.records.push({ key: record.key, value: record.value });
    batch.indexes.push(index);
    plan.bytes += size;
  });
  return [...byPartition.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, plan]) => ({ partition, batches: plan.batches }));
}
