/**
 * ApiVersions (key 18, v0-4). Every broker advertises the same table: the
 * recommended ranges of the protocol package, limited to the APIs this
 * broker has handlers for. Unsupported ApiVersions versions never reach
 * here; the request processor answers them with the v0-format error.
 *
 * v3+ also lists features (KIP-584): the ranges every Runnel broker
 * supports (@runnel/metadata's feature-levels.ts) and the levels the
 * cluster finalized in its metadata log (FeatureLevelRecord), with the
 * metadata offset of the last change as the epoch, so a client that heard
 * several brokers keeps the newest answer. Supported features whose minimum
 * is 0 (transaction.version) are listed from v4 only: a minimum of 0 breaks
 * older Java clients (KAFKA-17011), so Kafka leaves them out of v3 answers.
 * The finalized `transaction.version` tells clients that read it (the Java
 * producer since 4.0) to use transaction version 2 (KIP-890 part 2) at
 * level 2 and version 1 below. Until this broker's image holds finalized
 * features (a log from before they existed, or before its first metadata),
 * it answers with its `transaction.version` flag at epoch 0, as before.
 */
import { supportedFeatures, transactionVersionFeature } from '@runnel/metadata';
import { type ApiVersionsResponse, advertisedApis, ErrorCode } from '@runnel/protocol';
import type { Handler, RequestContext } from './handler.ts';

export { transactionVersionFeature };
/** The highest transaction version this broker can serve. */
export const transactionVersionMax = supportedFeatures.get(transactionVersionFeature)?.maxVersion ?? 2;

export interface FinalizedFeatures {
  /** Feature name -> finalized level (none at 0). */
  readonly levels: ReadonlyMap<string, number>;
  /** The metadata offset of the last change; 0 for the flag fallback. */
  readonly epoch: bigint;
}

/** The finalized features to advertise now: the image's, or the flag's when the image has none. */
export function advertisedFeatures(
  image: { readonly finalizedFeatures: ReadonlyMap<string, number>; readonly featuresEpoch: bigint },
  transactionVersionFlag: number,
): FinalizedFeatures {
  if (image.finalizedFeatures.size > 0) return { levels: image.finalizedFeatures, epoch: image.featuresEpoch };
  const levels = new Map<string, number>();
  if (transactionVersionFlag > 0) levels.set(transactionVersionFeature, transactionVersionFlag);
  return { levels, epoch: 0n };
}

export function apiVersionsHandler(served: ReadonlySet<number>, features: () => FinalizedFeatures): Handler<18> {
  const apiKeys = advertisedApis
    .filter((a) => served.has(a.apiKey))
    .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  const supported = [...supportedFeatures].map(([name, r]) => ({
    name,
    minVersion: r.minVersion,
    maxVersion: r.maxVersion,
  }));
  const supportedV3 = supported.filter((f) => f.minVersion > 0);
  return {
    apiKey: 18,
    minVersion: 0,
    maxVersion: 4,
    async handle(_request: unknown, context: RequestContext): Promise<ApiVersionsResponse> {
      const finalized = features();
      return {
        errorCode: ErrorCode.NONE,
        apiKeys,
        throttleTimeMs: 0,
        supportedFeatures: context.header.apiVersion >= 4 ? supported : supportedV3,
        finalizedFeaturesEpoch: finalized.epoch,
        finalizedFeatures: [...finalized.levels]
          .filter(([, level]) => level > 0)
          .map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
        zkMigrationReady: false,
      };
    },
  };
}
