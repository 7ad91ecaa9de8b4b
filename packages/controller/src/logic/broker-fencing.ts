/**
 * What happens to partitions when a broker is fenced (its session expired),
 * unfenced (it came back and caught up with metadata), shuts down in a
 * controlled way, or registers again after an unclean shutdown. Pure:
 * (image, broker, static broker config) -> records; nothing changes until
 * they are committed and replayed. The election and ELR rules live in
 * partition-election.ts.
 *
 * The controller never adds a replica to an ISR here: a returning broker
 * rejoins an ISR only when its partition's leader has seen it catch up and
 * says so through AlterPartition. An offline partition comes back through a
 * live member of its ISR or ELR (or its last known ELR, or any replica when
 * the topic allows unclean election).
 */
import type { ConfigMap, MetadataImage, MetadataRecord, PartitionImage, PartitionRecord } from '@runnel/metadata';
import type { ElectionPolicy, PartitionState } from './partition-election.ts';
import { elect, liveBrokerIds, noLeader, planPartitions, stateOf, withIsr } from './partition-election.ts';

/** Fences `brokerId`: it leaves every ISR, and its partitions get new leaders. */
export function fenceBroker(image: MetadataImage, brokerId: number, brokerConfig: ConfigMap): MetadataRecord[] {
  const broker = image.broker(brokerId);
  if (broker === undefined || broker.fenced) return [];
  const live = liveBrokerIds(image);
  live.delete(brokerId);
  const records: MetadataRecord[] = [{ type: 'fence-broker', brokerId, brokerEpoch: broker.brokerEpoch }];
  return records.concat(planPartitions(image, brokerConfig, (p, policy) => moveAway(p, brokerId, live, policy)));
}

/**
 * Controlled shutdown: the same partition changes as fencing, so the broker
 * leads nothing when it exits (and, where its leaving takes an ISR below
 * min.insync.replicas, it is eligible to lead again: it stopped cleanly);
 * the broker itself is fenced by the caller once it reports it is done.
 */
export function shutDownBroker(image: MetadataImage, brokerId: number, brokerConfig: ConfigMap): MetadataRecord[] {
  const live = liveBrokerIds(image);
  live.delete(brokerId);
  return planPartitions(image, brokerConfig, (p, policy) => moveAway(p, brokerId, live, policy));
}

/**
 * `brokerId` reports its log directory offline (a storage fault; KIP-858's
 * offlineLogDirs: Runnel brokers have one directory, so every replica it
 * hosts is offline): each partition whose ISR has another live member drops
 * it from the ISR and, where it led, gets a new leader from that ISR, as
 * fencing would. A partition with no other live ISR member is left as it
 * is: electing nobody would not make it writable, and its leader answers
 * KAFKA_STORAGE_ERROR (which names the cause) until its directory comes
 * back. The broker stays registered and unfenced; once its directory is
 * back its replicas catch up as followers and their leaders add them back.
 */
export function moveOffOfflineLogDir(
  image: MetadataImage,
  brokerId: number,
  brokerConfig: ConfigMap,
): PartitionRecord[] {
  const live = liveBrokerIds(image);
  live.delete(brokerId);
  return planPartitions(image, brokerConfig, (p, policy) => {
    const state = stateOf(p);
    if (!state.isr.includes(brokerId) || !state.isr.some((id) => live.has(id))) return state;
    return moveAway(p, brokerId, live, policy);
  });
}

function moveAway(
  p: PartitionImage,
  brokerId: number,
  live: ReadonlySet<number>,
  policy: ElectionPolicy,
): PartitionState {
  let state = stateOf(p);
  if (state.isr.includes(brokerId)) {
    state = withIsr(
      p,
      state,
      state.isr.filter((id) => id !== brokerId),
      policy.minIsr,
    );
  }
  if (state.leader === brokerId) state = { ...state, leader: noLeader };
  return elect(p, state, live, policy);
}

/** Unfences `brokerId`: it leads the partitions that were waiting for it; it joins no ISR (leaders decide that). */
export function unfenceBroker(image: MetadataImage, brokerId: number, brokerConfig: ConfigMap): MetadataRecord[] {
  const broker = image.broker(brokerId);
  if (broker === undefined || !broker.fenced) return [];
  const live = liveBrokerIds(image);
  live.add(brokerId);
  const records: MetadataRecord[] = [{ type: 'unfence-broker', brokerId, brokerEpoch: broker.brokerEpoch }];
  return records.concat(planPartitions(image, brokerConfig, (p, policy) => elect(p, stateOf(p), live, policy)));
}

/**
 * Elects leaders for offline partitions whose candidates are live now: run
 * when a topic's unclean.leader.election.enable (or min ISR) changes, and
 * periodically by the active controller.
 */
export function electOfflineLeaders(image: MetadataImage, brokerConfig: ConfigMap): PartitionRecord[] {
  const live = liveBrokerIds(image);
  return planPartitions(image, brokerConfig, (p, policy) =>
    p.leader === noLeader ? elect(p, stateOf(p), live, policy) : stateOf(p),
  );
}

/**
 * `brokerId` registered after an unclean shutdown: it may have lost records
 * it had not flushed, so it is no longer eligible to lead. It leaves every
 * ELR, and the ISR of every partition without a leader. When that empties
 * the ELR of a leaderless partition, the last eligible members (it among
 * them) are kept as lastKnownElr: with nobody better left, they are the
 * best copy there is.
 */
export function forgetUncleanReplica(
  image: MetadataImage,
  brokerId: number,
  brokerConfig: ConfigMap,
): PartitionRecord[] {
  return planPartitions(image, brokerConfig, (p) => {
    const state = stateOf(p);
    const leaderless = p.leader === noLeader;
    if (!p.elr.includes(brokerId) && !(leaderless && p.isr.includes(brokerId))) return state;
    const elr = p.elr.filter((id) => id !== brokerId);
    const isr = leaderless ? p.isr.filter((id) => id !== brokerId) : p.isr;
    const emptied = leaderless && elr.length === 0 && isr.length === 0;
    const lastKnownElr = emptied ? p.replicas.filter((r) => p.elr.includes(r) || p.isr.includes(r)) : p.lastKnownElr;
    return { ...state, isr, elr, lastKnownElr };
  });
}
