/**
 * KIP-599's controller mutation quota (controller_mutation_rate:
 * partitions created, added or deleted per second), kept on the broker
 * that receives the CreateTopics, CreatePartitions or DeleteTopics, as
 * Kafka keeps it before forwarding to the controller.
 *
 * It is a token bucket, Kafka's choice for this quota so a burst up to the
 * window's worth is allowed and then the rate holds: the bucket holds up
 * to rate * quota.window.num * quota.window.size.seconds tokens, refills
 * at the rate, and each mutated partition takes one; it may go negative,
 * and while it is negative the quota is exceeded, for
 * -tokens / rate seconds.
 *
 * Strict (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+): a
 * topic asked while the quota is exceeded is refused with
 * THROTTLING_QUOTA_EXCEEDED, and the answer carries the throttle time; a
 * topic asked while it is not is accepted whatever its size. Permissive
 * (older versions, whose clients know no such error): every topic is
 * accepted and counted, and the client is throttled instead.
 */
import type { ClientQuotas } from '@runnel/metadata';
import { resolveQuota } from '@runnel/metadata';
import { anonymousUser } from './client-quota-manager.ts';
import type { QuotaWindow } from './rate-sensor.ts';

/** One entity's bucket. Time is passed in, so tests drive it exactly. */
export class TokenBucket {
  readonly #burst: number;
  #rate: number;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerSecond: number, window: QuotaWindow, nowMs: number) {
    this.#rate = ratePerSecond;
    this.#burst = (ratePerSecond * window.samples * window.windowMs) / 1000;
    this.#tokens = this.#burst;
    this.#lastMs = nowMs;
  }

  tokens(nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + (this.#rate * elapsedMs) / 1000);
    this.#lastMs = nowMs;
    return this.#tokens;
  }

  record(value: number, nowMs: number): void {
    this.#tokens = this.tokens(nowMs) - value;
  }

  /** How long until the bucket is no longer negative; 0 when it is not. */
  throttleTimeMs(nowMs: number): number {
    const tokens = this.tokens(nowMs);
    return tokens >= 0 ? 0 : Math.ceil((-tokens / this.#rate) * 1000);
  }

  get ratePerSecond(): number {
    return this.#rate;
  }
}

/** The quota of one request: admit topics, then read the throttle time for the answer. */
export interface MutationQuota {
  /** Strict: false (refuse the topic) when the quota is exceeded, else counts it; permissive: counts it. */
  admit(partitions: number): boolean;
  /** What the answer's throttle_time_ms carries. */
  throttleTimeMs(): number;
}

const unlimited: MutationQuota = { admit: () => true, throttleTimeMs: () => 0 };

/** Owned by Broker; the admin handlers take one MutationQuota per request. */
export class ControllerMutationQuotas {
  readonly #window: QuotaWindow;
  readonly #quotas: () => ClientQuotas;
  readonly #nowMs: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: { window: QuotaWindow; quotas: () => ClientQuotas; nowMs?: () => number }) {
    this.#window = options.window;
    this.#quotas = options.quotas;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  forRequest(clientId: string, strict: boolean): MutationQuota {
    const quota = resolveQuota(this.#quotas(), anonymousUser, clientId, 'controller_mutation_rate');
    if (quota === null) return unlimited;
    const id = `${quota.user}\u0000${quota.clientId}`;
    const now = this.#nowMs();
    let bucket = this.#buckets.get(id);
    // A changed quota starts a fresh bucket at the new rate.
    if (bucket === undefined || bucket.ratePerSecond !== quota.bound) {
      bucket = new TokenBucket(quota.bound, this.#window, now);
      this.#buckets.set(id, bucket);
    }
    this.#forgetFullBuckets(now, id);
    const b = bucket;
    let throttleMs = 0;
    return {
      admit: (partitions) => {
        const at = this.#nowMs();
        if (strict && b.tokens(at) < 0) {
          throttleMs = Math.max(throttleMs, b.throttleTimeMs(at));
          return false;
        }
        b.record(partitions, at);
        if (!strict) throttleMs = Math.max(throttleMs, b.throttleTimeMs(at));
        return true;
      },
      throttleTimeMs: () => throttleMs,
    };
  }

  /** A full bucket is what a new one would be: dropping it keeps the map to entities active lately. */
  #forgetFullBuckets(now: number, keep: string): void {
    if (this.#buckets.size < 1000) return;
    for (const [id, bucket] of this.#buckets) {
      if (
        id !== keep &&
        bucket.tokens(now) >= (bucket.ratePerSecond * this.#window.samples * this.#window.windowMs) / 1000
      ) {
        this.#buckets.delete(id);
      }
    }
  }
}
