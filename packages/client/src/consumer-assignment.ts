/**
 * Reads a consumer group member's assignment: the opaque SyncGroup bytes
 * that DescribeGroups hands back for groups whose protocol type is
 * "consumer". Admin tools need it to say which member owns a partition.
 *
 * Grammar (ConsumerProtocolAssignment, never flexible, every version 0-3):
 *   version    int16
 *   partitions int32 count, then per topic:
 *                topic      int16 length + UTF-8 bytes
 *                partitions int32 count, then int32 each
 *   userData   nullable bytes (not read)
 * Versions only ever append fields, so a newer version parses with this
 * layout too.
 */

export interface AssignedPartitions {
  topic: string;
  partitions: number[];
}

/** The member's topic-partitions, or null when the bytes are empty or not an assignment. */
export function decodeConsumerAssignment(bytes: Buffer): AssignedPartitions[] | null {
  const reader = new BoundedReader(bytes);
  const version = reader.int16();
  if (version === null || version < 0) return null;
  const topicCount = reader.int32();
  // A topic entry takes at least six bytes: a count beyond that is garbage, not a huge assignment.
  if (topicCount === null || topicCount < 0 || topicCount > reader.remaining / 6) return null;
  const out: AssignedPartitions[] = [];
  for (let i = 0; i < topicCount; i++) {
    const topic = reader.string();
    const count = reader.int32();
    if (topic === null || count === null || count < 0 || count > reader.remaining / 4) return null;
    const partitions: number[] = [];
    for (let j = 0; j < count; j++) partitions.push(reader.int32() ?? -1);
    out.push({ topic, partitions });
  }
  return out;
}

/** Encodes a v0 assignment without user data; for tests and tools. */
export function encodeConsumerAssignment(assigned: readonly AssignedPartitions[]): Buffer {
  const parts: Buffer[] = [int16(0), int32(assigned.length)];
  for (const a of assigned) {
    const name = Buffer.from(a.topic, 'utf8');
    parts.push(int16(name.length), name, int32(a.partitions.length), ...a.partitions.map(int32));
  }
  parts.push(int32(-1)); // userData: null
  return Buffer.concat(parts);
}

function int16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** Reads that answer null instead of throwing past the end: the bytes come from another client. */
class BoundedReader {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get remaining(): number {
    return this.#bytes.length - this.#at;
  }

  int16(): number | null {
    if (this.remaining < 2) return null;
    const value = this.#bytes.readInt16BE(this.#at);
    this.#at += 2;
    return value;
  }

  int32(): number | null {
    if (this.remaining < 4) return null;
    const value = this.#bytes.readInt32BE(this.#at);
    this.#at += 4;
    return value;
  }

  string(): string | null {
    const length = this.int16();
    if (length === null || length < 0 || length > this.remaining) return null;
    const value = this.#bytes.toString('utf8', this.#at, this.#at + length);
    this.#at += length;
    return value;
  }
}

/*
 * A member's subscription (ConsumerProtocolSubscription v0, never flexible), the JoinGroup metadata of the
 * "consumer" protocol:
 *   version  int16 = 0
 *   topics   int32 count, then per topic: int16 length + UTF-8 bytes
 *   userData nullable bytes (int32 -1: null)
 */

export function encodeSubscription(topics: readonly string[]): Buffer {
  const names = topics.map((t) => Buffer.from(t, 'utf8'));
  const out = Buffer.alloc(2 + 4 + names.reduce((n, b) => n + 2 + b.length, 0) + 4);
  let at = out.writeInt16BE(0, 0);
  at = out.writeInt32BE(names.length, at);
  for (const name of names) {
    at = out.writeInt16BE(name.length, at);
    at += name.copy(out, at);
  }
  out.writeInt32BE(-1, at);
  return out;
}

/** A member's subscribed topics; null when the bytes are not a subscription (that member gets nothing). */
export function decodeSubscription(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  if (metadata.readInt16BE(0) < 0) return null;
  const count = metadata.readInt32BE(2);
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
