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

describe('advertised ApiVersions table', () => {
  it('every advertised API has a definition whose request and response cover exactly its range', () => {
    expect(apiDefs.map((d) => d.apiKey).sort((a, b) => a - b)).toEqual(advertisedApis.map((a) => a.apiKey));
    for (const api of advertisedApis) {
      const def = apiDefs.find((d) => d.apiKey === api.apiKey);
      expect(def?.name, `key ${api.apiKey}`).toBe(api.name);
      for (const m of [def?.request, def?.response]) {
        expect(parseVersions(m?.validVersions ?? 'none'), `${m?.name}`).toEqual({
          min: api.minVersion,
          max: api.maxVersion,
        });
      }
    }
  });

  it('keeps the floors that librdkafka 2.0.2 and kafka-python pin', () => {
    const range = (key: number) => advertisedApis.find((a) => a.apiKey === key);
    // librdkafka 2.0.2 pins Produce 3 and 7, and compresses gzip/snappy/lz4 only if Produce 0 is in range;
    // v8 adds the per-partition errorMessage (KIP-467).
    expect(range(ApiKeys.Produce)).toMatchObject({ minVersion: 0, maxVersion: 8 });
    expect(range(ApiKeys.Fetch)).toMatchObject({ minVersion: 4 });
    expect(range(ApiKeys.FindCoordinator)).toMatchObject({ minVersion: 0 });
    expect(range(ApiKeys.Metadata)).toMatchObject({ minVersion: 0 });
    expect(range(ApiKeys.ApiVersions)).toMatchObject({ minVersion: 0, maxVersion: 3 });
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
