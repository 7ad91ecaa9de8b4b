/**
 * The config registry: every topic and broker config Runnel knows, with
 * Kafka's names, types and defaults so existing tools and scripts work.
 * Documentation strings are our own. Topic configs list their broker-level
 * synonyms in precedence order; a synonym with `scale` is in a coarser unit
 * (log.retention.hours) and is multiplied into the topic's unit.
 */

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export type ConfigValidator =
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'one-of'; readonly values: readonly string[] }
  | { readonly kind: 'list-of'; readonly values: readonly string[] };

export interface ConfigSynonymDef {
  readonly name: string;
  /** Multiplier from the synonym's unit to this config's unit; 1 when absent. */
  readonly scale?: number;
}

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** The value when nothing overrides it; null when the config has no default. */
  readonly default: string | null;
  readonly documentation: string;
  readonly validator?: ConfigValidator;
  readonly sensitive: boolean;
  /** True for broker configs that cannot change while the broker runs. */
  readonly readOnly: boolean;
  /** Lower-precedence names that feed this config, highest precedence first. */
  readonly synonyms: readonly ConfigSynonymDef[];
}

/** Long.MAX_VALUE, the "never" of Kafka's time and count limits. */
export const longMax = '9223372036854775807';
const hourMs = 3_600_000;
const minuteMs = 60_000;

interface DefOptions {
  validator?: ConfigValidator;
  sensitive?: boolean;
  readOnly?: boolean;
  synonyms?: readonly ConfigSynonymDef[];
}

function def(
  name: string,
  type: ConfigType,
  dflt: string | null,
  documentation: string,
  o: DefOptions = {},
): ConfigDef {
  const base = {
    name,
    type,
    default: dflt,
    documentation,
    sensitive: o.sensitive ?? type === 'password',
    readOnly: o.readOnly ?? false,
    synonyms: o.synonyms ?? [],
  };
  return o.validator === undefined ? base : { ...base, validator: o.validator };
}

const atLeast = (min: number): ConfigValidator => ({ kind: 'range', min });
const oneOf = (...values: string[]): ConfigValidator => ({ kind: 'one-of', values });
const compressionTypes = oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer');
const timestampTypes = oneOf('CreateTime', 'LogAppendTime');
const syn = (name: string, scale?: number): ConfigSynonymDef => (scale === undefined ? { name } : { name, scale });

export const topicConfigDefs: readonly ConfigDef[] = [
  def('cleanup.policy', 'list', 'delete', 'How old segments go: deleted by retention, compacted by key, or both.', {
    validator: { kind: 'list-of', values: ['delete', 'compact'] },
    synonyms: [syn('log.cleanup.policy')],
  }),
  def('compression.type', 'string', 'producer', "Codec batches are stored with; 'producer' keeps the sender's codec.", {
    validator: compressionTypes,
    synonyms: [syn('compression.type')],
  }),
  def('delete.retention.ms', 'long', '86400000', 'How long tombstones survive in a compacted topic.', {
    validator: atLeast(0),
    synonyms: [syn('log.cleaner.delete.retention.ms')],
  }),
  def('file.delete.delay.ms', 'long', '60000', 'Grace period before a dropped segment file is removed from disk.', {
    validator: atLeast(0),
    synonyms: [syn('log.segment.delete.delay.ms')],
  }),
  def('flush.messages', 'long', longMax, 'Force an fsync after this many appended records.', {
    validator: atLeast(1),
    synonyms: [syn('log.flush.interval.messages')],
  }),
  def('flush.ms', 'long', longMax, 'Force an fsync when unflushed data is this old.', {
    validator: atLeast(0),
    synonyms: [syn('log.flush.interval.ms')],
  }),
  def('index.interval.bytes', 'int', '4096', 'Bytes of log between two entries of the offset index.', {
    validator: atLeast(0),
    synonyms: [syn('log.index.interval.bytes')],
  }),
  def('max.compaction.lag.ms', 'long', longMax, 'Longest a record may stay uncompacted.', {
    validator: atLeast(1),
    synonyms: [syn('log.cleaner.max.compaction.lag.ms')],
  }),
  def('max.message.bytes', 'int', '1048588', 'Largest record batch the topic accepts.', {
    validator: atLeast(0),
    synonyms: [syn('message.max.bytes')],
  }),
  def('message.timestamp.after.max.ms', 'long', '3600000', 'How far in the future a CreateTime timestamp may be.', {
    validator: atLeast(0),
    synonyms: [syn('log.message.timestamp.after.max.ms')],
  }),
  def('message.timestamp.before.max.ms', 'long', longMax, 'How far in the past a CreateTime timestamp may be.', {
    validator: atLeast(0),
    synonyms: [syn('log.message.timestamp.before.max.ms')],
  }),
  def(
    'message.timestamp.difference.max.ms',
    'long',
    longMax,
    'Deprecated: largest gap between a record timestamp and the broker clock.',
    { validator: atLeast(0), synonyms: [syn('log.message.timestamp.difference.max.ms')] },
  ),
  def('message.timestamp.type', 'string', 'CreateTime', "Keep the producer's timestamps or stamp the append time.", {
    validator: timestampTypes,
    synonyms: [syn('log.message.timestamp.type')],
  }),
  def('min.cleanable.dirty.ratio', 'double', '0.5', 'Share of uncompacted log that makes a partition worth cleaning.', {
    validator: { kind: 'range', min: 0, max: 1 },
    synonyms: [syn('log.cleaner.min.cleanable.ratio')],
  }),
  def('min.compaction.lag.ms', 'long', '0', 'Shortest time a record stays uncompacted.', {
    validator: atLeast(0),
    synonyms: [syn('log.cleaner.min.compaction.lag.ms')],
  }),
  def('min.insync.replicas', 'int', '1', 'Fewest in-sync replicas that must have a write for acks=all to succeed.', {
    validator: atLeast(1),
    synonyms: [syn('min.insync.replicas')],
  }),
  def('preallocate', 'boolean', 'false', 'Allocate the whole segment file up front.', {
    synonyms: [syn('log.preallocate')],
  }),
  def('retention.bytes', 'long', '-1', 'Largest size a partition may grow to before old segments go; -1 = no limit.', {
    synonyms: [syn('log.retention.bytes')],
  }),
  def('retention.ms', 'long', '604800000', 'How long segments are kept before deletion; -1 = forever.', {
    validator: atLeast(-1),
    synonyms: [syn('log.retention.ms'), syn('log.retention.minutes', minuteMs), syn('log.retention.hours', hourMs)],
  }),
  def('segment.bytes', 'int', '1073741824', 'Size at which the active segment is rolled.', {
    validator: atLeast(14),
    synonyms: [syn('log.segment.bytes')],
  }),
  def('segment.index.bytes', 'int', '10485760', 'Size of the offset index file of each segment.', {
    validator: atLeast(4),
    synonyms: [syn('log.index.size.max.bytes')],
  }),
  def('segment.jitter.ms', 'long', '0', 'Random slack subtracted from segment.ms so partitions do not roll together.', {
    validator: atLeast(0),
    synonyms: [syn('log.roll.jitter.ms'), syn('log.roll.jitter.hours', hourMs)],
  }),
  def('segment.ms', 'long', '604800000', 'Age at which the active segment is rolled even if not full.', {
    validator: atLeast(1),
    synonyms: [syn('log.roll.ms'), syn('log.roll.hours', hourMs)],
  }),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Allow an out-of-sync replica to lead, losing data.', {
    synonyms: [syn('unclean.leader.election.enable')],
  }),
];

const ro = { readOnly: true } as const;

export const brokerConfigDefs: readonly ConfigDef[] = [
  def('advertised.listeners', 'list', null, 'Addresses handed to clients when they differ from listeners.', ro),
  def(
    'auto.balance.enable',
    'boolean',
    'true',
    'Move replicas and leaders between brokers until their counts are even (Runnel).',
  ),
  def(
    'auto.create.topics.enable',
    'boolean',
    'true',
    'Create a topic when a client asks for metadata of a missing one.',
    ro,
  ),
  def('auto.leader.rebalance.enable', 'boolean', 'true', 'Move leadership back to preferred replicas.'),
  def('broker.id', 'int', '-1', 'Id of this broker; same as node.id.', ro),
  def('compression.type', 'string', 'producer', 'Default codec for stored batches.', { validator: compressionTypes }),
  def('default.replication.factor', 'int', '1', 'Replication factor of topics created without one.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('delete.topic.enable', 'boolean', 'true', 'Whether topics may be deleted.', ro),
  def('leader.imbalance.check.interval.seconds', 'long', '300', 'How often the controller checks leader balance.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def(
    'leader.imbalance.per.broker.percentage',
    'int',
    '10',
    'Share of non-preferred leaders that triggers a rebalance.',
    {
      validator: atLeast(0),
    },
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
  def('log.flush.interval.ms', 'long', null, 'Default flush.ms; unset means never by time.', { validator: atLeast(0) }),
  def('log.index.interval.bytes', 'int', '4096', 'Default index.interval.bytes.', { validator: atLeast(0) }),
  def('log.index.size.max.bytes', 'int', '10485760', 'Default segment.index.bytes.', { validator: atLeast(4) }),
  def('log.message.timestamp.after.max.ms', 'long', '3600000', 'Default message.timestamp.after.max.ms.', {
    validator: atLeast(0),
  }),
  def('log.message.timestamp.before.max.ms', 'long', longMax, 'Default message.timestamp.before.max.ms.', {
    validator: atLeast(0),
  }),
  def('log.message.timestamp.difference.max.ms', 'long', longMax, 'Deprecated default of the timestamp gap.', {
    validator: atLeast(0),
  }),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'Default message.timestamp.type.', {
    validator: timestampTypes,
  }),
  def('log.preallocate', 'boolean', 'false', 'Default preallocate.'),
  def('log.retention.bytes', 'long', '-1', 'Default retention.bytes.'),
  def('log.retention.hours', 'int', '168', 'Default retention in hours; log.retention.minutes and .ms win over it.'),
  def('log.retention.minutes', 'int', null, 'Default retention in minutes; log.retention.ms wins over it.'),
  def('log.retention.ms', 'long', null, 'Default retention.ms; -1 keeps data forever.', {
    synonyms: [syn('log.retention.minutes', minuteMs), syn('log.retention.hours', hourMs)],
  }),
  def('log.roll.hours', 'int', '168', 'Default segment roll age in hours; log.roll.ms wins over it.', {
    validator: atLeast(1),
  }),
  def('log.roll.jitter.hours', 'int', '0', 'Default segment jitter in hours.', { validator: atLeast(0) }),
  def('log.roll.jitter.ms', 'long', null, 'Default segment.jitter.ms.', {
    synonyms: [syn('log.roll.jitter.hours', hourMs)],
  }),
  def('log.roll.ms', 'long', null, 'Default segment.ms.', { synonyms: [syn('log.roll.hours', hourMs)] }),
  def('log.segment.bytes', 'int', '1073741824', 'Default segment.bytes.', { validator: atLeast(14) }),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Default file.delete.delay.ms.', { validator: atLeast(0) }),
  def('max.connections', 'int', '2147483647', 'Most client connections the broker accepts.', { validator: atLeast(0) }),
  def('message.max.bytes', 'int', '1048588', 'Default max.message.bytes: the largest batch accepted.', {
    validator: atLeast(0),
  }),
  def('min.insync.replicas', 'int', '1', 'Default min.insync.replicas.', { validator: atLeast(1) }),
  def('node.id', 'int', '-1', 'Id of this node in the cluster.', ro),
  def('num.network.threads', 'int', '3', 'Threads that serve sockets (kept for compatibility).', {
    validator: atLeast(1),
  }),
  def('num.partitions', 'int', '1', 'Partition count of topics created without one.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.', {
    validator: atLeast(1),
    readOnly: true,
  }),
  def('offsets.topic.replication.factor', 'short', '3', 'Replication factor of __consumer_offsets.', {
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
  def('unclean.leader.election.enable', 'boolean', 'false', 'Default unclean.leader.election.enable.'),
];

export const topicConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(topicConfigDefs.map((d) => [d.name, d]));
export const brokerConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(brokerConfigDefs.map((d) => [d.name, d]));
