/**
 * How kafka-python (2.1 and later, the 3.x line the compat round runs)
 * decides which Kafka release a broker is: it does not ask, it walks a
 * newest-first list of "the first Kafka release that served API X at
 * version N" and takes the first release whose (X, N) the ApiVersions answer
 * covers. Its suites gate tests on that release (4.0 turns on the 4.x
 * paths), and its consumer suite asserts the inferred release equals the
 * broker's (capped at the newest it knows, 4.2), so a Runnel run as Kafka
 * 4.1 must read as 4.1. These are the top rows of that list, as facts about
 * Kafka releases in Runnel's own words; if a row stops matching,
 * kafka-python takes Runnel for an older Kafka. A row may need several
 * (key, version) pairs: 4.1 is the first release that served both Produce
 * v13 and Fetch v18, and whichever of the two kafka-python's 4.1 row names,
 * a broker covering both passes it.
 */
export const kafkaPythonReleaseProbes: readonly {
  release: string;
  needs: readonly { apiKey: number; version: number }[];
}[] = [
  // Produce v13 (topic ids, KIP-516) and Fetch v18 (the follower's high watermark, KIP-1166) first shipped in 4.1.
  {
    release: '4.1',
    needs: [
      { apiKey: 0, version: 13 },
      { apiKey: 1, version: 18 },
    ],
  },
  // ListOffsets v10 (timeoutMs, KIP-1075) first shipped in Kafka 4.0.
  { release: '4.0', needs: [{ apiKey: 2, version: 10 }] },
  // Fetch v17 (replica directory id, KIP-853) first shipped in 3.9.
  { release: '3.9', needs: [{ apiKey: 1, version: 17 }] },
  // Produce v11 (TRANSACTION_ABORTABLE, KIP-890) first shipped in 3.8.
  { release: '3.8', needs: [{ apiKey: 0, version: 11 }] },
  // Fetch v16 (leader hints, KIP-951) first shipped in 3.7.
  { release: '3.7', needs: [{ apiKey: 1, version: 16 }] },
];

/** The release the newest-first walk concludes from an ApiVersions answer's key ranges. */
export function kafkaPythonInferredRelease(
  apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[],
): string {
  const covers = (need: { apiKey: number; version: number }) => {
    const range = apiKeys.find((a) => a.apiKey === need.apiKey);
    return range !== undefined && range.minVersion <= need.version && need.version <= range.maxVersion;
  };
  for (const probe of kafkaPythonReleaseProbes) if (probe.needs.every(covers)) return probe.release;
  return 'older than 3.7';
}
