/**
 * The config registry: every topic and broker config Runnel knows, with
 * Kafka's names, types and defaults so existing tools and scripts work.
 * Documentation strings are our own. Topic configs list their broker-level
 * synonyms in precedence order; a synonym with `scale` is in a coarser unit
 * (log.retention.hours) and is multiplied into the topic's unit.
 *
 * Broker configs that are not `readOnly` may be changed at run time as
 * dynamic broker configs (per broker, or as the cluster-wide default);
 * `clusterOnly` ones only as the cluster-wide default, because the
 * controller applies them for the whole cluster (topic creation defaults,
 * leader elections). Broker defaults are the values a Runnel broker uses when
 * nothing sets them, so DescribeConfigs reports what is applied.
 */

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export type ConfigValidator =
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'one-of'; readonly values: readonly string[] }
  | { readonly kind: 'list-of'; readonly values: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp; readonly description: string };

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
  /** A dynamic broker config the controller applies cluster-wide: settable only on the default resource (""). */
  readonly clusterOnly: boolean;
  /** A legacy topic config Kafka still accepts; Runnel stores and reports it, and its documentation says what it does. */
  readonly legacy: boolean;
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
  clusterOnly?: boolean;
  legacy?: boolean;
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
    clusterOnly: o.clusterOnly ?? false,
    legacy: o.legacy ?? false,
    synonyms: o.synonyms ?? [],
  };
  return o.validator === undefined ? base : { ...base, validator: o.validator };
}

const atLeast = (min: number): ConfigValidator => ({ kind: 'range', min });
const oneOf = (...values: string[]): ConfigValidator => ({ kind: 'one-of', values });
const compressionTypes = oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer');
const timestampTypes = oneOf('CreateTime', 'LogAppendTime');
const byName = (a: ConfigDef, b: ConfigDef): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
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
    synonyms: [syn('log.flush.interval.ms'), syn('log.flush.scheduler.interval.ms')],
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
    'Legacy (Kafka 3.6 deprecated it): largest gap between a record timestamp and the broker clock; stands in for message.timestamp.before.max.ms and .after.max.ms where those are at Long.MAX.',
    { validator: atLeast(0), legacy: true, synonyms: [syn('log.message.timestamp.difference.max.ms')] },
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
  def('compression.gzip.level', 'int', '-1', 'gzip level when the topic recompresses with gzip (-1 = codec default).', {
    validator: { kind: 'range', min: -1, max: 9 },
  }),
  def('compression.lz4.level', 'int', '9', 'lz4 level when the topic recompresses with lz4.', {
    validator: { kind: 'range', min: 1, max: 17 },
  }),
  def('compression.zstd.level', 'int', '3', 'zstd level when the topic recompresses with zstd.', {
    validator: { kind: 'range', min: -131072, max: 22 },
  }),
  def(
    'leader.replication.throttled.replicas',
    'list',
    '',
    'Replicas (partition:broker, or *) whose leader side is throttled; stored and reported, Runnel throttles reassignment catch-up by follower.replication.throttled.rate.',
  ),
  def(
    'follower.replication.throttled.replicas',
    'list',
    '',
    'Replicas (partition:broker, or *) whose follower side is throttled; stored and reported, Runnel throttles reassignment catch-up by follower.replication.throttled.rate.',
  ),
  def(
    'local.retention.ms',
    'long',
    '-2',
    'Tiered storage only (-2 = follow retention.ms); Runnel has no remote tier.',
    {
      validator: atLeast(-2),
    },
  ),
  def(
    'local.retention.bytes',
    'long',
    '-2',
    'Tiered storage only (-2 = follow retention.bytes); Runnel has no remote tier.',
    { validator: atLeast(-2) },
  ),
  def(
    'remote.storage.enable',
    'boolean',
    'false',
    'Tiered storage; Runnel has no remote tier, so only false is accepted.',
    {
      validator: oneOf('false'),
    },
  ),
  def('remote.log.copy.disable', 'boolean', 'false', 'Tiered storage only; stored and reported.'),
  def('remote.log.delete.on.disable', 'boolean', 'false', 'Tiered storage only; stored and reported.'),
  def(
    'message.format.version',
    'string',
    '3.0-IV1',
    'Legacy (removed by KIP-724): every batch is record format v2 whatever the value; accepted so old tools and topic configs replay, and ignored.',
    {
      validator: {
        kind: 'pattern',
        pattern: /^\d+\.\d+(\.\d+)?(-IV\d+)?$/,
        description: 'a Kafka version such as 2.8 or 3.0-IV1',
      },
      legacy: true,
    },
  ),
  def(
    'message.downconversion.enable',
    'boolean',
    'true',
    'Legacy: down-conversion for consumers older than record format v2; Runnel serves Fetch v4+ only, so it never down-converts and the value is ignored.',
    { legacy: true, synonyms: [syn('log.message.downconversion.enable')] },
  ),
].sort(byName);

const ro = { readOnly: true } as const;
const cluster = { clusterOnly: true } as const;

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
  def('broker.id', 'int', '-1', 'Id of this broker; same as node.id.', ro),
  def('broker.rack', 'string', null, 'Rack of this broker; replicas of a partition are spread across racks.', ro),
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
  def('log.preallocate', 'boolean', 'false', 'Default preallocate.'),
  def('log.retention.bytes', 'long', '-1', 'Default retention.bytes.'),
  def(
    'log.retention.check.interval.ms',
    'long',
    '300000',
    'How often partitions are checked for segments past retention.',
    { validator: atLeast(1), readOnly: true },
  ),
  def('log.retention.hours', 'int', '168', 'Default retention in hours; log.retention.minutes and .ms win over it.'),
  def('log.retention.minutes', 'int', null, 'Default retention in minutes; log.retention.ms wins over it.'),
  def('log.retention.ms', 'long', null, 'Default retention.ms; -1 keeps data forever.', {
    validator: atLeast(-1),
    synonyms: [syn('log.retention.minutes', minuteMs), syn('log.retention.hours', hourMs)],
  }),
  def('log.roll.hours', 'int', '168', 'Default segment roll age in hours; log.roll.ms wins over it.', {
    validator: atLeast(1),
  }),
  def('log.roll.jitter.hours', 'int', '0', 'Default segment jitter in hours.', { validator: atLeast(0) }),
  def('log.roll.jitter.ms', 'long', null, 'Default segment.jitter.ms.', {
    synonyms: [syn('log.roll.jitter.hours', hourMs)],
  }),
  def('log.roll.ms', 'long', null, 'Default segment.ms.', {
    validator: atLeast(1),
    synonyms: [syn('log.roll.hours', hourMs)],
  }),
  def('log.segment.bytes', 'int', '1073741824', 'Default segment.bytes.', { validator: atLeast(14) }),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Default file.delete.delay.ms.', { validator: atLeast(0) }),
  def('max.connections', 'int', '10000', 'Most client connections the broker accepts (Runnel default 10000).', {
    validator: atLeast(0),
  }),
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

export const topicConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(topicConfigDefs.map((d) => [d.name, d]));
export const brokerConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(brokerConfigDefs.map((d) => [d.name, d]));
