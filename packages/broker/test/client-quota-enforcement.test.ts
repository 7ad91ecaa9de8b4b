/**
 * The broker's quota enforcement with exact clocks: byte-rate quotas on
 * Produce and consumer Fetch (throttle written into the response, a
 * throttled fetch answering no data, replica fetches exempt) and KIP-599's
 * token bucket for controller mutations, strict and permissive.
 */
import type { ClientQuotas } from '@runnel/metadata';
import { withClientQuota } from '@runnel/metadata';
import type { FetchResponse, ProduceResponse } from '@runnel/protocol';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ClientQuotaManager } from '../src/quotas/client-quota-manager.ts';
import { ControllerMutationQuotas, TokenBucket } from '../src/quotas/mutation-quota.ts';
import { respondsWithThrottleFirst } from '../src/quotas/throttle-versions.ts';

const window = { samples: 11, windowMs: 1000 };

function manager(quotas: ClientQuotas, clock: { now: number }) {
  return new ClientQuotaManager({ window, quotas: () => quotas, registry: new Registry(), nowMs: () => clock.now });
}

const fetchAnswer = (bytes: number): FetchResponse => ({
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [
    {
      topic: 't',
      topicId: '00000000-0000-0000-0000-000000000000',
      partitions: [
        {
          partitionIndex: 0,
          errorCode: 0,
          highWatermark: 0n,
          lastStableOffset: 0n,
          logStartOffset: 0n,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: Buffer.alloc(bytes),
        },
      ],
    },
  ],
});

describe('byte-rate quotas', () => {
  it('a produce over producer_byte_rate gets the throttle time in its response; another client id is untouched', () => {
    const clock = { now: 0 };
    const quotas = withClientQuota(new Map(), { clientId: 'p' }, 'producer_byte_rate', 1000);
    const m = manager(quotas, clock);
    const response: ProduceResponse = { responses: [], throttleTimeMs: 0 };
    // 10 000 bytes over the 10 s minimum window is exactly the bound: not throttled yet.
    expect(m.throttle(0, 'p', {}, response, 10_000)).toBe(0);
    const ms = m.throttle(0, 'p', {}, response, 10_000);
    expect(ms).toBe(10_000);
    expect(response.throttleTimeMs).toBe(10_000);
    expect(m.throttle(0, 'other', {}, { responses: [] }, 1_000_000)).toBe(0);
    // acks=0: no response, still a throttle for the connection.
    expect(m.throttle(0, 'p', {}, null, 1)).toBeGreaterThan(0);
  });

  it('a consumer fetch over consumer_byte_rate answers no data and its bytes do not count; replica fetches are exempt', () => {
    const clock = { now: 0 };
    const quotas = withClientQuota(new Map(), { clientId: null }, 'consumer_byte_rate', 1000);
    const m = manager(quotas, clock);
    expect(m.throttle(1, 'c', { replicaId: -1 }, fetchAnswer(10_000), 100)).toBe(0);
    const over = fetchAnswer(5000);
    const ms = m.throttle(1, 'c', { replicaId: -1 }, over, 100);
    expect(ms).toBe(5000);
    expect(over.responses).toEqual([]);
    expect(over.throttleTimeMs).toBe(5000);
    // The dropped 5000 bytes were taken back: the same fetch again is throttled as much, not twice as much.
    expect(m.throttle(1, 'c', { replicaId: -1 }, fetchAnswer(5000), 100)).toBe(5000);
    const replica = fetchAnswer(1_000_000);
    expect(m.throttle(1, 'c', { replicaId: 2 }, replica, 100)).toBe(0);
    expect(replica.responses).toHaveLength(1);
  });
});

describe('who backs off itself (KIP-219)', () => {
  it('Produce v6+, Fetch v8+, CreateTopics v3+, DeleteTopics v2+, CreatePartitions v1+ are answered at once; older ones late', () => {
    expect([5, 6].map((v) => respondsWithThrottleFirst(0, v))).toEqual([false, true]);
    expect([7, 8].map((v) => respondsWithThrottleFirst(1, v))).toEqual([false, true]);
    expect([2, 3].map((v) => respondsWithThrottleFirst(19, v))).toEqual([false, true]);
    expect([1, 2].map((v) => respondsWithThrottleFirst(20, v))).toEqual([false, true]);
    expect([0, 1].map((v) => respondsWithThrottleFirst(37, v))).toEqual([false, true]);
    // Others from their flexible versions on: Metadata v9+.
    expect([8, 9].map((v) => respondsWithThrottleFirst(3, v))).toEqual([false, true]);
  });
});

describe('request_percentage', () => {
  it('charges event-loop time as percent of a thread and throttles at most one window', () => {
    const clock = { now: 0 };
    const quotas = withClientQuota(new Map(), { clientId: 'busy' }, 'request_percentage', 10);
    const m = manager(quotas, clock);
    // 1 s of loop over the 10 s minimum window is 10% of a thread: at the bound.
    expect(m.recordRequestTime('busy', 1000)).toBe(0);
    // 20%: twice the bound would mean a 10 s pause; Kafka bounds request-time throttles by one window.
    expect(m.recordRequestTime('busy', 1000)).toBe(1000);
    expect(m.recordRequestTime('idle', 1_000_000)).toBe(0);
  });
});

describe('fetch size under a consumer quota', () => {
  it('is capped at the quota over the minimum window, so one response never exceeds the quota alone', () => {
    const quotas = withClientQuota(new Map(), { clientId: 'c' }, 'consumer_byte_rate', 1000);
    const m = manager(quotas, { now: 0 });
    expect(m.fetchBytesMax('c')).toBe(10_000);
    expect(m.fetchBytesMax('unlimited')).toBe(Number.MAX_SAFE_INTEGER);
    // A response of exactly that size from a fresh sensor is not throttled.
    expect(m.throttle(1, 'c', { replicaId: -1 }, fetchAnswer(10_000), 100)).toBe(0);
  });
});

describe('controller mutation quota (KIP-599)', () => {
  it('a token bucket allows a window’s burst, then refills at the rate', () => {
    const bucket = new TokenBucket(2, window, 0);
    expect(bucket.tokens(0)).toBe(22);
    bucket.record(30, 0);
    expect(bucket.throttleTimeMs(0)).toBe(4000);
    expect(bucket.throttleTimeMs(4000)).toBe(0);
    expect(bucket.tokens(1_000_000)).toBe(22);
  });

  it('strict: a topic asked while the quota is exceeded is refused with the throttle time; permissive: counted and throttled', () => {
    const clock = { now: 0 };
    const quotas = withClientQuota(new Map(), { clientId: 'admin' }, 'controller_mutation_rate', 1);
    const q = new ControllerMutationQuotas({ window, quotas: () => quotas, nowMs: () => clock.now });
    const first = q.forRequest('admin', true);
    expect(first.admit(20)).toBe(true);
    expect(first.throttleTimeMs()).toBe(0);
    const second = q.forRequest('admin', true);
    expect(second.admit(1)).toBe(false);
    expect(second.throttleTimeMs()).toBe(9000);
    const old = q.forRequest('admin', false);
    expect(old.admit(1)).toBe(true);
    expect(old.throttleTimeMs()).toBe(10_000);
    expect(q.forRequest('someone-else', true).admit(1000)).toBe(true);
    clock.now = 10_000;
    expect(q.forRequest('admin', true).admit(1)).toBe(true);
  });
});
