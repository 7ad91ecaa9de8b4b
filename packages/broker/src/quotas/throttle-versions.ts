/**
 * KIP-219: from these versions on, a client reads `throttle_time_ms` and
 * waits that long itself, so the broker answers at once and then mutes the
 * connection. Older versions get their answer held back by the throttle
 * time instead. (Kafka's shouldClientThrottle per response type; every
 * flexible version postdates KIP-219, so those back off too.)
 */
import { apiDefByKey, inVersions } from '@runnel/protocol';

const firstClientThrottledVersion: ReadonlyMap<number, number> = new Map([
  [0, 6], // Produce
  [1, 8], // Fetch
  [19, 3], // CreateTopics
  [20, 2], // DeleteTopics
  [37, 1], // CreatePartitions
]);

export function respondsWithThrottleFirst(apiKey: number, apiVersion: number): boolean {
  const first = firstClientThrottledVersion.get(apiKey);
  if (first !== undefined) return apiVersion >= first;
  return inVersions(apiDefByKey(apiKey)?.response.flexibleVersions, apiVersion);
}
