/**
 * The shapes protobufjs produces for proto/replica-fetch.proto with the
 * loader options in load-protos.ts (camelCase, int64 as decimal strings,
 * enums as names, defaults filled in, bytes as Buffer). An enum number the
 * proto does not define arrives as a number, hence `string | number`.
 */
export interface PartitionFetchProto {
  topicId: string;
  partition: number;
  fetchOffset: string;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
  logStartOffset: string;
}

export interface ReplicaFetchRequestProto {
  requestId: string;
  replicaId: number;
  brokerEpoch: string;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: PartitionFetchProto[];
}

export interface DivergingEpochProto {
  epoch: number;
  endOffset: string;
}

export interface PartitionDataProto {
  topicId: string;
  partition: number;
  error: string | number;
  highWatermark: string;
  logStartOffset: string;
  logEndOffset: string;
  divergingEpoch: DivergingEpochProto | null;
  records: Buffer;
}

export interface ReplicaFetchResponseProto {
  requestId: string;
  partitions: PartitionDataProto[];
}
