/**
 * Byte-rate client quotas, enforced as Kafka enforces them: a Produce's
 * request bytes count against producer_byte_rate, a consumer Fetch's
 * response bytes against consumer_byte_rate, each on the sensor of the
 * quota entity that applies (metadata's resolveQuota: Kafka's 8-level
 * precedence). A request that takes its client over the bound is still
 * answered, at once, with the throttle time in `throttle_time_ms`; the
 * caller then mutes the connection for that long (KIP-219). A throttled
 * Fetch answers no data (its bytes are taken back off the sensor), as
 * Kafka's does. Replica fetches (replica id >= 0) are never throttled.
 *
 * Until SASL exists (issue 17) every connection is Kafka's
 * User:ANONYMOUS, so user quotas match the user "ANONYMOUS" or
 * `<default>`.
 *
 * Owned by Broker; only RequestProcessor calls it. Sensors idle for a
 * whole quota window are dropped, so client ids that come and go do not
 * accumulate.
 */
import type { ClientQuotas, ResolvedQuota } from '@runnel/metadata';
import { resolveQuota } from '@runnel/metadata';
import type { FetchRequest, FetchResponse, ProduceResponse, RecordsData } from '@runnel/protocol';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type QuotaWindow, RateSensor, throttleTimeMs } from './rate-sensor.ts';
import { percentSeconds } from './request-time.ts';

/** The principal every connection has until authentication exists (Kafka's User:ANONYMOUS). */
export const anonymousUser = 'ANONYMOUS';

const int32Max = 2 ** 31 - 1;
const produceKey = 0;
const fetchKey = 1;

type QuotaType = 'Produce' | 'Fetch' | 'Request';
type Labels = { quota_type: QuotaType; user: string; client_id: string };

export interface ClientQuotaManagerOptions {
  readonly window: QuotaWindow;
  /** The quotas of the broker's current metadata image. */
  readonly quotas: () => ClientQuotas;
  readonly registry: Registry;
  readonly nowMs?: () => number;
}

export class ClientQuotaManager {
  readonly #window: QuotaWindow;
  readonly #quotas: () => ClientQuotas;
  readonly #nowMs: () => number;
  readonly #sensors = new Map<string, { sensor: RateSensor; labels: Labels }>();
  readonly #byteRate: Gauge<'quota_type' | 'user' | 'client_id'>;
  readonly #requestPercent: Gauge<'quota_type' | 'user' | 'client_id'>;
  readonly #throttleMs: Counter<'quota_type' | 'user' | 'client_id'>;
  readonly #throttled: Counter<'quota_type' | 'user' | 'client_id'>;
  #lastSweepMs = 0;
  /** Resolutions for the quotas they were made from (the image shares the map until a quota record changes it). */
  #resolvedFrom: ClientQuotas | null = null;
  readonly #resolved = new Map<string, ResolvedQuota | null>();

  constructor(options: ClientQuotaManagerOptions) {
    this.#window = options.window;
    this.#quotas = options.quotas;
    this.#nowMs = options.nowMs ?? Date.now;
    const registers = [options.registry];
    const labelNames = ['quota_type', 'user', 'client_id'] as const;
    this.#byteRate = new Gauge({
      name: 'kafka_server_client_quota_byte_rate',
      help: 'Bytes per second of a quota entity over the quota window, at its last request (entities with a quota only)',
      labelNames,
      registers,
    });
    this.#requestPercent = new Gauge({
      name: 'kafka_server_client_quota_request_percentage',
      help: 'Event-loop time of a quota entity as a percentage of one thread over the quota window (request_percentage)',
      labelNames,
      registers,
    });
    this.#throttleMs = new Counter({
      name: 'kafka_server_client_quota_throttle_time_ms_total',
      help: 'Milliseconds of throttle time given to a quota entity',
      labelNames,
      registers,
    });
    this.#throttled = new Counter({
      name: 'kafka_server_client_quota_throttled_requests_total',
      help: 'Requests answered with a throttle time, by quota entity',
      labelNames,
      registers,
    });
  }

  /** How long a sensor may sit idle before it is dropped: its samples have all expired by then. */
  get #idleMs(): number {
    return this.#window.samples * this.#window.windowMs;
  }

  /**
   * The most a consumer Fetch of `clientId` may carry: what its quota allows
   * over the rate's minimum window, as Kafka caps it, so one response never
   * exceeds the quota by itself (it would be throttled, emptied and asked
   * again forever). Unbounded without a quota.
   */
  fetchBytesMax(clientId: string): number {
    const quota = this.#resolve(clientId, 'consumer_byte_rate');
    if (quota === null) return Number.MAX_SAFE_INTEGER;
    return Math.max(1, Math.floor((quota.bound * (this.#window.samples - 1) * this.#window.windowMs) / 1000));
  }

  /**
   * Records a handled request against its client's byte-rate quota and
   * writes the throttle time into `response` (a Fetch over quota loses its
   * data). Returns the throttle time: 0 when the client is within its quota
   * or has none.
   */
  throttle(apiKey: number, clientId: string, request: unknown, response: unknown, requestBytes: number): number {
    if (apiKey === produceKey) {
      const ms = this.#record('Produce', 'producer_byte_rate', clientId, requestBytes);
      const produce = response as ProduceResponse | null;
      if (ms > 0 && produce !== null) produce.throttleTimeMs = Math.max(produce.throttleTimeMs ?? 0, ms);
      return ms;
    }
    if (apiKey !== fetchKey || response === null) return 0;
    const fetch = request as FetchRequest;
    if ((fetch.replicaId ?? -1) >= 0 || (fetch.replicaState?.replicaId ?? -1) >= 0) return 0;
    const answer = response as FetchResponse;
    const bytes = fetchResponseBytes(answer);
    const ms = this.#record('Fetch', 'consumer_byte_rate', clientId, bytes);
    if (ms > 0) {
      // Kafka answers a throttled fetch with no data, and those bytes were never sent.
      this.#unrecord('consumer_byte_rate', clientId, bytes);
      answer.responses = [];
      answer.throttleTimeMs = Math.max(answer.throttleTimeMs, ms);
    }
    return ms;
  }

  /**
   * Charges `ms` of event-loop time to the client's request_percentage
   * quota; returns the throttle time, bounded by one quota window as
   * Kafka bounds its request-time throttle.
   */
  recordRequestTime(clientId: string, ms: number): number {
    return this.#record('Request', 'request_percentage', clientId, percentSeconds(ms));
  }

  #record(type: QuotaType, key: string, clientId: string, bytes: number): number {
    const quota = this.#resolve(clientId, key);
    if (quota === null) return 0;
    const now = this.#nowMs();
    this.#sweep(now);
    const id = `${key}\u0000${quota.user}\u0000${quota.clientId}`;
    let entry = this.#sensors.get(id);
    if (entry === undefined) {
      entry = {
        sensor: new RateSensor(this.#window),
        labels: { quota_type: type, user: quota.user, client_id: quota.clientId },
      };
      this.#sensors.set(id, entry);
    }
    const { sensor, labels } = entry;
    sensor.record(bytes, now);
    const rate = sensor.rate(now);
    (type === 'Request' ? this.#requestPercent : this.#byteRate).set(labels, rate);
    // Byte rates: uncapped but for the wire's int32, as Kafka's (a huge request pays its whole debt);
    // request time: at most one window, as Kafka's.
    const maxMs = type === 'Request' ? this.#window.windowMs : int32Max;
    const ms = throttleTimeMs(rate, quota.bound, sensor.windowSizeMs(now), maxMs);
    if (ms > 0) {
      this.#throttleMs.inc(labels, ms);
      this.#throttled.inc(labels);
    }
    return ms;
  }

  /** resolveQuota, memoized per client id and key: three lookups per request otherwise allocate on the hot path. */
  #resolve(clientId: string, key: string): ResolvedQuota | null {
    const quotas = this.#quotas();
    if (quotas.size === 0) return null;
    // Bounded: a client inventing client ids only refills it.
    if (quotas !== this.#resolvedFrom || this.#resolved.size >= 10_000) {
      this.#resolvedFrom = quotas;
      this.#resolved.clear();
    }
    const id = `${key}\u0000${clientId}`;
    let quota = this.#resolved.get(id);
    if (quota === undefined) {
      quota = resolveQuota(quotas, anonymousUser, clientId, key);
      this.#resolved.set(id, quota);
    }
    return quota;
  }

  #unrecord(key: string, clientId: string, bytes: number): void {
    const quota = this.#resolve(clientId, key);
    if (quota === null) return;
    this.#sensors.get(`${key}\u0000${quota.user}\u0000${quota.clientId}`)?.sensor.record(-bytes, this.#nowMs());
  }

  #sweep(now: number): void {
    const idleMs = this.#idleMs;
    if (now - this.#lastSweepMs < idleMs) return;
    this.#lastSweepMs = now;
    for (const [id, { sensor, labels }] of this.#sensors) {
      if (now - sensor.lastRecordMs < idleMs) continue;
      // Its series go too, so many short-lived client ids do not grow /metrics without bound.
      this.#sensors.delete(id);
      this.#byteRate.remove(labels);
      this.#requestPercent.remove(labels);
      this.#throttleMs.remove(labels);
      this.#throttled.remove(labels);
    }
  }
}

function recordsBytes(records: RecordsData | null): number {
  if (records === null) return 0;
  if (Buffer.isBuffer(records)) return records.length;
  let n = 0;
  for (const b of records) n += b.length;
  return n;
}

/** The record bytes a Fetch response carries (what Kafka counts, less a few header bytes). */
export function fetchResponseBytes(response: FetchResponse): number {
  let n = 0;
  for (const t of response.responses) for (const p of t.partitions) n += recordsBytes(p.records);
  return n;
}
