/**
 * Consumer-group lag as Prometheus gauges, computed when /metrics is scraped:
 *
 *   kafka_consumergroup_current_offset{group,topic,partition}  the committed offset
 *   kafka_consumergroup_lag{group,topic,partition}             data records between the committed offset and the high watermark
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
 *
 * Lag counts data records only: the offsets transaction markers take are
 * left out (the replica's log knows where they lie without reading record
 * bytes), so a consumer that has read a transactional partition to its end
 * shows 0, whether it committed the marker's offset or the one after it.
 */
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { CommittedOffset } from './group-api.ts';

/** What the broker hosts of a partition, as far as lag needs it. */
export interface HostedReplica {
  readonly role: 'leader' | 'follower' | 'none';
  readonly highWatermark: bigint;
  readonly log: MarkerCounter;
}

/** The replica's log, asked how many offsets of [from, to) control batches take (PartitionLog). */
export interface MarkerCounter {
  controlRecordsBetween(from: bigint, to: bigint): Promise<bigint>;
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

/**
 * One sample per committed offset. Lag never goes below 0 (a commit past
 * the high watermark is caught up).
 */
export function groupLagSamples(sources: GroupLagSources): Promise<GroupLagSample[]> {
  return Promise.all(
    sources.committedOffsets().map(async (c) => {
      const replica = sources.replica(c.topic, c.partition);
      const known = replica !== undefined && replica.role !== 'none';
      const lag = known ? await dataRecordsBetween(replica, c.offset) : null;
      return { group: c.groupId, topic: c.topic, partition: c.partition, currentOffset: c.offset, lag };
    }),
  );
}

async function dataRecordsBetween(replica: HostedReplica, committed: bigint): Promise<bigint> {
  const end = replica.highWatermark;
  if (committed >= end) return 0n;
  const markers = await replica.log.controlRecordsBetween(committed, end);
  return maxBigint(0n, end - committed - markers);
}

/** Registers both gauges on `registry`; they read `sources` on every scrape. */
export function registerGroupMetrics(registry: Registry, sources: GroupLagSources): void {
  const labelNames = ['group', 'topic', 'partition'] as const;
  new Gauge({
    name: 'kafka_consumergroup_lag',
    help: 'Data records a group has not committed yet: between the committed offset and the high watermark, transaction markers not counted, per partition; exported by the group coordinator for partitions it hosts',
    labelNames,
    registers: [registry],
    async collect() {
      const samples = await groupLagSamples(sources);
      this.reset();
      for (const s of samples) {
        if (s.lag !== null) this.set(labels(s), Number(s.lag));
      }
    },
  });
  new Gauge({
    name: 'kafka_consumergroup_current_offset',
    help: 'The committed offset of a group, per partition; exported by the group coordinator',
    labelNames,
    registers: [registry],
    async collect() {
      // Each gauge reads its own inputs: a scrape may read one gauge alone.
      this.reset();
      for (const c of sources.committedOffsets()) {
        this.set({ group: c.groupId, topic: c.topic, partition: String(c.partition) }, Number(c.offset));
      }
    },
  });
}

function labels(s: GroupLagSample): { group: string; topic: string; partition: string } {
  return { group: s.group, topic: s.topic, partition: String(s.partition) };
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
