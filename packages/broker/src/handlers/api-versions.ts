/**
 * ApiVersions (key 18, v0-4). Every broker advertises the same table: the
 * recommended ranges of the protocol package, limited to the APIs this
 * broker has handlers for. Unsupported ApiVersions versions never reach
 * here; the request processor answers them with the v0-format error.
 *
 * v3+ also lists features (KIP-584). Runnel supports `transaction.version`
 * 0-2 (listed as supported from v4 only: a minimum of 0 breaks older Java
 * clients, so Kafka leaves such features out of v3 answers) and finalizes the level the broker is configured with
 * (`transaction.version`, default 2): clients that read it (the Java
 * producer since 4.0) use transaction version 2 (KIP-890 part 2: an epoch
 * bump per transaction, partitions added through Produce v12 and
 * TxnOffsetCommit v5) at level 2 and version 1 below. Level 0 is not listed
 * as finalized, as Kafka lists no feature at level 0. Every broker of a
 * cluster must be given the same level: until features are finalized
 * through the metadata log (issue 14), the epoch is a constant 0 and a
 * client keeps the first answer it saw.
 */
import { type ApiVersionsResponse, advertisedApis, ErrorCode } from '@runnel/protocol';
import type { Handler, RequestContext } from './handler.ts';

export const transactionVersionFeature = 'transaction.version';
/** The highest transaction version this broker can serve. */
export const transactionVersionMax = 2;

export interface AdvertisedFeatures {
  /** The finalized `transaction.version` level, 0..transactionVersionMax. */
  readonly transactionVersion: number;
}

export function apiVersionsHandler(served: ReadonlySet<number>, features: AdvertisedFeatures): Handler<18> {
  const apiKeys = advertisedApis
    .filter((a) => served.has(a.apiKey))
    .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  const level = features.transactionVersion;
  const supportedFeatures = [{ name: transactionVersionFeature, minVersion: 0, maxVersion: transactionVersionMax }];
  const finalizedFeatures =
    level > 0 ? [{ name: transactionVersionFeature, maxVersionLevel: level, minVersionLevel: level }] : [];
  return {
    apiKey: 18,
    minVersion: 0,
    maxVersion: 4,
    async handle(_request: unknown, context: RequestContext): Promise<ApiVersionsResponse> {
      return {
        errorCode: ErrorCode.NONE,
        apiKeys,
        throttleTimeMs: 0,
        supportedFeatures: context.header.apiVersion >= 4 ? supportedFeatures : [],
        finalizedFeaturesEpoch: 0n,
        finalizedFeatures,
        zkMigrationReady: false,
      };
    },
  };
}
