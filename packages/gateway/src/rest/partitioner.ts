/**
 * Kafka's default partitioner for keyed records: the 32-bit murmur2 hash
 * (seed 0x9747b28c, as Kafka's `Utils.murmur2`) of the key's bytes, made
 * positive by clearing the sign bit (`Utils.toPositive`), modulo the
 * partition count. The Java producer, librdkafka's `murmur2` and
 * `murmur2_random` partitioners and kafkajs's JavaCompatiblePartitioner
 * all pick this partition, so a record produced through the REST Proxy
 * lands where a Kafka client would put the same key, and the console finds
 * a key by reading only that partition. Pure; shared by REST produce and
 * the console.
 */

const seed = 0x9747b28c;
const m = 0x5bd1e995;

/** Kafka's murmur2 of `bytes`, as the signed 32-bit int Java's `Utils.murmur2` returns. */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  let h = (seed ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    // Little-endian 4-byte chunks; Math.imul keeps the products 32-bit as Java's int arithmetic does.
    let k = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail bytes fall through from the highest, as the switch in Kafka's implementation does.
  const rest = length & 3;
  if (rest === 3) h ^= (bytes[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (bytes[whole + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= bytes[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner gives a record with this key among `partitions` partitions. */
export function partitionForKey(key: Uint8Array, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partition count ${partitions}`);
  return (murmur2(key) & 0x7fffffff) % partitions;
}
