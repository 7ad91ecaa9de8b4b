/**
 * Kafka's default partitioner for keyed records, so a record produced
 * through the REST Proxy lands on the partition a Java (or librdkafka with
 * `partitioner=murmur2_random`) producer would choose for the same key:
 * the 32-bit murmur2 hash (seed 0x9747b28c) of the key bytes, made positive
 * by masking the sign bit (not Math.abs), modulo the partition count.
 * Pure; shared by the v2 and v3 produce routes.
 */

const seed = 0x9747b28c;
const m = 0x5bd1e995;

/** Kafka's `Utils.murmur2`: a signed 32-bit hash of the bytes. */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = (seed ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (bytes[i]! & 0xff) | ((bytes[i + 1]! & 0xff) << 8) | ((bytes[i + 2]! & 0xff) << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail: Java's switch falls through from 3 to 1.
  const rest = length & 3;
  if (rest === 3) h ^= (bytes[whole + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (bytes[whole + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= bytes[whole]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a non-null key among `partitions` partitions. */
export function kafkaPartitionForKey(keyBytes: Uint8Array, partitions: number): number {
  return (murmur2(keyBytes) & 0x7fffffff) % partitions;
}
