/**
 * Kafka's default partitioner for keyed records, as the Java client (and
 * librdkafka's `murmur2_random`, kafkajs's default) places them: the 32-bit
 * murmur2 hash of the key bytes (seed 0x9747b28c), made positive by masking
 * the sign bit, modulo the partition count. Producing through the REST Proxy
 * places keyed records with it, and the console's key search reads only the
 * partition it names.
 */

const seed = 0x9747b28c;
const m = 0x5bd1e995;

/** Kafka's `Utils.murmur2`: a signed 32-bit hash, equal to the Java client's for the same bytes. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (seed ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail falls through from three bytes to one, as Java's switch does.
  const tail = length & 3;
  if (tail >= 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (tail >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (tail >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner gives a non-null key among `partitions` (at least 1). */
export function kafkaPartitionForKey(keyBytes: Uint8Array, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be >= 1, got ${partitions}`);
  return (murmur2(keyBytes) & 0x7fffffff) % partitions;
}
