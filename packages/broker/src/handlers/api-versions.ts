/**
 * ApiVersions (key 18, v0-3). Every broker advertises the same table: the
 * recommended ranges of the protocol package, limited to the APIs this
 * broker has handlers for. Unsupported ApiVersions versions never reach
 * here; the request processor answers them with the v0-format error.
 */
import { type ApiVersionsResponse, advertisedApis, ErrorCode } from '@runnel/protocol';
import type { Handler } from './handler.ts';

export function apiVersionsHandler(served: ReadonlySet<number>): Handler<18> {
  const apiKeys = advertisedApis
    .filter((a) => served.has(a.apiKey))
    .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  return {
    apiKey: 18,
    minVersion: 0,
    maxVersion: 3,
    async handle(): Promise<ApiVersionsResponse> {
      return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 };
    },
  };
}
