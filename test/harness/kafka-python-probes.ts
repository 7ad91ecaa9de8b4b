/**
 * How kafka-python (2.1 and later, the 3.x line the compat round runs)
 * decides which Kafka release a broker is: it does not ask, it walks a
 * newest-first list of "the first Kafka release that served API X at
 * version N" and takes the first release whose (X, N) the ApiVersions answer
 * covers. Its suites gate tests on that release (4.0 turns on the 4.x
 * paths). These are the top rows of that list, as facts about Kafka
 * releases in Runnel's own words; if a row stops matching, kafka-python
 * takes Runnel for an older Kafka.
 */
export const kafkaPythonReleaseProbes: readonly { release: string; apiKey: number; version: number }[] = [
  // ListOffsets v10 (timeoutMs, KIP-1075) first shipped in Kafka 4.0.
  { release: '4.0', apiKey: 2, version: 10 },
  // Fetch v17 (replica directory id, KIP-853) first shipped in 3.9.
  { release: '3.9', apiKey: 1, version: 17 },
  // Produce v11 (TRANSACTION_ABORTABLE, KIP-890) first shipped in 3.8.
  { release: '3.8', apiKey: 0, version: 11 },
  // Fetch v16 (leader hints, KIP-951) first shipped in 3.7.
  { release: '3.7', apiKey: 1, version: 16 },
];

/** The release the newest-first walk concludes from an ApiVersions answer's key ranges. */
export function kafkaPythonInferredRelease(
  apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[],
): string {
  for (const probe of kafkaPythonReleaseProbes) {
    const range = apiKeys.find((a) => a.apiKey === probe.apiKey);
    if (range && range.minVersion <= probe.version && probe.version <= range.maxVersion) return probe.release;
  }
  return 'older than 3.7';
}
