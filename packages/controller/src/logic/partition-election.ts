/**
 * Leader election and ISR/ELR bookkeeping for one partition: the rules every
 * controller-made partition change shares (fencing, unfencing, controlled
 * shutdown, AlterPartition, unclean-shutdown registration, preferred
 * election). Pure; callers turn the result into a partition record.
 *
 * ELR (KIP-966, eligible leader replicas): the broker side keeps the high
 * watermark still while the ISR is below min.insync.replicas, so a replica
 * that leaves an ISR ending below that minimum still holds every committed
 * record. Such replicas move to the ELR instead of being forgotten, and the
 * ISR may shrink to empty (no leader) rather than keep a fenced member.
 * Election order: a live ISR member, then a live ELR member, then (only
 * when the ELR is empty) a live member of the last known ELR — the best copy
 * left, as Kafka elects its last known leader — then, if the topic allows
 * unclean election, any live replica. All in replica order.
 */
import type { ConfigMap, MetadataImage, PartitionImage, PartitionRecord } from '@runnel/metadata';
import { effectiveTopicConfig, placementField, placementOf } from '@runnel/metadata';

export const noLeader = -1;

export interface ElectionPolicy {
  /** min.insync.replicas of the topic. */
  readonly minIsr: number;
  /** unclean.leader.election.enable of the topic. */
  readonly uncleanElection: boolean;
}

/** The parts of a partition that elections and ISR changes decide. */
export interface PartitionState {
  readonly isr: readonly number[];
  readonly leader: number;
  readonly elr: readonly number[];
  readonly lastKnownElr: readonly number[];
}

function entriesOf(config: ConfigMap): [string, string][] {
  return config instanceof Map ? [...config] : Object.entries(config);
}

/**
 * The cluster-wide broker defaults as the controller sees them: its static
 * broker config, overridden by dynamic cluster defaults (the '' broker
 * resource in the image).
 */
export function clusterBrokerConfig(image: MetadataImage, staticBrokerConfig: ConfigMap): Map<string, string> {
  return new Map([...entriesOf(staticBrokerConfig), ...image.configOverrides('broker', '')]);
}

/** Each topic's election policy, resolved once per call of the returned function's owner. */
export function electionPolicies(
  image: MetadataImage,
  staticBrokerConfig: ConfigMap,
): (topicName: string) => ElectionPolicy {
  const cluster = clusterBrokerConfig(image, staticBrokerConfig);
  const cache = new Map<string, ElectionPolicy>();
  return (topicName) => {
    const cached = cache.get(topicName);
    if (cached !== undefined) return cached;
    const overrides = image.configOverrides('topic', topicName);
    const minIsr = Number(effectiveTopicConfig('min.insync.replicas', overrides, cluster));
    const policy: ElectionPolicy = {
      minIsr: Number.isSafeInteger(minIsr) && minIsr >= 1 ? minIsr : 1,
      uncleanElection: effectiveTopicConfig('unclean.leader.election.enable', overrides, cluster) === 'true',
    };
    cache.set(topicName, policy);
    return policy;
  };
}

export function stateOf(p: PartitionImage): PartitionState {
  return { isr: p.isr, leader: p.leader, elr: p.elr, lastKnownElr: p.lastKnownElr };
}

/**
 * The ISR becomes `isr`. Members leaving an ISR that ends below minIsr join
 * the ELR; an ISR at or above minIsr clears the ELR, because the high
 * watermark moves on without its members. ISR members are never in the ELR.
 */
export function withIsr(
  p: PartitionImage,
  state: PartitionState,
  isr: readonly number[],
  minIsr: number,
): PartitionState {
  if (isr.length >= minIsr) return { ...state, isr, elr: [] };
  const eligible = (r: number): boolean => !isr.includes(r) && (state.elr.includes(r) || state.isr.includes(r));
  return { ...state, isr, elr: p.replicas.filter(eligible) };
}

function first(p: PartitionImage, pick: (replica: number) => boolean): number | undefined {
  return p.replicas.find(pick);
}

/** Keeps a live leader that is still in the ISR; otherwise elects in KIP-966 order (see the file comment). */
export function elect(
  p: PartitionImage,
  state: PartitionState,
  live: ReadonlySet<number>,
  policy: ElectionPolicy,
): PartitionState {
  if (state.leader !== noLeader && live.has(state.leader) && state.isr.includes(state.leader)) return state;
  const fromIsr = first(p, (r) => state.isr.includes(r) && live.has(r));
  if (fromIsr !== undefined) return { ...state, leader: fromIsr, lastKnownElr: [] };
  const fromElr = first(p, (r) => state.elr.includes(r) && live.has(r));
  if (fromElr !== undefined) {
    const elr = 1 >= policy.minIsr ? [] : state.elr.filter((r) => r !== fromElr);
    return { isr: [fromElr], leader: fromElr, elr, lastKnownElr: [] };
  }
  // Fenced ELR members still hold committed records: waiting for them beats electing anyone who may not.
  const fromLastKnown =
    state.elr.length === 0 ? first(p, (r) => state.lastKnownElr.includes(r) && live.has(r)) : undefined;
  if (fromLastKnown !== undefined) return { isr: [fromLastKnown], leader: fromLastKnown, elr: [], lastKnownElr: [] };
  if (policy.uncleanElection) {
    const anyLive = first(p, (r) => live.has(r));
    if (anyLive !== undefined) return { isr: [anyLive], leader: anyLive, elr: [], lastKnownElr: [] };
  }
  return { ...state, leader: noLeader };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The partition record that gives `p` the state `next`, or null when nothing changed. */
export function changeRecord(topicId: string, p: PartitionImage, next: PartitionState): PartitionRecord | null {
  if (
    next.leader === p.leader &&
    sameList(next.isr, p.isr) &&
    sameList(next.elr, p.elr) &&
    sameList(next.lastKnownElr, p.lastKnownElr)
  ) {
    return null;
  }
  return {
    type: 'partition',
    topicId,
    partition: p.partition,
    replicas: p.replicas,
    isr: next.isr,
    leader: next.leader,
    leaderEpoch: next.leader === p.leader ? p.leaderEpoch : p.leaderEpoch + 1,
    partitionEpoch: p.partitionEpoch + 1,
    elr: next.elr,
    lastKnownElr: next.lastKnownElr,
    addingReplicas: p.addingReplicas,
    removingReplicas: p.removingReplicas,
    ...placementField(placementOf(p)),
  };
}

export function liveBrokerIds(image: MetadataImage): Set<number> {
  return new Set(image.liveBrokers().map((b) => b.brokerId));
}

/** Runs `plan` over every partition of every topic (sorted by name), collecting the records of those that change. */
export function planPartitions(
  image: MetadataImage,
  staticBrokerConfig: ConfigMap,
  plan: (p: PartitionImage, policy: ElectionPolicy) => PartitionState,
): PartitionRecord[] {
  const policies = electionPolicies(image, staticBrokerConfig);
  const out: PartitionRecord[] = [];
  for (const name of image.topicNames()) {
    const topic = image.topic(name);
    if (topic === undefined) continue;
    const policy = policies(name);
    for (const p of topic.partitions) {
      const record = changeRecord(topic.topicId, p, plan(p, policy));
      if (record !== null) out.push(record);
    }
  }
  return out;
}
