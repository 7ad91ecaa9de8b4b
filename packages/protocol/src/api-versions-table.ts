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
  OffsetForLeaderEpoch: 23,
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
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeQuorum: 55,
  UpdateFeatures: 57,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  DescribeTopicPartitions: 75,
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
  // v12 tells the broker the client uses transaction version 2 (implicit partition adds); v13 names topics
  // by id (KIP-516).
  api('Produce', 0, 13),
  // Kafka 4.1's range: v12 diverging epochs, v13 topic ids, v15 replicaState, v16 leader endpoints (KIP-951);
  // v17-18 only add follower fields a consumer leaves at their defaults.
  api('Fetch', 4, 18),
  // Kafka 4.1's max (v7 max timestamp, v8 local start, v9 tiered end, v10 timeoutMs); v0 kept below Kafka's 1
  // because old clients (kafka-python's probe, librdkafka's legacy path) still send it.
  api('ListOffsets', 0, 10),
  // Kafka 4.1's 0-13 (v13 top-level error, KIP-1102); v0 kept for old clients (4.1 itself still serves it).
  api('Metadata', 0, 13),
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
  // Kafka 4.1 serves 2-7; 3 stays the minimum Runnel always had. v7 returns the topic id.
  api('CreateTopics', 3, 7),
  // Kafka 4.1's 1-6; v6 deletes by topic id.
  api('DeleteTopics', 1, 6),
  // v0-2, Kafka 4.1's: v1 is v0 (throttling after the answer), v2 is the flexible one (kafkajs sends v0-1).
  api('DeleteRecords', 0, 2),
  // InitProducerId v5 and AddOffsetsToTxn v4 only allow TRANSACTION_ABORTABLE (KIP-890), never answered there.
  // AddPartitionsToTxn v4+ is the brokers' batched form (KIP-890 part 1; Runnel's brokers ask over gRPC, the
  // handler answers it for other senders). EndTxn v5 is transaction version 2 (KIP-890 part 2), which clients
  // send only when the finalized transaction.version is 2.
  api('InitProducerId', 0, 5),
  // Kafka 4.1's range (v0-1 left in 4.0, KIP-896): consumers validate positions after a leader change (KIP-320).
  api('OffsetForLeaderEpoch', 2, 4),
  api('AddPartitionsToTxn', 0, 5),
  api('AddOffsetsToTxn', 0, 4),
  api('EndTxn', 0, 5),
  // Sent by transaction coordinators and admin tools (abortTransaction) straight to a partition leader.
  api('WriteTxnMarkers', 1, 1),
  // Kafka 4.1's range: v3+ member identity (KIP-447), v5 transaction version 2's implicit partition add.
  api('TxnOffsetCommit', 0, 5),
  api('DescribeAcls', 1, 1),
  api('CreateAcls', 1, 1),
  api('DeleteAcls', 1, 1),
  // Kafka 4.1: v1-4 (v0 removed by KIP-896); v3 config types and documentation, v4 flexible.
  api('DescribeConfigs', 1, 4),
  // Kafka 4.1: v0-2 (KIP-896 kept v0); v2 flexible.
  api('AlterConfigs', 0, 2),
  // v1-4, Kafka 4.1's (KIP-896 removed v0): v3 adds the request-wide error, v4 the filesystem's total and usable bytes.
  api('DescribeLogDirs', 1, 4),
  api('SaslAuthenticate', 0, 1),
  // Kafka 4.1's 0-3 (v2 flexible, v3 only adds a throttling error Runnel never sends).
  api('CreatePartitions', 0, 3),
  // v0 has v1's layout (Kafka 4.1 still serves it); v2 is the flexible one.
  api('DeleteGroups', 0, 2),
  // v0-2: Kafka's admin tools send v1+ for the election type; v2 is the flexible one.
  api('ElectLeaders', 0, 2),
  // Kafka 4.1: v0-1, unchanged since 2.4 (v1 flexible).
  api('IncrementalAlterConfigs', 0, 1),
  // v1 (KIP-860): allowReplicationFactorChange; kafkajs's admin sends v0 (flexible).
  api('AlterPartitionReassignments', 0, 1),
  api('ListPartitionReassignments', 0, 0),
  // Kafka 4.1 still has only v0.
  api('OffsetDelete', 0, 0),
  // v0-2, Kafka 4.1's: v1 adds fetch and catch-up times (KIP-836), v2 directory ids and voters' listeners (KIP-853).
  api('DescribeQuorum', 0, 2),
  // v0-2, Kafka 4.1's: v1 brings upgrade types and validateOnly (KIP-778), v2 drops the per-feature results.
  api('UpdateFeatures', 0, 2),
  // Kafka 4.1's 0-2; v2 lists fenced brokers on request (KIP-1073).
  api('DescribeCluster', 0, 2),
  api('DescribeProducers', 0, 0),
  api('DescribeTransactions', 0, 0),
  api('ListTransactions', 0, 2),
  // v0, Kafka 4.1's only version: paged partition descriptions (KIP-966).
  api('DescribeTopicPartitions', 0, 0),
];
