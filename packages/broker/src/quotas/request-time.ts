/**
 * What request_percentage counts here, and where the throttle goes.
 *
 * Kafka's request-time quota charges a client for the time its requests
 * hold the broker's network and I/O threads, as a percentage of one thread
 * (200 = two threads' worth). Runnel serves every request on one event
 * loop, so it charges the event-loop time a request takes while nothing
 * else can run: decoding it, the handler's synchronous part (up to its
 * first wait: a parked fetch or a disk write waits on the loop's behalf,
 * holding no thread, as Kafka's purgatory holds none) and encoding the
 * answer (charged after it is sent, as Kafka charges network-thread time).
 */
import { apiDefByKey, inVersions } from '@runnel/protocol';

/** Kafka's exemptions: ApiVersions (clients must learn versions to read throttle times at all). */
const exemptKeys: ReadonlySet<number> = new Set([18]);

export function requestTimeExempt(apiKey: number): boolean {
  return exemptKeys.has(apiKey);
}

/** Milliseconds of event loop as request_percentage's unit: percent-seconds of one thread. */
export function percentSeconds(ms: number): number {
  return ms / 10;
}

/** Whether this response version carries throttle_time_ms (some old ones, like Metadata v0-2, do not). */
export function hasThrottleField(apiKey: number, apiVersion: number): boolean {
  const field = apiDefByKey(apiKey)?.response.fields.find((f) => f.name === 'throttleTimeMs');
  return field !== undefined && inVersions(field.versions, apiVersion);
}
