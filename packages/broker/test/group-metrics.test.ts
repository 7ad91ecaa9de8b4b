import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CommittedOffset } from '../src/groups/group-api.ts';
import {
  groupLagSamples,
  type HostedReplica,
  type MarkerCounter,
  registerGroupMetrics,
} from '../src/groups/group-metrics.ts';

/** A log whose control batches (one offset each) lie at `markers`. */
function logWithMarkers(...markers: bigint[]): MarkerCounter {
  return {
    controlRecordsBetween: async (from, to) => BigInt(markers.filter((m) => m >= from && m < to).length),
  };
}

const noMarkers = logWithMarkers();

/** A fake coordinator's commits and this broker's replicas, both changeable between scrapes. */
function fakeSources() {
  const commits: CommittedOffset[] = [];
  const replicas = new Map<string, HostedReplica>();
  return {
    commits,
    replicas,
    sources: {
      committedOffsets: () => commits,
      replica: (topic: string, partition: number) => replicas.get(`${topic}-${partition}`),
    },
  };
}

async function scrape(registry: Registry, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const metric = await registry.getSingleMetric(name)?.get();
  for (const v of metric?.values ?? []) {
    out.set(`${v.labels.group}/${v.labels.topic}/${v.labels.partition}`, v.value);
  }
  return out;
}

describe('consumer group lag metric', () => {
  it('lag is the high watermark minus the committed offset for partitions led here', async () => {
    const { commits, replicas, sources } = fakeSources();
    commits.push(
      { groupId: 'g1', topic: 'orders', partition: 0, offset: 40n },
      { groupId: 'g1', topic: 'orders', partition: 1, offset: 100n },
      { groupId: 'g2', topic: 'orders', partition: 0, offset: 0n },
    );
    replicas.set('orders-0', { role: 'leader', highWatermark: 100n, log: noMarkers });
    replicas.set('orders-1', { role: 'leader', highWatermark: 100n, log: noMarkers });
    const registry = new Registry();
    registerGroupMetrics(registry, sources);
    expect(await scrape(registry, 'kafka_consumergroup_lag')).toEqual(
      new Map([
        ['g1/orders/0', 60],
        ['g1/orders/1', 0],
        ['g2/orders/0', 100],
      ]),
    );
    expect(await scrape(registry, 'kafka_consumergroup_current_offset')).toEqual(
      new Map([
        ['g1/orders/0', 40],
        ['g1/orders/1', 100],
        ['g2/orders/0', 0],
      ]),
    );
  });

  it('each scrape recomputes: a new commit lowers the lag and a forgotten group disappears', async () => {
    const { commits, replicas, sources } = fakeSources();
    commits.push({ groupId: 'g', topic: 't', partition: 0, offset: 5n });
    replicas.set('t-0', { role: 'leader', highWatermark: 10n, log: noMarkers });
    const registry = new Registry();
    registerGroupMetrics(registry, sources);
    expect(await scrape(registry, 'kafka_consumergroup_lag')).toEqual(new Map([['g/t/0', 5]]));
    commits[0] = { groupId: 'g', topic: 't', partition: 0, offset: 9n };
    expect(await scrape(registry, 'kafka_consumergroup_lag')).toEqual(new Map([['g/t/0', 1]]));
    commits.length = 0;
    expect(await scrape(registry, 'kafka_consumergroup_lag')).toEqual(new Map());
    expect(await scrape(registry, 'kafka_consumergroup_current_offset')).toEqual(new Map());
  });

  it('a partition not hosted here has a current offset but no lag; a follower uses its own high watermark', async () => {
    const { commits, replicas, sources } = fakeSources();
    commits.push(
      { groupId: 'g', topic: 't', partition: 0, offset: 3n },
      { groupId: 'g', topic: 't', partition: 1, offset: 3n },
      { groupId: 'g', topic: 't', partition: 2, offset: 3n },
    );
    replicas.set('t-1', { role: 'follower', highWatermark: 7n, log: noMarkers });
    replicas.set('t-2', { role: 'none', highWatermark: 50n, log: noMarkers });
    expect(await groupLagSamples(sources)).toEqual([
      { group: 'g', topic: 't', partition: 0, currentOffset: 3n, lag: null },
      { group: 'g', topic: 't', partition: 1, currentOffset: 3n, lag: 4n },
      { group: 'g', topic: 't', partition: 2, currentOffset: 3n, lag: null },
    ]);
  });

  it('a commit past the high watermark (e.g. after a truncation) reports lag 0, not a negative number', async () => {
    const { commits, replicas, sources } = fakeSources();
    commits.push({ groupId: 'g', topic: 't', partition: 0, offset: 12n });
    replicas.set('t-0', { role: 'leader', highWatermark: 10n, log: noMarkers });
    expect((await groupLagSamples(sources))[0]?.lag).toBe(0n);
  });

  it('transaction markers are not lag: a group that read a transactional partition to its end shows 0', async () => {
    const { commits, replicas, sources } = fakeSources();
    // Data at 0-2, commit marker at 3, data at 4-5, abort marker at 6; high watermark 7.
    const log = logWithMarkers(3n, 6n);
    replicas.set('t-0', { role: 'leader', highWatermark: 7n, log });
    commits.push(
      // Clients commit the marker's offset (last data + 1) or the one past it: both are caught up.
      { groupId: 'at-marker', topic: 't', partition: 0, offset: 6n },
      { groupId: 'past-marker', topic: 't', partition: 0, offset: 7n },
      { groupId: 'mid', topic: 't', partition: 0, offset: 3n },
      { groupId: 'start', topic: 't', partition: 0, offset: 0n },
    );
    const registry = new Registry();
    registerGroupMetrics(registry, sources);
    expect(await scrape(registry, 'kafka_consumergroup_lag')).toEqual(
      new Map([
        ['at-marker/t/0', 0],
        ['past-marker/t/0', 0],
        ['mid/t/0', 2],
        ['start/t/0', 5],
      ]),
    );
  });
});
