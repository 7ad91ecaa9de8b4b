/**
 * A MetadataImage as the shortest list of records that rebuilds it: what a
 * metadata snapshot holds, and what a broker that is too far behind the
 * metadata log receives instead of the records it missed. Replaying the
 * list onto the empty image at the image's lastOffset gives an equal image
 * (brokers, topics with their partitions, config overrides).
 */
import type { MetadataImage } from './metadata-image.ts';
import type { MetadataRecord } from './records.ts';
import { placementField, placementOf } from './records.ts';

export function imageRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  if (image.clusterId !== null) records.push({ type: 'cluster-id', clusterId: image.clusterId });
  for (const [name, level] of [...image.finalizedFeatures].sort(([a], [b]) => (a < b ? -1 : 1))) {
    records.push({ type: 'feature-level', name, level });
  }
  // Only the high-water mark of handed-out ids matters; -1 names no broker (the snapshot is not a handout).
  if (image.nextProducerId > 0n)
    records.push({ type: 'producer-ids', brokerId: -1, brokerEpoch: -1n, nextProducerId: image.nextProducerId });
  for (const b of image.brokers()) {
    records.push({
      type: 'register-broker',
      brokerId: b.brokerId,
      incarnationId: b.incarnationId,
      brokerEpoch: b.brokerEpoch,
      listeners: b.listeners.map((l) => ({ ...l })),
      rack: b.rack,
    });
    if (b.fenced) records.push({ type: 'fence-broker', brokerId: b.brokerId, brokerEpoch: b.brokerEpoch });
  }
  for (const brokerId of image.decommissioningBrokerIds()) {
    records.push({ type: 'broker-state', brokerId, state: 'decommissioning' });
  }
  for (const name of image.topicNames()) {
    const topic = image.topic(name);
    if (topic === undefined) continue;
    records.push({ type: 'topic', name, topicId: topic.topicId });
    for (const p of topic.partitions) {
      records.push({
        type: 'partition',
        topicId: topic.topicId,
        partition: p.partition,
        replicas: [...p.replicas],
        isr: [...p.isr],
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        elr: [...p.elr],
        lastKnownElr: [...p.lastKnownElr],
        addingReplicas: [...p.addingReplicas],
        removingReplicas: [...p.removingReplicas],
        ...placementField(placementOf(p)),
      });
    }
  }
  // Config overrides after the topics they belong to.
  for (const { resourceType, name } of image.configResources()) {
    const overrides = [...image.configOverrides(resourceType, name)].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, value] of overrides)
      records.push({ type: 'config', resourceType, resourceName: name, name: key, value });
  }
  for (const { entity, values } of image.clientQuotas.values()) {
    for (const [key, value] of values) records.push({ type: 'client-quota', entity: { ...entity }, key, value });
  }
  return records;
}
