/**
 * Kafka's quota arithmetic (quotas/rate-sensor.ts) with exact clocks: the
 * sampled rate, its minimum window, sample expiry, and the throttle time.
 */
import { describe, expect, it } from 'vitest';
import { RateSensor, throttleTimeMs } from '../src/quotas/rate-sensor.ts';

const window = { samples: 11, windowMs: 1000 };

describe('RateSensor', () => {
  it('spreads a first burst over at least samples - 1 windows', () => {
    const sensor = new RateSensor(window);
    sensor.record(10_000, 0);
    expect(sensor.windowSizeMs(0)).toBe(10_000);
    expect(sensor.rate(0)).toBe(1000);
  });

  it('measures a steady rate exactly once the window is full', () => {
    const sensor = new RateSensor(window);
    // 500 units every 100 ms: 5000/s.
    for (let t = 0; t <= 20_000; t += 100) sensor.record(500, t);
    const rate = sensor.rate(20_000);
    expect(rate).toBeGreaterThan(4900);
    expect(rate).toBeLessThan(5100);
  });

  it('forgets samples older than samples * window', () => {
    const sensor = new RateSensor(window);
    sensor.record(1_000_000, 0);
    expect(sensor.rate(10_999)).toBeGreaterThan(0);
    expect(sensor.rate(11_000)).toBe(0);
  });
});

describe('throttleTimeMs', () => {
  it('is zero at or below the bound', () => {
    expect(throttleTimeMs(100, 100, 10_000, 60_000)).toBe(0);
    expect(throttleTimeMs(50, 100, 10_000, 60_000)).toBe(0);
  });

  it('is (rate - bound) / bound of the window, which brings the rate back to the bound', () => {
    expect(throttleTimeMs(200, 100, 10_000, 60_000)).toBe(10_000);
    expect(throttleTimeMs(150, 100, 11_000, 60_000)).toBe(5500);
  });

  it('is capped', () => {
    expect(throttleTimeMs(1e9, 1, 10_000, 11_000)).toBe(11_000);
  });
});
