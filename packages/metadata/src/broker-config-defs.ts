/** Every broker config Runnel knows (Kafka's names and types; Runnel's applied defaults), sorted by name. */
import type { ConfigDef } from './config-def-builders.ts';
import {
  atLeast,
  byName,
  compressionTypes,
  def,
  hourMs,
  longMax,
  minuteMs,
  syn,
  timestampTypes,
} from './config-def-builders.ts';

const ro = { readOnly: true } as const;
const cluster = { clusterOnly: true } as const;
const overrideEntry = String.raw`\s*\[?[0-9A-Za-z._:%-]+\]?:\d+\s*`;
const perIpOverridesFormat = {
  kind: 'pattern',
  pattern: new RegExp(`^(\\s*|${overrideEntry}(,${overrideEntry})*)$`),
  description: 'host:count entries separated by commas',
} as const;

export const brokerConfigDefs: readonly ConfigDef[] = [
  def('advertised.listeners', 'list', null, 'Addresses handed to clients when they differ from listeners.', ro),
  def(
    'auto.balance.enable',
    'boolean',
    'true',
    'Move replicas and leaders between brokers until their counts are even (Runnel).',
    cluster,
  ),
  def(
    'auto.create.topics.enable',
    'boolean',
    'true',
    'Create a topic when a client asks for metadata of a missing one.',
  ),
  def('auto.leader.rebalance.enable', 'boolean', 'true', 'Move leadership back to preferred replicas.', cluster),
  def(
    'batch.decompressed.max.bytes',
    'int',
    '33554432',
    "Most bytes a produced compressed batch's records may inflate to; larger or inconsistent ones get INVALID_RECORD (Runnel; docs/batch-validation.md).",
    { validator: { kind: 'range', min: 65_536, max: 104_857_600 } },
  ),
  def('broker.id', 'int', '-1', 'Id of this broker; same as node.id.', ro),
  def('broker.rack', 'string', null, 'Rack of this broker; replicas of a partition are spread across racks.', ro),
  def(
    'connections.max.idle.ms',
    'long',
    '600000',
    'A client connection with no request in flight and no bytes read or written for this long is closed; -1: never.',
    ro,
  ),
  def('compression.type', 'string', 'producer', 'Default codec for stored batches.', { validator: compressionTypes }),
  def(
    'default.replication.factor',
    'int',
    '1',
    'Replication factor of topics created without one; the controller applies the cluster-wide value.',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def('delete.topic.enable', 'boolean', 'true', 'Whether topics may be deleted.', ro),
  def(
    'follower.replication.throttled.rate',
    'long',
    longMax,
    'Bytes per second a follower copies for replicas being added by a reassignment.',
    { validator: atLeast(1) },
  ),
  def(
    'fetch.max.bytes',
    'int',
    '57671680',
    'Most record bytes one Fetch response carries (the first batch is whole even when larger).',
    { validator: atLeast(1024), readOnly: true },
  ),
  def('leader.imbalance.check.interval.seconds', 'long', '300', 'How often the controller checks leader balance.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'leader.imbalance.per.broker.percentage',
    'int',
    '10',
    'Share of non-preferred leaders that triggers a rebalance.',
    { validator: atLeast(0), clusterOnly: true },
  ),
  def('listeners', 'list', 'PLAINTEXT://:9092', 'Addresses the broker listens on, as NAME://host:port.', ro),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', 'Default delete.retention.ms.', { validator: atLeast(0) }),
  def('log.cleaner.max.compaction.lag.ms', 'long', longMax, 'Default max.compaction.lag.ms.', {
    validator: atLeast(1),
  }),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'Default min.cleanable.dirty.ratio.', {
    validator: { kind: 'range', min: 0, max: 1 },
  }),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', 'Default min.compaction.lag.ms.', { validator: atLeast(0) }),
  def('log.cleanup.policy', 'list', 'delete', 'Default cleanup.policy.', {
    validator: { kind: 'list-of', values: ['delete', 'compact'] },
  }),
  def('log.dirs', 'list', null, 'Directories that hold partition logs.', ro),
  def('log.flush.interval.messages', 'long', longMax, 'Default flush.messages.', { validator: atLeast(1) }),
  def('log.flush.interval.ms', 'long', null, 'Default flush.ms; unset falls back to log.flush.scheduler.interval.ms.', {
    validator: atLeast(0),
  }),
  def('log.flush.scheduler.interval.ms', 'long', longMax, 'Default flush.ms when log.flush.interval.ms is unset.', ro),
  def('log.index.interval.bytes', 'int', '4096', 'Default index.interval.bytes.', { validator: atLeast(0) }),
  def('log.index.size.max.bytes', 'int', '10485760', 'Default segment.index.bytes.', { validator: atLeast(4) }),
  def(
    'log.message.downconversion.enable',
    'boolean',
    'true',
    'Legacy default of message.downconversion.enable; ignored (Runnel never down-converts).',
    { legacy: true },
  ),
  def('log.message.timestamp.after.max.ms', 'long', '3600000', 'Default message.timestamp.after.max.ms.', {
    validator: atLeast(0),
  }),
  def('log.message.timestamp.before.max.ms', 'long', longMax, 'Default message.timestamp.before.max.ms.', {
    validator: atLeast(0),
  }),
  def('log.message.timestamp.difference.max.ms', 'long', longMax, 'Legacy default of the timestamp gap.', {
    validator: atLeast(0),
    legacy: true,
  }),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'Default message.timestamp.type.', {
    validator: timestampTypes,
  }),
  def(
    'log.open.files.max',
    'int',
    '-1',
    "Segment files (logs and indexes) kept open at once across all partitions; idle ones close and reopen on use. -1: half the process's open-files limit (Runnel).",
    ro,
  ),
  def('log.preallocate', 'boolean', 'false', 'Default preallocate.'),
  def('log.retention.bytes', 'long', '-1', 'Default retention.bytes.'),
  def(
    'log.retention.check.interval.ms',
    'long',
    '300000',
    'How often partitions are checked for segments past retention.',
    { validator: atLeast(1), readOnly: true },
  ),
  // Kafka makes only the primary (.ms) synonym of a topic config dynamic: the hour and minute forms are static.
  def(
    'log.retention.hours',
    'int',
    '168',
    'Default retention in hours; log.retention.minutes and .ms win over it.',
    ro,
  ),
  def('log.retention.minutes', 'int', null, 'Default retention in minutes; log.retention.ms wins over it.', ro),
  def('log.retention.ms', 'long', null, 'Default retention.ms; -1 keeps data forever.', {
    validator: atLeast(-1),
    synonyms: [syn('log.retention.minutes', minuteMs), syn('log.retention.hours', hourMs)],
  }),
  def('log.roll.hours', 'int', '168', 'Default segment roll age in hours; log.roll.ms wins over it.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('log.roll.jitter.hours', 'int', '0', 'Default segment jitter in hours.', {
    validator: atLeast(0),
    readOnly: true,
  }),
  def('log.roll.jitter.ms', 'long', null, 'Default segment.jitter.ms.', {
    synonyms: [syn('log.roll.jitter.hours', hourMs)],
  }),
  def('log.roll.ms', 'long', null, 'Default segment.ms.', {
    validator: atLeast(1),
    synonyms: [syn('log.roll.hours', hourMs)],
  }),
  def('log.segment.bytes', 'int', '1073741824', 'Default segment.bytes.', { validator: atLeast(14) }),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Default file.delete.delay.ms.', { validator: atLeast(0) }),
  def(
    'max.broker.partitions',
    'int',
    '20000',
    'Most partition replicas one broker may host; CreateTopics and CreatePartitions past it get POLICY_VIOLATION (KIP-578 name, Runnel).',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def(
    'max.partitions',
    'int',
    '200000',
    'Most partitions in the cluster; CreateTopics and CreatePartitions past it get POLICY_VIOLATION (KIP-578 name, Runnel).',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def(
    'max.partitions.per.request',
    'int',
    '10000',
    "Most partitions one CreateTopics or CreatePartitions may add; a larger request is refused whole with POLICY_VIOLATION (Kafka's fixed bound; configurable in Runnel).",
    { validator: atLeast(1), clusterOnly: true },
  ),
  def(
    'max.topic.partitions',
    'int',
    '10000',
    'Most partitions one topic may have; more gets INVALID_PARTITIONS (Runnel).',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def('max.connections', 'int', '10000', 'Most client connections the broker accepts (Runnel default 10000).', {
    validator: atLeast(0),
  }),
  def(
    'max.connection.creation.rate',
    'int',
    '2147483647',
    'New client connections per second the broker serves; beyond it new connections wait (are throttled), not refused.',
    { validator: atLeast(0) },
  ),
  def(
    'max.connections.per.ip',
    'int',
    '1000',
    'Most client connections from one address; more are closed at once (Runnel default 1000; Kafka: unlimited).',
    { validator: atLeast(0) },
  ),
  def(
    'max.connections.per.ip.overrides',
    'string',
    '',
    'Per-address limits instead of max.connections.per.ip, as host:count,host:count (matched against the peer address).',
    { validator: perIpOverridesFormat },
  ),
  def('message.max.bytes', 'int', '1048588', 'Default max.message.bytes: the largest batch accepted.', {
    validator: atLeast(0),
  }),
  def(
    'min.insync.replicas',
    'int',
    '1',
    'Default min.insync.replicas; the controller elects leaders with the cluster-wide value.',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def('node.id', 'int', '-1', 'Id of this node in the cluster.', ro),
  def('num.network.threads', 'int', '3', 'Threads that serve sockets (kept for compatibility).', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'num.partitions',
    'int',
    '1',
    'Partition count of topics created without one; the controller applies the cluster-wide value.',
    { validator: atLeast(1), clusterOnly: true },
  ),
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('offsets.topic.replication.factor', 'short', '3', 'Replication factor of __consumer_offsets.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('producer.id.expiration.ms', 'int', '86400000', 'How long a partition remembers an idle idempotent producer.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('replica.fetch.backoff.ms', 'int', '1000', 'Pause after a failed replica fetch.', {
    validator: atLeast(0),
    readOnly: true,
  }),
  def(
    'queued.max.request.bytes',
    'long',
    '268435456',
    'Request bytes read and not yet handled, all connections together; reading pauses when spent. -1: unbounded (Kafka default; Runnel 256 MiB).',
    { readOnly: true },
  ),
  def(
    'replica.fetch.response.max.bytes',
    'int',
    '10485760',
    'Most bytes a leader returns to one follower fetch (dynamic in Runnel).',
    { validator: atLeast(0) },
  ),
  def(
    'replica.fetch.wait.max.ms',
    'int',
    '500',
    'How long a leader holds a follower fetch that has nothing to return (dynamic in Runnel).',
    { validator: atLeast(0) },
  ),
  def('replica.lag.time.max.ms', 'long', '30000', 'A follower not caught up for this long leaves the ISR.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'replica.socket.timeout.ms',
    'int',
    '30000',
    'A replica fetch unanswered this long past its wait is retried on a new stream.',
    { validator: atLeast(1), readOnly: true },
  ),
  def(
    'runnel.request.read.timeout.ms',
    'long',
    '60000',
    'Most time a request may take to arrive once its first byte has (slow or stalled senders are closed; Runnel); -1: never.',
    ro,
  ),
  def('quota.window.num', 'int', '11', 'Samples a client quota rate is measured over.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('quota.window.size.seconds', 'int', '1', 'Length of one client quota sample.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('socket.request.max.bytes', 'int', '104857600', 'Largest request frame the broker reads.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('ssl.keystore.password', 'password', null, 'Password of the TLS key store.'),
  def('transaction.max.timeout.ms', 'int', '900000', 'Longest transaction timeout a producer may ask for.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'transaction.partition.verification.enable',
    'boolean',
    'true',
    'Verify with the transaction coordinator before a transactional batch opens a transaction on a partition (KIP-890).',
    { readOnly: true },
  ),
  def('transaction.state.log.min.isr', 'int', '2', 'min.insync.replicas of __transaction_state (capped at its RF).', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('transaction.state.log.num.partitions', 'int', '50', 'Partitions of __transaction_state.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('transaction.state.log.replication.factor', 'short', '3', 'Replication factor of __transaction_state.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('transaction.state.log.segment.bytes', 'int', '104857600', 'segment.bytes of __transaction_state.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('transactional.id.expiration.ms', 'int', '604800000', 'How long an idle transactional id is kept.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'transactions.remove.expired.transaction.cleanup.interval.ms',
    'int',
    '3600000',
    'How often idle transactional ids are expired.',
    { validator: atLeast(1), readOnly: true },
  ),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Default unclean.leader.election.enable.', cluster),
].sort(byName);
