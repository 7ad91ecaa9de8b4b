/**
 * The features (KIP-584) Runnel knows, the levels every Runnel broker
 * supports, and what a new cluster finalizes. Shared by the controller
 * (UpdateFeatures validation, bootstrap) and brokers (ApiVersions'
 * supported features): every Runnel node of one build supports the same
 * ranges, so a level these ranges allow is one every registered broker can
 * serve.
 *
 * metadata.version 25 is Kafka's 4.0-IV3, the last 4.0 level: Runnel keeps
 * eligible leader replicas (KIP-966, 4.0-IV1) and serves transaction
 * version 2 (which needs 4.0-IV2), and has none of what 4.1's levels 26-27
 * added to the metadata log, so it claims neither those nor a level below
 * the behaviour it always has. It is the only level supported: Runnel's
 * behaviour does not change with it, so finalizing another would misstate
 * what the cluster does.
 *
 * transaction.version 0-2: 2 is KIP-890 part 2 (an epoch bump per
 * transaction, partitions added by Produce v12 and TxnOffsetCommit v5),
 * 1 the flexible transaction records, 0 neither. Brokers serve every level;
 * the finalized level tells clients which to use.
 */

export const metadataVersionFeature = 'metadata.version';
export const transactionVersionFeature = 'transaction.version';

export interface FeatureRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

export const supportedFeatures: ReadonlyMap<string, FeatureRange> = new Map([
  [metadataVersionFeature, { minVersion: 25, maxVersion: 25 }],
  [transactionVersionFeature, { minVersion: 0, maxVersion: 2 }],
]);

/** What the first active controller finalizes for a new cluster (and for a log from before features existed). */
export const defaultFinalizedFeatures: ReadonlyMap<string, number> = new Map([
  [metadataVersionFeature, 25],
  [transactionVersionFeature, 2],
]);
