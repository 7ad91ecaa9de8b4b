/**
 * Consumer-group lag as Prometheus gauges, computed when /metrics is scraped:
 *
 *   kafka_consumergroup_current_offset{group,topic,partition}  the committed offset
 *   kafka_consumergroup_lag{group,topic,partition}             high watermark - committed offset
 *
 * Only the group's coordinator knows its commits, so each broker exports the
 * groups it coordinates. The other input, the partition's high watermark, is
 * read from this broker's own replica of the partition, never fetched: a
 * scrape must not wait on the network, and ListOffsets to every leader per
 * scrape would cost a round trip per partition. So lag is exported for the
 * partitions this broker hosts (as leader: exact; as follower: the high
 * watermark the leader last sent, at most one replica fetch behind) and
 * omitted for the rest; the current offset is exported for every commit.
 * With replication factor = broker count (the usual small cluster) that is
 * every partition. `runnel groups describe` asks the leaders and is exact.
 */
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { CommittedOffset } from './group-api.ts';

/** What the broker hosts of a partition, as far as lag needs it. */
export interface HostedReplica {
  readonly role: 'leader' | 'follower' | 'none';
  readonly highWatermark: bigint;
}

export interface GroupLagSources {
  /** Commits of the groups this broker coordinates (GroupCoordinator.committedOffsets). */
  committedOffsets(): readonly CommittedOffset[];
  /** This broker's replica of a partition, undefined when it hosts none. */
  replica(topic: string, partition: number): HostedReplica | undefined;
}

export interface GroupLagSample {
  group: string;
  topic: string;
  partition: number;
  currentOffset: bigint;
  /** null when this broker does not host the partition, so its log end is unknown here. */
  lag: bigint | null;
}

/** One sample per committed offset. Lag never goes below 0 (a commit past the high watermark is caught up). */
export function groupLagSamples(sources: GroupLagSources): GroupLagSample[] {
  return sources.committedOffsets().map((c) => {
    const replica = sources.replica(c.topic, c.partition);
    const known = replica !== undefined && replica.role !== 'none';
    const lag = known ? maxBigint(0n, replica.highWatermark - c.offset) : null;
    return { group: c.groupId, topic: c.topic, partition: c.partition, currentOffset: c.offset, lag };
  });
}

/** Registers both gauges on `registry`; they read `sources` on every scrape. */
export function registerGroupMetrics(registry: Registry, sources: GroupLagSources): void {
  const labelNames = ['group', 'topic', 'partition'] as const;
  new Gauge({
    name: 'kafka_consumergroup_lag',
    help: 'Records a group has not committed yet: high watermark - committed offset, per partition; exported by the group coordinator for partitions it hosts',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of groupLagSamples(sources)) {
        if (s.lag !== null) this.set(labels(s), Number(s.lag));
      }
    },
  });
  new Gauge({
    name: 'kafka_consumergroup_current_offset',
    help: 'The committed offset of a group, per partition; exported by the group coordinator',
    labelNames,
    registers: [registry],
    collect() {
      // Each gauge computes its own samples: a scrape may read one gauge alone.
      this.reset();
      for (const s of groupLagSamples(sources)) this.set(labels(s), Number(s.currentOffset));
    },
  });
}

function labels(s: GroupLagSample): { group: string; topic: string; partition: string } {
  return { group: s.group, topic: s.topic, partition: String(s.partition) };
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
