/**
 * Preferred-leader election and automatic leader rebalancing, as pure
 * functions of the image. A partition's preferred leader is its first
 * replica; placement spreads first replicas over brokers, so leading from
 * them spreads the leader load. Failover moves leadership away from a
 * broker, and nothing moves it back until one of these runs: explicitly
 * (ElectLeaders) or from the active controller's periodic check when a
 * broker's share of partitions it should lead but does not exceeds
 * leader.imbalance.per.broker.percentage.
 *
 * An election moves leadership only to a preferred replica that is live and
 * in the ISR (it holds every committed record); the ISR and ELR stay, and
 * the leader epoch goes up by one.
 */
import { err, ok } from '@runnel/common';
import type {
  ConfigMap,
  ElectLeadersResult,
  MetadataImage,
  PartitionImage,
  PartitionRecord,
  TopicPartitionRef,
} from '@runnel/metadata';
import { changeRecord, clusterBrokerConfig, liveBrokerIds, stateOf } from './partition-election.ts';

export interface PreferredElectionOptions {
  /** The partitions to consider; null = every partition. */
  readonly partitions: readonly TopicPartitionRef[] | null;
}

export interface PreferredElectionOutcome {
  readonly records: PartitionRecord[];
  /** One per asked partition, in request order; for `partitions: null`, one per partition whose leader moved. */
  readonly results: ElectLeadersResult[];
}

function preferredOf(p: PartitionImage): number | undefined {
  return p.replicas[0];
}

export function preferredLeaderElections(
  image: MetadataImage,
  options: PreferredElectionOptions,
): PreferredElectionOutcome {
  const live = liveBrokerIds(image);
  const records: PartitionRecord[] = [];
  const results: ElectLeadersResult[] = [];
  const seen = new Set<string>();
  const consider = (topic: string, partition: number, reportNoop: boolean): void => {
    const key = `${topic}\u0000${partition}`;
    if (seen.has(key)) return;
    seen.add(key);
    const t = image.topic(topic);
    const p = t?.partitions[partition];
    if (t === undefined || p === undefined) {
      results.push({
        topic,
        partition,
        result: err('unknown_topic_or_partition', `There is no partition ${partition} of topic '${topic}'.`),
      });
      return;
    }
    const preferred = preferredOf(p);
    if (preferred === undefined || p.leader === preferred) {
      if (reportNoop) {
        const why = `Broker ${preferred} already leads partition ${partition} of '${topic}'.`;
        results.push({ topic, partition, result: err('election_not_needed', why) });
      }
      return;
    }
    if (!live.has(preferred) || !p.isr.includes(preferred)) {
      if (reportNoop) {
        const why = `Preferred replica ${preferred} of partition ${partition} of '${topic}' is not live and in sync.`;
        results.push({ topic, partition, result: err('preferred_leader_not_available', why) });
      }
      return;
    }
    const record = changeRecord(t.topicId, p, { ...stateOf(p), leader: preferred, lastKnownElr: [] });
    if (record !== null) records.push(record);
    results.push({ topic, partition, result: ok(null) });
  };
  if (options.partitions === null) {
    for (const name of image.topicNames()) {
      for (const p of image.topic(name)?.partitions ?? []) consider(name, p.partition, false);
    }
  } else {
    for (const { topic, partition } of options.partitions) consider(topic, partition, true);
  }
  return { records, results };
}

/** Partitions whose leader is not their preferred replica (Kafka's PreferredReplicaImbalanceCount). */
export function preferredReplicaImbalanceCount(image: MetadataImage): number {
  let count = 0;
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) if (p.leader !== preferredOf(p)) count++;
  }
  return count;
}

export interface RebalanceSettings {
  /** auto.leader.rebalance.enable */
  readonly enabled: boolean;
  /** leader.imbalance.per.broker.percentage */
  readonly imbalancePercentMax: number;
}

/** The cluster's rebalance settings: static broker config overridden by dynamic cluster defaults. */
export function rebalanceSettings(image: MetadataImage, staticBrokerConfig: ConfigMap): RebalanceSettings {
  const cluster = clusterBrokerConfig(image, staticBrokerConfig);
  const percent = Number(cluster.get('leader.imbalance.per.broker.percentage') ?? '10');
  return {
    enabled: (cluster.get('auto.leader.rebalance.enable') ?? 'true') === 'true',
    imbalancePercentMax: Number.isFinite(percent) && percent >= 0 ? percent : 10,
  };
}

/**
 * The periodic rebalance: for every broker whose share of the partitions it
 * prefers to lead but does not is above the threshold, elects it in those
 * partitions where it is live and in sync. Nothing when disabled.
 */
export function rebalanceLeaders(image: MetadataImage, settings: RebalanceSettings): PartitionRecord[] {
  if (!settings.enabled) return [];
  const preferred = new Map<number, { total: number; notLeading: TopicPartitionRef[] }>();
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) {
      const broker = preferredOf(p);
      if (broker === undefined) continue;
      let entry = preferred.get(broker);
      if (entry === undefined) {
        entry = { total: 0, notLeading: [] };
        preferred.set(broker, entry);
      }
      entry.total++;
      if (p.leader !== broker) entry.notLeading.push({ topic: name, partition: p.partition });
    }
  }
  const wanted: TopicPartitionRef[] = [];
  for (const [, { total, notLeading }] of [...preferred].sort(([a], [b]) => a - b)) {
    if ((notLeading.length * 100) / total > settings.imbalancePercentMax) wanted.push(...notLeading);
  }
  if (wanted.length === 0) return [];
  return preferredLeaderElections(image, { partitions: wanted }).records;
}
