/**
 * ByteRateLimiter, the reassignment throttle's token bucket, on a clock the
 * test moves by hand: one second's worth to start, refill in proportion to
 * time, capped at one second's worth, debt after a large fetch, and no
 * limit at all for a rate of 0 or less.
 */
import { describe, expect, it } from 'vitest';
import { ByteRateLimiter } from '../src/replication/byte-rate-limiter.ts';

function limiter(bytesPerSec: number, startMs = 1_000): { limiter: ByteRateLimiter; clock: { nowMs: number } } {
  const clock = { nowMs: startMs };
  return { limiter: new ByteRateLimiter(bytesPerSec, () => clock.nowMs), clock };
}

describe('ByteRateLimiter', () => {
  it.each([0, -5])('a rate of %i means unlimited: it always allows, whatever was recorded', (rate) => {
    const { limiter: l } = limiter(rate);
    l.record(1_000_000_000);
    expect(l.allows()).toBe(true);
  });

  it("starts with one second's worth: allows until exactly that much was taken", () => {
    const { limiter: l } = limiter(1000);
    expect(l.allows()).toBe(true);
    l.record(999);
    expect(l.allows()).toBe(true);
    l.record(1);
    expect(l.allows()).toBe(false);
  });

  it('refills at the rate: an empty bucket allows again once any time has passed', () => {
    const { limiter: l, clock } = limiter(1000);
    l.record(1000);
    expect(l.allows()).toBe(false);
    clock.nowMs += 1; // one byte's worth at 1000 B/s
    expect(l.allows()).toBe(true);
  });

  it('a fetch larger than the bucket leaves a debt that takes its bytes over the rate to repay', () => {
    const { limiter: l, clock } = limiter(1000);
    l.record(3000); // 2000 bytes of debt
    clock.nowMs += 2000;
    expect(l.allows()).toBe(false);
    clock.nowMs += 1;
    expect(l.allows()).toBe(true);
  });

  it("an idle spell refills at most one second's worth", () => {
    const { limiter: l, clock } = limiter(1000);
    l.record(1000);
    clock.nowMs += 60_000;
    l.record(1000);
    expect(l.allows()).toBe(false);
  });

  it('a clock that steps back adds nothing', () => {
    const { limiter: l, clock } = limiter(1000);
    l.record(1000);
    clock.nowMs -= 500;
    expect(l.allows()).toBe(false);
  });
});
