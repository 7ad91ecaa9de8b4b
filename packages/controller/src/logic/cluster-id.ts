/**
 * The cluster's identity as pure functions: the first active controller
 * creates it (one record, committed like any other), and a broker that
 * registers with the id of another cluster in its data directory is refused
 * (Kafka's INCONSISTENT_CLUSTER_ID), so its logs never mix with this
 * cluster's partitions.
 */
import { randomBytes } from 'node:crypto';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { MetadataImage, MetadataRecord } from '@runnel/metadata';

/**
 * A new Kafka-style cluster id: 16 random bytes in URL-safe base64 (22
 * characters). Like Kafka, never one starting with '-', which command-line
 * tools would take for an option.
 */
export function newClusterId(random: () => Uint8Array = () => randomBytes(16)): string {
  for (;;) {
    const id = Buffer.from(random()).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The record that gives the cluster its id, or none when it has one. */
export function ensureClusterId(image: MetadataImage, generate: () => string = newClusterId): MetadataRecord[] {
  return image.clusterId === null ? [{ type: 'cluster-id', clusterId: generate() }] : [];
}

/**
 * Whether a broker that says it belongs to `claimed` (from its data
 * directory; null for a new broker) may join the cluster of `image`.
 */
export function checkClusterId(image: MetadataImage, claimed: string | null): Result<null, 'inconsistent_cluster_id'> {
  if (claimed === null || image.clusterId === null || claimed === image.clusterId) return ok(null);
  return err(
    'inconsistent_cluster_id',
    `the broker's data directory belongs to cluster ${claimed}, but these controllers run cluster ${image.clusterId}: ` +
      "point the broker at its own cluster's controllers, or give it an empty data directory",
  );
}
