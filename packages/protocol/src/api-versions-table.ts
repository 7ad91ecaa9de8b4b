/**
 * The ApiVersions table every Runnel node advertises: the same on every node,
 * because several clients learn versions from one broker and reuse them for
 * all (kafka-client-compat.md, section 6). Message definitions cover at least
 * these ranges; the transaction APIs are defined further, to Kafka 4.1's
 * versions, ahead of the handlers that will serve them (see the
 * protocol README). Never raise a minimum: kafka-python and librdkafka 2.0.2
 * pin the low versions.
 */

/** Kafka API keys by name. */
export const ApiKeys = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
} as const;

export type ApiKey = (typeof ApiKeys)[keyof typeof ApiKeys];

export interface AdvertisedApi {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

const api = (name: keyof typeof ApiKeys, minVersion: number, maxVersion: number): AdvertisedApi => ({
  apiKey: ApiKeys[name],
  name,
  minVersion,
  maxVersion,
});

/** Ordered by API key, as ApiVersions responses list them. */
export const advertisedApis: readonly AdvertisedApi[] = [
  // Produce from 0: librdkafka <= 2.10 checks Produce v0 before it compresses with gzip, snappy or lz4.
  // Defined to 12; v12 tells the broker the client uses transaction version 2 (implicit partition adds),
  // so it is advertised together with that feature, not before.
  api('Produce', 0, 12),
  api('Fetch', 4, 11),
  api('ListOffsets', 1, 3),
  api('Metadata', 0, 6),
  // OffsetCommit and OffsetFetch to 9: Kafka 4.1's v10 (topic ids) is unstable there, not advertised by its brokers.
  api('OffsetCommit', 2, 9),
  api('OffsetFetch', 1, 9),
  // v4+ batches keys (KIP-699); v6 adds share-group keys, answered per key as unsupported.
  api('FindCoordinator', 0, 6),
  // Kafka 4.1's classic group APIs: JoinGroup v8 reason, v9 skip-assignment; LeaveGroup v5 reasons; SyncGroup v5 protocol.
  api('JoinGroup', 0, 9),
  api('Heartbeat', 0, 4),
  api('LeaveGroup', 0, 5),
  api('SyncGroup', 0, 5),
  // v6 answers GROUP_ID_NOT_FOUND for an unknown group (KIP-1043).
  api('DescribeGroups', 0, 6),
  // v4 filters by state (KIP-518), v5 by type (KIP-848).
  api('ListGroups', 0, 5),
  api('SaslHandshake', 0, 1),
  api('ApiVersions', 0, 4),
  api('CreateTopics', 3, 4),
  api('DeleteTopics', 1, 3),
  api('DeleteRecords', 1, 1),
  // InitProducerId v5 and AddOffsetsToTxn v4 only allow TRANSACTION_ABORTABLE (KIP-890), never answered there.
  // AddPartitionsToTxn v4+ is the brokers' batched form (they ask over gRPC instead). EndTxn v5 is transaction
  // version 2 (KIP-890 part 2), which clients send only when the finalized transaction.version is 2.
  api('InitProducerId', 0, 5),
  api('AddPartitionsToTxn', 0, 3),
  api('AddOffsetsToTxn', 0, 4),
  api('EndTxn', 0, 5),
  // Sent by transaction coordinators and admin tools (abortTransaction) straight to a partition leader.
  api('WriteTxnMarkers', 1, 1),
  // Kafka 4.1's range: v3+ member identity (KIP-447), v5 transaction version 2's implicit partition add.
  api('TxnOffsetCommit', 0, 5),
  api('DescribeAcls', 1, 1),
  api('CreateAcls', 1, 1),
  api('DeleteAcls', 1, 1),
  api('DescribeConfigs', 1, 2),
  api('AlterConfigs', 0, 1),
  api('SaslAuthenticate', 0, 1),
  api('CreatePartitions', 0, 1),
  // v0 has v1's layout (Kafka 4.1 still serves it); v2 is the flexible one.
  api('DeleteGroups', 0, 2),
  // v0-2: Kafka's admin tools send v1+ for the election type; v2 is the flexible one.
  api('ElectLeaders', 0, 2),
  api('IncrementalAlterConfigs', 0, 1),
  // v0 only: kafkajs's admin sends v0 (flexible), the only reassignment version it knows.
  api('AlterPartitionReassignments', 0, 0),
  api('ListPartitionReassignments', 0, 0),
  // Kafka 4.1 still has only v0.
  api('OffsetDelete', 0, 0),
  api('DescribeCluster', 0, 1),
  api('DescribeProducers', 0, 0),
  api('DescribeTransactions', 0, 0),
  api('ListTransactions', 0, 2),
];
