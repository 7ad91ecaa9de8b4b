/** Every topic config Runnel knows (Kafka's names, types and defaults), sorted by name. */
import type { ConfigDef } from './config-def-builders.ts';
import {
  atLeast,
  byName,
  compressionTypes,
  def,
  hourMs,
  longMax,
  minuteMs,
  oneOf,
  syn,
  timestampTypes,
} from './config-def-builders.ts';

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
