/**
 * What the compatibility matrix covers: the operations a user reaches for,
 * the Kafka APIs each one exercises, and the clients driven through them.
 * A client that does not expose an operation says so here, with the reason;
 * every other (client, operation) pair must be a cell in that client's test
 * file (`scripts/compat-matrix.ts` refuses to render a page with a gap).
 */

export interface Operation {
  readonly id: string;
  readonly title: string;
  /** The Kafka APIs the operation exercises (what a failure would point at). */
  readonly apis: string;
}

export const operations: readonly Operation[] = [
  { id: 'version-inference', title: 'Infers the broker’s Kafka version from ApiVersions', apis: 'ApiVersions' },
  { id: 'metadata', title: 'Lists topics and partitions', apis: 'Metadata' },
  { id: 'create-topic', title: 'Creates a topic with partitions and configs', apis: 'CreateTopics' },
  {
    id: 'create-topic-defaults',
    title: 'Creates a topic with the broker’s default partitions and replication factor',
    apis: 'CreateTopics v4+',
  },
  { id: 'create-partitions', title: 'Adds partitions to a topic', apis: 'CreatePartitions' },
  { id: 'delete-topic', title: 'Deletes a topic', apis: 'DeleteTopics' },
  { id: 'produce', title: 'Produces keyed records with headers', apis: 'Produce' },
  { id: 'produce-compressed', title: 'Produces compressed batches (gzip)', apis: 'Produce' },
  { id: 'produce-idempotent', title: 'Produces with an idempotent producer', apis: 'InitProducerId, Produce' },
  { id: 'consume', title: 'Consumes a partition from the beginning', apis: 'ListOffsets, Fetch' },
  {
    id: 'consumer-group',
    title: 'Consumes in a group, commits, and a new member resumes from the commit',
    apis: 'FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup',
  },
  {
    id: 'transactions',
    title: 'Commits and aborts a transaction; read_committed sees only the commit',
    apis: 'InitProducerId, AddPartitionsToTxn, EndTxn, Fetch',
  },
  { id: 'list-offsets', title: 'Reads earliest and latest offsets', apis: 'ListOffsets' },
  { id: 'offsets-for-times', title: 'Finds the offset for a timestamp', apis: 'ListOffsets' },
  { id: 'describe-topic-configs', title: 'Describes a topic’s configs', apis: 'DescribeConfigs' },
  { id: 'alter-topic-configs', title: 'Alters a topic’s configs', apis: 'AlterConfigs' },
  { id: 'list-groups', title: 'Lists consumer groups', apis: 'ListGroups' },
  { id: 'describe-groups', title: 'Describes a consumer group', apis: 'DescribeGroups' },
  { id: 'delete-groups', title: 'Deletes a consumer group', apis: 'DeleteGroups' },
  { id: 'fetch-group-offsets', title: 'Reads a group’s committed offsets', apis: 'OffsetFetch' },
  { id: 'alter-group-offsets', title: 'Resets a group’s offsets', apis: 'OffsetCommit' },
  { id: 'delete-group-offsets', title: 'Deletes a group’s offsets for a topic', apis: 'OffsetDelete' },
  { id: 'describe-cluster', title: 'Describes the cluster (brokers, controller)', apis: 'DescribeCluster / Metadata' },
  { id: 'delete-records', title: 'Deletes records below an offset', apis: 'DeleteRecords' },
  { id: 'describe-log-dirs', title: 'Describes the brokers’ log directories', apis: 'DescribeLogDirs' },
  {
    id: 'describe-broker-configs',
    title: 'Describes a broker’s configs with their sources',
    apis: 'DescribeConfigs (BROKER)',
  },
  {
    id: 'alter-broker-configs',
    title: 'Changes a broker config at run time',
    apis: 'AlterConfigs / IncrementalAlterConfigs (BROKER)',
  },
  { id: 'list-groups-by-state', title: 'Lists consumer groups in a given state', apis: 'ListGroups v4+' },
];

export interface MatrixClient {
  readonly id: string;
  readonly name: string;
  /** Operations the client has no call for, with the reason shown on the page. */
  readonly notExposed: Readonly<Record<string, string>>;
}

export const clients: readonly MatrixClient[] = [
  {
    id: 'kafkajs',
    name: 'kafkajs 2.2.4',
    notExposed: {
      'version-inference': 'kafkajs picks versions per API and never names a broker version',
      'delete-group-offsets': 'no OffsetDelete call in kafkajs 2.2.4',
      'describe-log-dirs': 'no DescribeLogDirs call in kafkajs 2.2.4',
      'list-groups-by-state': 'listGroups in kafkajs 2.2.4 takes no state filter',
    },
  },
  {
    id: 'platformatic',
    name: '@platformatic/kafka 2.12',
    notExposed: {
      'version-inference': 'picks versions per API and never names a broker version',
      transactions: 'covered by test/compat/transactions.test.ts with librdkafka and kafkajs',
    },
  },
  {
    id: 'kcat',
    name: 'kcat 1.7 (librdkafka 2.0.2)',
    notExposed: {
      'version-inference': 'librdkafka picks versions per API and never names a broker version',
      'create-topic': 'kcat has no admin commands',
      'create-topic-defaults': 'kcat has no admin commands',
      'create-partitions': 'kcat has no admin commands',
      'delete-topic': 'kcat has no admin commands',
      'produce-idempotent': 'covered by confluent-kafka-python (the same librdkafka)',
      transactions: 'covered by test/compat/transactions.test.ts (confluent-kafka-python)',
      'describe-topic-configs': 'kcat has no admin commands',
      'alter-topic-configs': 'kcat has no admin commands',
      'list-groups': 'kcat has no admin commands',
      'describe-groups': 'kcat has no admin commands',
      'delete-groups': 'kcat has no admin commands',
      'fetch-group-offsets': 'kcat has no admin commands',
      'alter-group-offsets': 'kcat has no admin commands',
      'delete-group-offsets': 'kcat has no admin commands',
      'describe-cluster': 'kcat -L lists brokers (the metadata cell)',
      'delete-records': 'kcat has no admin commands',
      'describe-log-dirs': 'kcat has no admin commands',
      'describe-broker-configs': 'kcat has no admin commands',
      'alter-broker-configs': 'kcat has no admin commands',
      'list-groups-by-state': 'kcat has no admin commands',
    },
  },
  {
    id: 'confluent-python',
    name: 'confluent-kafka-python 1.7 (librdkafka 2.0.2)',
    notExposed: {
      'version-inference': 'librdkafka picks versions per API and never names a broker version',
      transactions: 'covered by test/compat/transactions.test.ts',
      'describe-groups': 'AdminClient 1.7 has list_groups only',
      'delete-groups': 'AdminClient 1.7 has no delete_consumer_groups',
      'fetch-group-offsets':
        'AdminClient 1.7 has no list_consumer_group_offsets (Consumer.committed is the consumer-group cell)',
      'alter-group-offsets': 'AdminClient 1.7 has no alter_consumer_group_offsets',
      'delete-group-offsets': 'AdminClient 1.7 has no OffsetDelete call',
      'describe-cluster': 'AdminClient 1.7 has no describe_cluster (list_topics lists brokers)',
      'delete-records': 'AdminClient 1.7 has no delete_records',
      'describe-log-dirs': 'AdminClient 1.7 has no describe_log_dirs',
      'list-groups-by-state': 'AdminClient 1.7 has list_groups only, with no state filter',
    },
  },
  {
    id: 'kafka-python',
    name: 'kafka-python 2.0.2 (Debian)',
    notExposed: {
      'create-topic-defaults': 'kafka-python 2.0.2 requires num_partitions and replication_factor',
      'produce-idempotent': 'kafka-python 2.0.2 has no idempotent producer',
      transactions: 'kafka-python 2.0.2 has no transactions',
      'alter-group-offsets': 'KafkaAdminClient 2.0.2 has no offset alteration',
      'delete-group-offsets': 'KafkaAdminClient 2.0.2 has no OffsetDelete call',
      'delete-records': 'KafkaAdminClient 2.0.2 has no delete_records',
      'describe-log-dirs': 'KafkaAdminClient 2.0.2 has no describe_log_dirs',
      'list-groups-by-state': 'KafkaAdminClient 2.0.2 takes no state filter',
    },
  },
];
