/**
 * Just enough of the consumer protocol's subscription (the opaque JoinGroup
 * metadata of groups whose protocol type is "consumer") to know which
 * topics a group reads: OffsetDelete refuses those, and offset expiry
 * spares them.
 *
 * Grammar (ConsumerProtocolSubscription, never flexible, all versions):
 *   version int16
 *   topics  int32 count, then per topic: int16 length + UTF-8 bytes
 *   ...     userData (v0+), ownedPartitions (v1+), generationId (v2+),
 *           rackId (v3+): not read, so newer versions decode too.
 */

/** The topics of one member's subscription, or null when the bytes are not a subscription. */
export function decodeSubscriptionTopics(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  const version = metadata.readInt16BE(0);
  if (version < 0) return null;
  const count = metadata.readInt32BE(2);
  // Each topic takes at least two bytes, so a count beyond that is garbage, not a huge subscription.
  if (count < 0 || count > (metadata.length - 6) / 2) return null;
  const topics: string[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > metadata.length) return null;
    const length = metadata.readInt16BE(at);
    at += 2;
    if (length < 0 || at + length > metadata.length) return null;
    topics.push(metadata.toString('utf8', at, at + length));
    at += length;
  }
  return topics;
}

/** Encodes a v0 subscription with no user data; for tests and tools. */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const names = topics.map((t) => Buffer.from(t, 'utf8'));
  const out = Buffer.alloc(2 + 4 + names.reduce((n, b) => n + 2 + b.length, 0) + 4);
  let at = out.writeInt16BE(0, 0);
  at = out.writeInt32BE(names.length, at);
  for (const name of names) {
    at = out.writeInt16BE(name.length, at);
    at += name.copy(out, at);
  }
  out.writeInt32BE(-1, at); // userData: null
  return out;
}
