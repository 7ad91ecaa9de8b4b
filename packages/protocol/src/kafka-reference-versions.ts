/**
 * What Apache Kafka 4.1's broker advertises in ApiVersions, for the APIs
 * Runnel serves: the message definitions' validVersions, less the versions
 * KIP-896 removed in 4.0 and the latest versions 4.1 marks unstable. Runnel's
 * maximum equals Kafka's for every API it serves; its minimum may be lower
 * where real clients still send an older version. Sources per range are in
 * the protocol README and the table's `why`.
 *
 * The Kafka 4.1 broker APIs Runnel does not serve yet are listed with the
 * reason; test/e2e/api-versions.test.ts holds both lists against a live
 * broker's answer and renders docs/api-versions.md.
 */

export interface KafkaRange {
  readonly min: number;
  readonly max: number;
}

/** By API name, as ApiKeys spells it. */
export const kafka41BrokerVersions: Readonly<Record<string, KafkaRange>> = {
  // KAFKA-18659: 4.x advertises Produce from 0 (for librdkafka's compression check) and refuses v0-2.
  Produce: { min: 0, max: 13 },
  Fetch: { min: 4, max: 18 },
  ListOffsets: { min: 1, max: 10 },
  Metadata: { min: 0, max: 13 },
  OffsetCommit: { min: 2, max: 9 },
  OffsetFetch: { min: 1, max: 9 },
  FindCoordinator: { min: 0, max: 6 },
  JoinGroup: { min: 0, max: 9 },
  Heartbeat: { min: 0, max: 4 },
  LeaveGroup: { min: 0, max: 5 },
  SyncGroup: { min: 0, max: 5 },
  DescribeGroups: { min: 0, max: 6 },
  ListGroups: { min: 0, max: 5 },
  ApiVersions: { min: 0, max: 4 },
  CreateTopics: { min: 2, max: 7 },
  DeleteTopics: { min: 1, max: 6 },
  DeleteRecords: { min: 0, max: 2 },
  InitProducerId: { min: 0, max: 5 },
  OffsetForLeaderEpoch: { min: 2, max: 4 },
  AddPartitionsToTxn: { min: 0, max: 5 },
  AddOffsetsToTxn: { min: 0, max: 4 },
  EndTxn: { min: 0, max: 5 },
  WriteTxnMarkers: { min: 1, max: 1 },
  TxnOffsetCommit: { min: 0, max: 5 },
  DescribeConfigs: { min: 1, max: 4 },
  AlterConfigs: { min: 0, max: 2 },
  DescribeLogDirs: { min: 1, max: 4 },
  CreatePartitions: { min: 0, max: 3 },
  DeleteGroups: { min: 0, max: 2 },
  ElectLeaders: { min: 0, max: 2 },
  IncrementalAlterConfigs: { min: 0, max: 1 },
  AlterPartitionReassignments: { min: 0, max: 1 },
  ListPartitionReassignments: { min: 0, max: 0 },
  OffsetDelete: { min: 0, max: 0 },
  DescribeClientQuotas: { min: 0, max: 1 },
  AlterClientQuotas: { min: 0, max: 1 },
  DescribeQuorum: { min: 0, max: 2 },
  UpdateFeatures: { min: 0, max: 2 },
  DescribeCluster: { min: 0, max: 2 },
  DescribeProducers: { min: 0, max: 0 },
  DescribeTransactions: { min: 0, max: 0 },
  ListTransactions: { min: 0, max: 2 },
  DescribeTopicPartitions: { min: 0, max: 0 },
};

export interface NotServedApi {
  readonly apiKey: number;
  readonly name: string;
  readonly why: string;
}

/** Client-facing APIs a Kafka 4.1 broker serves that Runnel does not, yet. */
export const notServedApis: readonly NotServedApi[] = [
  { apiKey: 17, name: 'SaslHandshake', why: 'Security (TLS, SASL, ACLs) is issue 17.' },
  { apiKey: 29, name: 'DescribeAcls', why: 'Security (TLS, SASL, ACLs) is issue 17.' },
  { apiKey: 30, name: 'CreateAcls', why: 'Security (TLS, SASL, ACLs) is issue 17.' },
  { apiKey: 31, name: 'DeleteAcls', why: 'Security (TLS, SASL, ACLs) is issue 17.' },
  { apiKey: 34, name: 'AlterReplicaLogDirs', why: 'A Runnel broker has one log directory.' },
  { apiKey: 36, name: 'SaslAuthenticate', why: 'Security (TLS, SASL, ACLs) is issue 17.' },
  { apiKey: 38, name: 'CreateDelegationToken', why: 'Delegation tokens need SASL (issue 17).' },
  { apiKey: 39, name: 'RenewDelegationToken', why: 'Delegation tokens need SASL (issue 17).' },
  { apiKey: 40, name: 'ExpireDelegationToken', why: 'Delegation tokens need SASL (issue 17).' },
  { apiKey: 41, name: 'DescribeDelegationToken', why: 'Delegation tokens need SASL (issue 17).' },
  { apiKey: 50, name: 'DescribeUserScramCredentials', why: 'SCRAM is issue 17.' },
  { apiKey: 51, name: 'AlterUserScramCredentials', why: 'SCRAM is issue 17.' },
  {
    apiKey: 64,
    name: 'UnregisterBroker',
    why: 'Brokers leave through `runnel brokers decommission` (the controller’s admin RPC).',
  },
  {
    apiKey: 68,
    name: 'ConsumerGroupHeartbeat',
    why: 'The KIP-848 consumer group protocol is not built; clients use the classic protocol, which every client here defaults to.',
  },
  { apiKey: 69, name: 'ConsumerGroupDescribe', why: 'Comes with the KIP-848 consumer group protocol.' },
  {
    apiKey: 71,
    name: 'GetTelemetrySubscriptions',
    why: 'Client metrics (KIP-714) are not collected; clients skip telemetry when it is not advertised.',
  },
  { apiKey: 72, name: 'PushTelemetry', why: 'Client metrics (KIP-714) are not collected.' },
  { apiKey: 74, name: 'ListConfigResources', why: 'Lists client-metrics resources, which Runnel does not have.' },
];
