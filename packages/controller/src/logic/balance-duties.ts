/**
 * The active controller's periodic balance duty (every balance interval):
 * start the reassignments planBalance chooses, then move leadership where
 * leader counts are uneven or a decommissioning broker still leads, by
 * preferred-leader election (only to a preferred replica that is live and in
 * sync). Electing an operator-placed partition's preferred replica restores
 * the order the operator chose, so leadership moves for those too; their
 * replicas and order never change (balance-plan.ts). Pure: (image,
 * settings) -> records; the caller commits them.
 */
import type { ConfigMap, MetadataImage, PartitionRecord, TopicPartitionRef } from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import type { BalanceSettings } from './balance-plan.ts';
import { planBalance, preferredCounts, reassigning, replicaCounts, spread } from './balance-plan.ts';
import { clusterBrokerConfig } from './partition-election.ts';
import { clusterPartitionLimits } from './partition-limits.ts';
import { preferredLeaderElections } from './preferred-leaders.ts';
import { alterPartitionReassignments } from './reassignment.ts';

export interface BalanceDutyOutcome {
  readonly records: PartitionRecord[];
  /** Reassignments started or reorders made (one per partition). */
  readonly reassigned: number;
  /** Partitions whose leader moved. */
  readonly elected: number;
}

export const balanceDefaults = { enabled: true, maxConcurrentMoves: 5 } as const;

/**
 * auto.balance.enable and auto.leader.rebalance.enable from the static
 * broker config, overridden by the dynamic cluster default.
 */
export function balanceSettings(
  image: MetadataImage,
  staticBrokerConfig: ConfigMap,
  maxConcurrentMoves: number = balanceDefaults.maxConcurrentMoves,
): BalanceSettings {
  const cluster = clusterBrokerConfig(image, staticBrokerConfig);
  return {
    enabled: (cluster.get('auto.balance.enable') ?? 'true') === 'true',
    maxConcurrentMoves,
    electLeaders: (cluster.get('auto.leader.rebalance.enable') ?? 'true') === 'true',
  };
}

export function balanceDuties(image: MetadataImage, settings: BalanceSettings): BalanceDutyOutcome {
  const plan = planBalance(image, settings);
  // The controller's own moves: the partitions stay controller-placed.
  const { records: moves } = alterPartitionReassignments(image, plan, 'controller', clusterPartitionLimits(image));
  const draft = replayBatch(image, moves, image.lastOffset + BigInt(moves.length));
  const wanted = leadershipToMove(draft, settings.enabled && settings.electLeaders);
  const elections = wanted.length === 0 ? [] : preferredLeaderElections(draft, { partitions: wanted }).records;
  // A partition reordered then elected gets two records; the second builds on the first, as replay will.
  return { records: [...moves, ...elections], reassigned: moves.length, elected: elections.length };
}

/**
 * Partitions led by someone other than their preferred replica, when that
 * matters: the leader is being decommissioned, or (balancing and leader
 * rebalancing on) leaders per placeable broker differ by more than one.
 */
function leadershipToMove(image: MetadataImage, balancing: boolean): TopicPartitionRef[] {
  const placeable = new Set(image.placeableBrokers().map((b) => b.brokerId));
  const draining = new Set(image.decommissioningBrokerIds());
  const leaders = new Map<number, number>([...placeable].map((id) => [id, 0]));
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) {
      if (leaders.has(p.leader)) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    }
  }
  const uneven = balancing && spread(leaders) > 1;
  const out: TopicPartitionRef[] = [];
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) {
      const preferred = p.replicas[0];
      if (preferred === undefined || preferred === p.leader || !placeable.has(preferred) || reassigning(p)) continue;
      if (uneven || draining.has(p.leader)) out.push({ topic: name, partition: p.partition });
    }
  }
  return out;
}

/** What the controller's metrics show of balance. */
export interface BalanceStatus {
  /** Partitions with a reassignment in progress (anyone's). */
  readonly movesInFlight: number;
  /** Replicas on the fullest placeable broker minus on the emptiest (targets of moves in flight). */
  readonly replicaImbalance: number;
  /** Partitions led by the busiest placeable broker minus by the idlest. */
  readonly leaderImbalance: number;
  /** Preferred leaderships on the busiest placeable broker minus the idlest. */
  readonly preferredLeaderImbalance: number;
  /** Replicas still on decommissioning brokers. */
  readonly decommissioningReplicas: number;
}

export function balanceStatus(image: MetadataImage): BalanceStatus {
  const draining = new Set(image.decommissioningBrokerIds());
  const leaders = new Map<number, number>(image.placeableBrokers().map((b) => [b.brokerId, 0]));
  let movesInFlight = 0;
  let decommissioningReplicas = 0;
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) {
      if (reassigning(p)) movesInFlight++;
      if (leaders.has(p.leader)) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
      for (const id of p.replicas) if (draining.has(id)) decommissioningReplicas++;
    }
  }
  return {
    movesInFlight,
    replicaImbalance: spread(replicaCounts(image)),
    leaderImbalance: spread(leaders),
    preferredLeaderImbalance: spread(preferredCounts(image)),
    decommissioningReplicas,
  };
}
