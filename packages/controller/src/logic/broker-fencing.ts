/**
 * What happens to partitions when a broker is fenced (its session expired),
 * unfenced (it came back and caught up with metadata) or shuts down in a
 * controlled way. Pure: (image, broker) -> records; nothing changes until
 * they are committed and replayed.
 *
 * Leaders come only from the ISR, in replica order, and only from brokers
 * that are not fenced (no unclean election). A partition whose last ISR
 * member is fenced keeps that member in its ISR and has no leader (-1):
 * it is offline until that broker returns, because only it is known to hold
 * every committed record. Until replication lands (issue 4) a returning
 * broker rejoins the ISR of its partitions that have a leader when it is
 * unfenced (replication will make it earn that); an offline partition comes
 * back only through a member of its ISR.
 */
import type { MetadataImage, MetadataRecord, PartitionImage, PartitionRecord } from '@runnel/metadata';

const noLeader = -1;

function liveIds(image: MetadataImage): Set<number> {
  return new Set(image.liveBrokers().map((b) => b.brokerId));
}

/** The partition record that replaces `p`, or null when nothing changed. */
function changed(
  topicId: string,
  p: PartitionImage,
  next: { isr: readonly number[]; leader: number },
): PartitionRecord | null {
  const sameIsr = next.isr.length === p.isr.length && next.isr.every((id, i) => id === p.isr[i]);
  if (sameIsr && next.leader === p.leader) return null;
  return {
    type: 'partition',
    topicId,
    partition: p.partition,
    replicas: p.replicas,
    isr: next.isr,
    leader: next.leader,
    leaderEpoch: next.leader === p.leader ? p.leaderEpoch : p.leaderEpoch + 1,
    partitionEpoch: p.partitionEpoch + 1,
  };
}

/** First replica (in replica order) that is in the ISR and live, or -1. */
function electLeader(p: PartitionImage, isr: readonly number[], live: ReadonlySet<number>): number {
  for (const r of p.replicas) if (isr.includes(r) && live.has(r)) return r;
  return noLeader;
}

function partitionChanges(
  image: MetadataImage,
  plan: (p: PartitionImage) => { isr: readonly number[]; leader: number },
): PartitionRecord[] {
  const out: PartitionRecord[] = [];
  for (const name of image.topicNames()) {
    const topic = image.topic(name);
    if (topic === undefined) continue;
    for (const p of topic.partitions) {
      const record = changed(topic.topicId, p, plan(p));
      if (record !== null) out.push(record);
    }
  }
  return out;
}

/** Fences `brokerId`: it leaves every ISR it can leave, and its partitions get new leaders. */
export function fenceBroker(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const broker = image.broker(brokerId);
  if (broker === undefined || broker.fenced) return [];
  const live = liveIds(image);
  live.delete(brokerId);
  const records: MetadataRecord[] = [{ type: 'fence-broker', brokerId, brokerEpoch: broker.brokerEpoch }];
  return records.concat(partitionChanges(image, (p) => moveAway(p, brokerId, live)));
}

/**
 * Controlled shutdown: the same partition changes as fencing, so the broker
 * leads nothing when it exits; the broker itself is fenced by the caller
 * once it reports it is done.
 */
export function shutDownBroker(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const live = liveIds(image);
  live.delete(brokerId);
  return partitionChanges(image, (p) => moveAway(p, brokerId, live));
}

function moveAway(p: PartitionImage, brokerId: number, live: ReadonlySet<number>) {
  if (!p.isr.includes(brokerId) && p.leader !== brokerId) {
    // Not involved, but it may be leaderless with a leader candidate now back.
    return { isr: p.isr, leader: p.leader === noLeader ? electLeader(p, p.isr, live) : p.leader };
  }
  const shrunk = p.isr.filter((id) => id !== brokerId);
  // Never empty the ISR: its last member is the only one known to have everything.
  const isr = shrunk.length > 0 ? shrunk : p.isr;
  const leaderStillGood = p.leader !== brokerId && p.leader !== noLeader && live.has(p.leader);
  return { isr, leader: leaderStillGood ? p.leader : electLeader(p, isr, live) };
}

/** Unfences `brokerId`: it rejoins the ISR of its partitions and leads the ones that had no leader. */
export function unfenceBroker(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const broker = image.broker(brokerId);
  if (broker === undefined || !broker.fenced) return [];
  const live = liveIds(image);
  live.add(brokerId);
  const records: MetadataRecord[] = [{ type: 'unfence-broker', brokerId, brokerEpoch: broker.brokerEpoch }];
  return records.concat(
    partitionChanges(image, (p) => {
      if (!p.replicas.includes(brokerId)) return { isr: p.isr, leader: p.leader };
      // An offline partition can only be brought back by a member of its ISR: anyone else may lack records.
      if (p.leader === noLeader) return { isr: p.isr, leader: electLeader(p, p.isr, live) };
      const isr = p.isr.includes(brokerId) ? p.isr : p.replicas.filter((r) => p.isr.includes(r) || r === brokerId);
      return { isr, leader: p.leader };
    }),
  );
}
