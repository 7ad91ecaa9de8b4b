/**
 * The decisions that keep a listener's connections bounded, as pure
 * functions: whether a new connection is admitted (max.connections,
 * max.connections.per.ip and its overrides), how long a new connection waits
 * under max.connection.creation.rate, and when an open connection is closed
 * (connections.max.idle.ms, the read deadline of a started frame). The
 * Kafka listener (broker) and the HTTP servers of every role call them; they
 * own the counts and the clock, these functions own nothing.
 */
import type { Result } from './result.ts';
import { err, ok } from './result.ts';

export interface AdmissionLimits {
  /** max.connections: open connections of the listener (all addresses). */
  readonly connectionsMax: number;
  /** max.connections.per.ip: open connections from one address, unless overridden. */
  readonly connectionsPerIpMax: number;
  /** max.connections.per.ip.overrides, parsed: address -> its own limit. */
  readonly connectionsPerIpOverrides: ReadonlyMap<string, number>;
}

export type AdmissionVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'refuse'; readonly reason: 'max_connections' | 'per_ip'; readonly limit: number };

/**
 * The form of a peer address that limits and overrides are keyed by: an
 * IPv4 peer of a dual-stack socket (`::ffff:10.0.0.1`) counts as `10.0.0.1`,
 * so one client cannot double its allowance by switching address families.
 */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/** The limit for connections from `address` (already normalized): its override, else max.connections.per.ip. */
export function perIpLimit(address: string, limits: AdmissionLimits): number {
  return limits.connectionsPerIpOverrides.get(address) ?? limits.connectionsPerIpMax;
}

/**
 * Whether a connection from `address` may open, given the connections
 * already open (or waiting to open) from it and in all. The per-address
 * limit is checked first: an address at its own limit is refused for that
 * reason even when the listener is full too, so the log names the culprit.
 */
export function admitConnection(
  address: string,
  openFromAddress: number,
  openTotal: number,
  limits: AdmissionLimits,
): AdmissionVerdict {
  const perIp = perIpLimit(address, limits);
  if (openFromAddress >= perIp) return { kind: 'refuse', reason: 'per_ip', limit: perIp };
  if (openTotal >= limits.connectionsMax)
    return { kind: 'refuse', reason: 'max_connections', limit: limits.connectionsMax };
  return { kind: 'accept' };
}

/**
 * Parses Kafka's max.connections.per.ip.overrides: `host:count` entries
 * separated by commas (`10.0.0.7:50,::1:200`; the count follows the last
 * colon, so IPv6 addresses need no brackets; brackets are accepted too).
 * Runnel matches the host text against the peer's address as the socket
 * reports it (normalized), without resolving host names; the empty string is
 * no overrides.
 */
export function parsePerIpOverrides(text: string): Result<Map<string, number>, 'malformed'> {
  const overrides = new Map<string, number>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    const host = entry
      .slice(0, colon)
      .trim()
      .replace(/^\[(.*)\]$/, '$1');
    const count = entry.slice(colon + 1).trim();
    if (colon <= 0 || host === '' || !/^[0-9A-Za-z._:%-]+$/.test(host)) {
      return err('malformed', `"${entry}" is not host:count`);
    }
    if (!/^\d+$/.test(count) || Number(count) > 2_147_483_647) {
      return err('malformed', `"${entry}" has no connection count from 0 to 2147483647`);
    }
    overrides.set(normalizeAddress(host), Number(count));
  }
  return ok(overrides);
}

/** Kafka's Int.MaxValue, the "unlimited" of its connection limits. */
export const connectionLimitUnlimited = 2_147_483_647;

/**
 * State of the creation-rate limiter, in monotonic milliseconds: the time
 * the connections admitted so far have used up at the rate (a "theoretical
 * arrival time": each one moves it on by 1000 / rate ms). A new connection
 * waits only when that time is more than a burst ahead of now.
 */
export interface CreationRateState {
  readonly nextFreeMs: number;
}

export const creationRateStart: CreationRateState = { nextFreeMs: Number.NEGATIVE_INFINITY };

/**
 * max.connection.creation.rate: how long a new connection waits before it is
 * served. Like Kafka's acceptor, which holds new connections back rather
 * than refusing them, excess connections are delayed, never dropped; up to
 * one second's worth (`rate` connections) may arrive at once without
 * waiting, then they are spread evenly at `rate` per second. A rate of 0 or
 * Int.MaxValue means unlimited.
 */
export function creationDelay(
  state: CreationRateState,
  nowMs: number,
  ratePerSec: number,
): { delayMs: number; state: CreationRateState } {
  if (ratePerSec <= 0 || ratePerSec >= connectionLimitUnlimited) return { delayMs: 0, state };
  const intervalMs = 1000 / ratePerSec;
  const burstMs = 1000 - intervalMs;
  const due = Math.max(state.nextFreeMs, nowMs);
  return { delayMs: Math.max(0, due - burstMs - nowMs), state: { nextFreeMs: due + intervalMs } };
}

/** What a connection has been doing, as its listener records it (monotonic milliseconds). */
export interface ConnectionActivity {
  /** The last time bytes were read from it, or a response was queued or drained to it (Kafka's "last activity"). */
  readonly lastActivityMs: number;
  /** Requests being handled or whose response is not written yet. */
  readonly inflight: number;
  /** When the frame being read began (its first byte arrived), or null between frames. */
  readonly frameStartedMs: number | null;
}

export interface ExpiryLimits {
  /** connections.max.idle.ms; negative: never. */
  readonly idleMsMax: number;
  /** runnel.request.read.timeout.ms: most time a started frame may take to arrive; negative: never. */
  readonly frameReadMsMax: number;
}

export type ExpiryVerdict = 'keep' | 'idle' | 'deadline';

/**
 * Whether an open connection must be closed now. A started frame that has
 * not arrived within its deadline is closed even though bytes trickle in (a
 * slowloris peer would otherwise hold its buffer forever: Kafka's idle timer
 * restarts with every byte). A connection is idle only with nothing in
 * flight: a fetch parked on max.wait.ms or a slow handler is not the peer's
 * idleness. A frame that stopped arriving altogether is idle too (every
 * byte counts as activity), which is what Kafka relies on alone.
 */
export function connectionExpiry(activity: ConnectionActivity, nowMs: number, limits: ExpiryLimits): ExpiryVerdict {
  if (activity.frameStartedMs !== null && limits.frameReadMsMax >= 0) {
    if (nowMs - activity.frameStartedMs >= limits.frameReadMsMax) return 'deadline';
  }
  if (activity.inflight === 0 && limits.idleMsMax >= 0) {
    if (nowMs - activity.lastActivityMs >= limits.idleMsMax) return 'idle';
  }
  return 'keep';
}

/**
 * How often a listener checks its connections for expiry: a tenth of the
 * shorter limit, so a connection outlives its limit by at most 10%, between
 * 10 ms and 1 s (Kafka checks on every poll of its selector).
 */
export function expirySweepIntervalMs(limits: ExpiryLimits): number {
  const set = [limits.idleMsMax, limits.frameReadMsMax].filter((ms) => ms >= 0);
  if (set.length === 0) return 1000;
  return Math.min(1000, Math.max(10, Math.floor(Math.min(...set) / 10)));
}
