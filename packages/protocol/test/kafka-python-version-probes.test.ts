import { describe, expect, it } from 'vitest';
import { ApiKeys, advertisedApis } from '../src/index.ts';

/**
 * kafka-python (2.1 and later, the 3.x line the compat round runs) does not
 * read a broker version from the broker: it walks a newest-first list of
 * "the first Kafka release that served API X at version N" and takes the
 * first release whose (X, N) the ApiVersions answer covers. Its suites then
 * gate tests on that release (4.0 turns on the 4.x paths). These are the
 * top rows of that list as facts about Kafka releases, in Runnel's own
 * words; if a row stops matching, kafka-python thinks Runnel is older.
 */
const releaseProbes: readonly { release: string; apiKey: number; version: number }[] = [
  // ListOffsets v10 (timeoutMs, KIP-1075) first shipped in Kafka 4.0.
  { release: '4.0', apiKey: ApiKeys.ListOffsets, version: 10 },
  // Fetch v17 (KIP-853's replica directory id) first shipped in 3.9.
  { release: '3.9', apiKey: ApiKeys.Fetch, version: 17 },
  // Produce v11 (TRANSACTION_ABORTABLE, KIP-890) first shipped in 3.8.
  { release: '3.8', apiKey: ApiKeys.Produce, version: 11 },
  // Fetch v16 (KIP-951) first shipped in 3.7.
  { release: '3.7', apiKey: ApiKeys.Fetch, version: 16 },
];

/** The release a newest-first probe walk concludes from an ApiVersions answer. */
function inferredRelease(advertised: readonly { apiKey: number; minVersion: number; maxVersion: number }[]) {
  for (const probe of releaseProbes) {
    const range = advertised.find((a) => a.apiKey === probe.apiKey);
    if (range && range.minVersion <= probe.version && probe.version <= range.maxVersion) return probe.release;
  }
  return 'older than 3.7';
}

describe('what kafka-python 3.x infers from Runnel ApiVersions answer', () => {
  it('concludes Kafka 4.0, the newest release its probe list knows', () => {
    expect(inferredRelease(advertisedApis)).toBe('4.0');
  });

  it('would conclude 3.9 if ListOffsets stopped at v9: the ListOffsets v10 row is the one that counts', () => {
    const cappedListOffsets = advertisedApis.map((a) =>
      a.apiKey === ApiKeys.ListOffsets ? { ...a, maxVersion: 9 } : a,
    );
    expect(inferredRelease(cappedListOffsets)).toBe('3.9');
  });

  it('every lower probe is covered too, so no cap on one API drops the answer below 3.7', () => {
    for (const probe of releaseProbes) {
      const range = advertisedApis.find((a) => a.apiKey === probe.apiKey);
      expect(range?.maxVersion, `${probe.release}`).toBeGreaterThanOrEqual(probe.version);
      expect(range?.minVersion, `${probe.release}`).toBeLessThanOrEqual(probe.version);
    }
  });
});
