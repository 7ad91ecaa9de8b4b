import { describe, expect, it } from 'vitest';
import {
  type AdmissionLimits,
  admitConnection,
  type ConnectionActivity,
  connectionExpiry,
  connectionLimitUnlimited,
  creationDelay,
  creationRateStart,
  expirySweepIntervalMs,
  normalizeAddress,
  parsePerIpOverrides,
} from '../src/connection-limits.ts';

const limits = (overrides: Record<string, number> = {}): AdmissionLimits => ({
  connectionsMax: 10,
  connectionsPerIpMax: 3,
  connectionsPerIpOverrides: new Map(Object.entries(overrides)),
});

describe('admitConnection', () => {
  it('accepts below both limits and refuses an address at max.connections.per.ip', () => {
    expect(admitConnection('10.0.0.1', 2, 5, limits())).toEqual({ kind: 'accept' });
    expect(admitConnection('10.0.0.1', 3, 5, limits())).toEqual({ kind: 'refuse', reason: 'per_ip', limit: 3 });
  });

  it('refuses any address once the listener holds max.connections', () => {
    expect(admitConnection('10.0.0.2', 0, 10, limits())).toEqual({
      kind: 'refuse',
      reason: 'max_connections',
      limit: 10,
    });
  });

  it('an override raises or lowers one address limit, 0 refuses it outright', () => {
    const l = limits({ '10.0.0.9': 5, '10.0.0.8': 0 });
    expect(admitConnection('10.0.0.9', 4, 4, l)).toEqual({ kind: 'accept' });
    expect(admitConnection('10.0.0.8', 0, 0, l)).toEqual({ kind: 'refuse', reason: 'per_ip', limit: 0 });
    expect(admitConnection('10.0.0.1', 3, 3, l).kind).toBe('refuse');
  });
});

describe('normalizeAddress', () => {
  it('counts an IPv4 peer of a dual-stack socket as its IPv4 address', () => {
    expect(normalizeAddress('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress(undefined)).toBe('?');
  });
});

describe('parsePerIpOverrides', () => {
  it("reads Kafka's host:count list, IPv6 by the last colon or in brackets", () => {
    const parsed = parsePerIpOverrides('127.0.0.1:200, hostName:100,::1:7,[fe80::2]:3');
    expect(parsed.ok && [...parsed.value]).toEqual([
      ['127.0.0.1', 200],
      ['hostname', 100],
      ['::1', 7],
      ['fe80::2', 3],
    ]);
    const empty = parsePerIpOverrides('');
    expect(empty.ok && empty.value.size).toBe(0);
  });

  it('refuses entries without a host or a count', () => {
    for (const bad of ['127.0.0.1', ':5', 'host:-1', 'host:x', 'ho#st:3', 'host:99999999999']) {
      expect(parsePerIpOverrides(bad).ok, bad).toBe(false);
    }
  });
});

describe('creationDelay (max.connection.creation.rate)', () => {
  it('lets a second worth of connections through at once, then spaces the rest at the rate', () => {
    let state = creationRateStart;
    const delays: number[] = [];
    for (let i = 0; i < 13; i++) {
      const step = creationDelay(state, 1000, 10);
      delays.push(step.delayMs);
      state = step.state;
    }
    expect(delays.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(delays.slice(10)).toEqual([100, 200, 300]);
  });

  it('forgets a burst once the time it paid for has passed', () => {
    let state = creationRateStart;
    for (let i = 0; i < 20; i++) state = creationDelay(state, 0, 10).state;
    expect(creationDelay(state, 1000, 10).delayMs).toBeGreaterThan(0);
    expect(creationDelay(state, 3000, 10).delayMs).toBe(0);
  });

  it('never delays when the rate is unlimited', () => {
    expect(creationDelay(creationRateStart, 0, connectionLimitUnlimited).delayMs).toBe(0);
    expect(creationDelay(creationRateStart, 0, 0).delayMs).toBe(0);
  });
});

describe('connectionExpiry', () => {
  const expiry = { idleMsMax: 1000, frameReadMsMax: 300 };
  const quiet: ConnectionActivity = { lastActivityMs: 0, inflight: 0, frameStartedMs: null };

  it('closes a connection with nothing in flight and no bytes for connections.max.idle.ms', () => {
    expect(connectionExpiry(quiet, 999, expiry)).toBe('keep');
    expect(connectionExpiry(quiet, 1000, expiry)).toBe('idle');
  });

  it('a request in flight (a parked fetch) is not idleness', () => {
    expect(connectionExpiry({ ...quiet, inflight: 1 }, 5000, expiry)).toBe('keep');
  });

  it('a started frame past its read deadline is closed even while bytes trickle in', () => {
    const trickling = { lastActivityMs: 290, inflight: 0, frameStartedMs: 0 };
    expect(connectionExpiry(trickling, 299, expiry)).toBe('keep');
    expect(connectionExpiry(trickling, 300, expiry)).toBe('deadline');
  });

  it('negative limits disable each check', () => {
    const off = { idleMsMax: -1, frameReadMsMax: -1 };
    expect(connectionExpiry({ lastActivityMs: 0, inflight: 0, frameStartedMs: 0 }, 1e9, off)).toBe('keep');
    expect(connectionExpiry({ ...quiet, frameStartedMs: 0 }, 1000, { ...expiry, frameReadMsMax: -1 })).toBe('idle');
  });

  it('sweeps at a tenth of the shorter limit, between 10 ms and 1 s', () => {
    expect(expirySweepIntervalMs(expiry)).toBe(30);
    expect(expirySweepIntervalMs({ idleMsMax: 600_000, frameReadMsMax: 60_000 })).toBe(1000);
    expect(expirySweepIntervalMs({ idleMsMax: 20, frameReadMsMax: -1 })).toBe(10);
    expect(expirySweepIntervalMs({ idleMsMax: -1, frameReadMsMax: -1 })).toBe(1000);
  });
});
