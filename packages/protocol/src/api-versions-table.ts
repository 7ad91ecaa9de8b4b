/**
 * The ApiVersions table every Runnel node advertises: the same on every node,
 * because several clients learn versions from one broker and reuse them for
 * all. The target is what Apache Kafka 4.1's broker advertises
 * (kafka-reference-versions.ts), keeping older versions real clients still
 * send. Never raise a minimum: kafka-python and librdkafka 2.0.2 pin the low
 * versions. docs/api-versions.md is rendered from this table and a live
 * broker's answer.
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
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
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
  /** Why this range: what the versions mean and which clients hold the floor (docs/api-versions.md shows it). */
  readonly why: string;
}

const api = (name: keyof typeof ApiKeys, minVersion: number, maxVersion: number, why: string): AdvertisedApi => ({
  apiKey: ApiKeys[name],
  name,
  minVersion,
  maxVersion,
  why,
});

/**
 * Ordered by API key, as ApiVersions responses list them. A broker lists
 * the rows it has a handler for; the handlers serve exactly these ranges
 * (test/e2e/api-versions.test.ts pins the answer against Kafka 4.1's).
 */
export const advertisedApis: readonly AdvertisedApi[] = [
  api(
    'Produce',
    0,
    13,
    'From 0: librdkafka before 2.11 compresses with gzip, snappy or lz4 only when Produce v0 is in range (v0-2 carry old message formats, refused per partition). v10 KIP-951 leader hints, v11 TRANSACTION_ABORTABLE, v12 transaction version 2, v13 topics by id (KIP-516).',
  ),
  api(
    'Fetch',
    4,
    18,
    'v12 flexible with diverging epochs (KIP-320), v13 topic ids, v15 replica state, v16 leader hints (KIP-951); v17-18 add follower fields a consumer leaves at their defaults.',
  ),
  api(
    'ListOffsets',
    0,
    10,
    'v0 kept below Kafka 4.1’s 1 for old clients that still send it. v7 max timestamp, v8 local log start, v9 tiered end, v10 timeoutMs; a time answers its exact record.',
  ),
  api('Metadata', 0, 13, 'v7 leader epochs, v10 topic ids, v12 topics by id, v13 top-level error; v0 for old clients.'),
  api(
    'OffsetCommit',
    2,
    9,
    'v8 flexible, v9 the KIP-848 member check; Kafka 4.1’s v10 (topic ids) is unstable there, not advertised by its brokers.',
  ),
  api(
    'OffsetFetch',
    1,
    9,
    'v7 requireStable, v8 several groups per request, v9 member fields; v10 is unstable in 4.1.',
  ),
  api(
    'FindCoordinator',
    0,
    6,
    'v4+ batches keys (KIP-699), each answered on its own; share-group keys refused per key.',
  ),
  api('JoinGroup', 0, 9, 'v8 reasons (logged), v9 skipAssignment for a static leader rejoining a stable group.'),
  api('Heartbeat', 0, 4, 'v4 flexible.'),
  api('LeaveGroup', 0, 5, 'v3 member batches, v5 reasons per member.'),
  api('SyncGroup', 0, 5, 'v5 protocol type and name, checked against the group.'),
  api('DescribeGroups', 0, 6, 'v3 authorized operations, v6 GROUP_ID_NOT_FOUND for an unknown group (KIP-1043).'),
  api('ListGroups', 0, 5, 'v4 state filter (KIP-518), v5 type filter (KIP-848).'),
  api('SaslHandshake', 0, 1, 'Not served yet (security, issue 17).'),
  api('ApiVersions', 0, 4, 'v3 flexible with features (KIP-584), v4 lists supported ranges starting at 0.'),
  api(
    'CreateTopics',
    2,
    7,
    'v2 is v1 with throttle time; v4 -1 for the broker defaults (KIP-464), v5 the configs in the answer, v7 the topic id.',
  ),
  api('DeleteTopics', 1, 6, 'v6 deletes by topic id: exactly that topic, never a newer one of the same name.'),
  api(
    'DeleteRecords',
    0,
    2,
    'v1 is v0 (throttling after the answer), v2 flexible; the new log start is replicated and checkpointed.',
  ),
  api(
    'InitProducerId',
    0,
    5,
    'v3 KIP-360 epoch bump, v4 PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE (never answered here); 4.1’s v6 (KIP-939) is unstable there.',
  ),
  api(
    'OffsetForLeaderEpoch',
    2,
    4,
    'v0-1 left Kafka in 4.0 (KIP-896); consumers validate positions after a leader change (KIP-320).',
  ),
  api(
    'AddPartitionsToTxn',
    0,
    5,
    'v4+ is KIP-890 part 1’s batched form with verifyOnly; Runnel’s brokers ask over gRPC, the handler answers other senders.',
  ),
  api('AddOffsetsToTxn', 0, 4, 'v4 only allows TRANSACTION_ABORTABLE, never answered here.'),
  api('EndTxn', 0, 5, 'v5 is transaction version 2 (KIP-890 part 2): an epoch bump per transaction.'),
  api('WriteTxnMarkers', 1, 1, 'v0 left Kafka in 4.0 (KIP-896); v2 belongs to 4.2 (KIP-1228).'),
  api('TxnOffsetCommit', 0, 5, 'v3 member identity (KIP-447), v5 transaction version 2’s implicit partition add.'),
  api('DescribeAcls', 1, 1, 'Not served yet (security, issue 17).'),
  api('CreateAcls', 1, 1, 'Not served yet (security, issue 17).'),
  api('DeleteAcls', 1, 1, 'Not served yet (security, issue 17).'),
  api(
    'DescribeConfigs',
    1,
    4,
    'v0 left in 4.0 (KIP-896); v1 synonyms and sources, v3 types and documentation, v4 flexible.',
  ),
  api('AlterConfigs', 0, 2, 'v2 flexible; KIP-896 kept v0.'),
  api(
    'DescribeLogDirs',
    1,
    4,
    'v0 left in 4.0 (KIP-896); v3 a request-wide error, v4 the filesystem’s total and usable bytes.',
  ),
  api('SaslAuthenticate', 0, 1, 'Not served yet (security, issue 17).'),
  api('CreatePartitions', 0, 3, 'v2 flexible; v3 THROTTLING_QUOTA_EXCEEDED (KIP-599 controller mutation quota).'),
  api('DeleteGroups', 0, 2, 'v0 has v1’s layout; v2 flexible.'),
  api('ElectLeaders', 0, 2, 'v1 election type, v2 flexible.'),
  api('IncrementalAlterConfigs', 0, 1, 'v1 flexible.'),
  api('AlterPartitionReassignments', 0, 1, 'v1 allowReplicationFactorChange (KIP-860); kafkajs sends v0.'),
  api('ListPartitionReassignments', 0, 0, 'Kafka 4.1 has only v0.'),
  api('OffsetDelete', 0, 0, 'Kafka 4.1 has only v0.'),
  api(
    'DescribeClientQuotas',
    0,
    1,
    'Answered from the broker’s metadata image, as a KRaft broker does; v1 is v0 made flexible.',
  ),
  api('AlterClientQuotas', 0, 1, 'Forwarded to the controller (quota records in the metadata log); v1 flexible.'),
  api(
    'DescribeQuorum',
    0,
    2,
    'Asked of the active controller; v1 fetch and catch-up times (KIP-836), v2 directory ids and listeners (KIP-853).',
  ),
  api(
    'UpdateFeatures',
    0,
    2,
    'Forwarded to the controller; v1 upgrade types and validateOnly (KIP-778), v2 drops the per-feature results.',
  ),
  api('DescribeCluster', 0, 2, 'v1 endpoint type, v2 fenced brokers on request (KIP-1073).'),
  api('DescribeProducers', 0, 0, 'Kafka 4.1 has only v0.'),
  api('DescribeTransactions', 0, 0, 'Kafka 4.1 has only v0.'),
  api('ListTransactions', 0, 2, 'v1 duration filter, v2 transactional id pattern (KIP-1152).'),
  api('DescribeTopicPartitions', 0, 0, 'Paged partition descriptions (KIP-966); Kafka 4.1 has only v0.'),
];
