/**
 * The active controller's periodic leadership check (every
 * leader.imbalance.check.interval.seconds): offline partitions that can
 * elect now (a candidate came back unnoticed, or unclean election was
 * allowed), then automatic preferred-leader rebalancing when
 * auto.leader.rebalance.enable is on and a broker is imbalanced.
 */
import type { ConfigMap, MetadataImage, PartitionRecord } from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import { electOfflineLeaders } from './broker-fencing.ts';
import { rebalanceLeaders, rebalanceSettings } from './preferred-leaders.ts';

export function leaderDuties(image: MetadataImage, brokerConfig: ConfigMap): PartitionRecord[] {
  const offline = electOfflineLeaders(image, brokerConfig);
  const draft = replayBatch(image, offline, image.lastOffset + BigInt(offline.length));
  return [...offline, ...rebalanceLeaders(draft, rebalanceSettings(draft, brokerConfig))];
}
