/**
 * The version of each API a connection uses: the highest version in both
 * the client's message definitions and the broker's ApiVersions answer.
 */
import type { ApiVersionsResponseApiKey } from '@runnel/protocol';
import { ApiKeys, apiDefs, parseVersions } from '@runnel/protocol';

/**
 * Versions this client defines but does not send, by API key, with why: it
 * uses the highest version below the cap.
 */
const clientCaps: ReadonlyMap<number, number> = new Map([
  // Produce v13 names topics by id (KIP-516); the client's producers name them and need no id lookup.
  [ApiKeys.Produce, 12],
]);

/** Client-side ranges, from the protocol definitions (what this client can encode and decode), capped. */
const clientRanges = new Map<number, { min: number; max: number }>(
  apiDefs.map((def) => {
    const request = parseVersions(def.request.validVersions);
    const response = parseVersions(def.response.validVersions);
    const max = Math.min(request.max, response.max, clientCaps.get(def.apiKey) ?? Number.POSITIVE_INFINITY);
    return [def.apiKey, { min: Math.max(request.min, response.min), max }];
  }),
);

export function clientVersionRange(apiKey: number): { min: number; max: number } | undefined {
  return clientRanges.get(apiKey);
}

/** API key -> chosen version; keys missing from the result are not usable with this broker. */
export function negotiateVersions(brokerApis: readonly ApiVersionsResponseApiKey[]): Map<number, number> {
  const chosen = new Map<number, number>();
  for (const api of brokerApis) {
    const ours = clientRanges.get(api.apiKey);
    if (ours === undefined) continue;
    const max = Math.min(ours.max, api.maxVersion);
    if (max >= Math.max(ours.min, api.minVersion)) chosen.set(api.apiKey, max);
  }
  return chosen;
}
