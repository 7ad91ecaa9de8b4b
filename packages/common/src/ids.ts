/**
 * Branded id types. They are plain numbers/bigints at run time; the brand
 * only stops a BrokerId being passed where a PartitionId is expected.
 * Kafka int64 values (offsets, producer ids, timestamps) are bigint.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type BrokerId = Brand<number, 'BrokerId'>;
export type NodeId = Brand<number, 'NodeId'>;
export type PartitionId = Brand<number, 'PartitionId'>;
export type LeaderEpoch = Brand<number, 'LeaderEpoch'>;
export type Offset = Brand<bigint, 'Offset'>;
export type ProducerId = Brand<bigint, 'ProducerId'>;
export type TimestampMs = Brand<bigint, 'TimestampMs'>;

export const brokerId = (n: number): BrokerId => n as BrokerId;
export const nodeId = (n: number): NodeId => n as NodeId;
export const partitionId = (n: number): PartitionId => n as PartitionId;
export const leaderEpoch = (n: number): LeaderEpoch => n as LeaderEpoch;
export const offset = (n: bigint): Offset => n as Offset;
export const producerId = (n: bigint): ProducerId => n as ProducerId;
export const timestampMs = (n: bigint): TimestampMs => n as TimestampMs;
