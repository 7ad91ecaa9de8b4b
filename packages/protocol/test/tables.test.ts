import { describe, expect, it } from 'vitest';
import {
  ApiKeys,
  advertisedApis,
  apiDefs,
  ErrorCode,
  errorDescription,
  errorName,
  isRetriable,
  parseVersions,
} from '../src/index.ts';

/**
 * APIs whose definitions run ahead of the advertised table, by key, with the
 * range they are defined for: Kafka 4.1's, ahead of the versions the
 * handlers serve (the broker serves only what a handler declares).
 */
const definedAhead: ReadonlyMap<number, { min: number; max: number }> = new Map([]);

describe('advertised ApiVersions table', () => {
  it('every advertised API has a definition whose request and response cover its range', () => {
    for (const api of advertisedApis) {
      const def = apiDefs.find((d) => d.apiKey === api.apiKey);
      expect(def?.name, `key ${api.apiKey}`).toBe(api.name);
      for (const m of [def?.request, def?.response]) {
        const range = parseVersions(m?.validVersions ?? 'none');
        expect(range.min, `${m?.name}`).toBeLessThanOrEqual(api.minVersion);
        expect(range.max, `${m?.name}`).toBeGreaterThanOrEqual(api.maxVersion);
      }
    }
  });

  it('a definition covers exactly the advertised range unless it is listed as defined ahead', () => {
    for (const def of apiDefs) {
      const advertised = advertisedApis.find((a) => a.apiKey === def.apiKey);
      const fromTable = advertised && { min: advertised.minVersion, max: advertised.maxVersion };
      const expected = definedAhead.get(def.apiKey) ?? fromTable;
      for (const m of [def.request, def.response]) {
        expect(parseVersions(m.validVersions), m.name).toEqual(expected);
      }
    }
    // Nothing listed ahead is missing or merely equal to the table.
    for (const [key, range] of definedAhead) {
      expect(
        apiDefs.some((d) => d.apiKey === key),
        `key ${key}`,
      ).toBe(true);
      const advertised = advertisedApis.find((a) => a.apiKey === key);
      expect(advertised && { min: advertised.minVersion, max: advertised.maxVersion }, `key ${key}`).not.toEqual(range);
    }
  });

  it('keeps the floors that librdkafka 2.0.2 and kafka-python pin', () => {
    const range = (key: number) => advertisedApis.find((a) => a.apiKey === key);
    // librdkafka 2.0.2 pins Produce 3 and 7, and compresses gzip/snappy/lz4 only if Produce 0 is in range;
    // v8 adds the per-partition errorMessage (KIP-467), v10 the leader hints (KIP-951), v11 TRANSACTION_ABORTABLE,
    // v12 transaction version 2 (KIP-890 part 2), v13 topic ids (KIP-516).
    expect(range(ApiKeys.Produce)).toMatchObject({ minVersion: 0, maxVersion: 13 });
    expect(range(ApiKeys.Fetch)).toMatchObject({ minVersion: 4 });
    expect(range(ApiKeys.FindCoordinator)).toMatchObject({ minVersion: 0 });
    expect(range(ApiKeys.Metadata)).toMatchObject({ minVersion: 0 });
    expect(range(ApiKeys.ApiVersions)).toMatchObject({ minVersion: 0, maxVersion: 4 });
  });
});

describe('error codes', () => {
  it('names, retriability and descriptions come from one table', () => {
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(errorName(6)).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(errorName(-1)).toBe('UNKNOWN_SERVER_ERROR');
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_9999');
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED)).toBe(false);
    expect(errorDescription(ErrorCode.NONE)).toBe('No error.');
  });

  it('codes are unique and contiguous from -1 to the highest', () => {
    const codes = Object.values(ErrorCode).sort((a, b) => a - b);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]).toBe(-1);
    expect(codes).toEqual(Array.from({ length: codes.length }, (_, i) => i - 1));
    for (const c of codes) expect(errorDescription(c)).not.toMatch(/^Unknown error code/);
  });
});
