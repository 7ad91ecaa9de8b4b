/**
 * The key and value bytes of `__consumer_offsets` records, laid out as
 * Kafka lays them out, so a Runnel log reads like a Kafka one (and tools
 * such as kafka-console-consumer's offsets formatter understand it).
 *
 * Grammar (big-endian; string = int16 length + UTF-8, -1 = null;
 * bytes = int32 length + data; array = int32 count + items):
 *
 *   key   := int16 keyVersion, then
 *            0|1 (offset commit): group string, topic string, partition int32
 *            2   (group metadata): group string
 *   OffsetCommitValue v0..v3 := int16 version, offset int64,
 *            [v3: leaderEpoch int32], metadata string, commitTimestamp int64,
 *            [v1: expireTimestamp int64]
 *   GroupMetadataValue v0..v3 := int16 version, protocolType string,
 *            generation int32, protocol string?, leader string?,
 *            [v2+: currentStateTimestamp int64], members array of
 *            { memberId string, [v3: groupInstanceId string?], clientId string,
 *              clientHost string, [v1+: rebalanceTimeout int32],
 *              sessionTimeout int32, subscription bytes, assignment bytes }
 *   a null value (tombstone) deletes the key.
 *
 * We write keys at versions 1 and 2 and values at v3 (what Kafka 2.1-3.x
 * writes); we read every non-flexible version. Key versions 3+ (the
 * KIP-848 consumer-group records) and flexible values (v4) are not ours to
 * read yet: they decode to 'unknown_version' and the loader skips them.
 */
import { err, ok, type Result } from '@runnel/common';
import type { GroupMetadataValue, MemberMetadata, OffsetCommitValue } from './types.ts';

export const offsetCommitKeyVersion = 1;
export const groupMetadataKeyVersion = 2;
export const offsetCommitValueVersion = 3;
export const groupMetadataValueVersion = 3;

/** One decoded `__consumer_offsets` record; a null value is a tombstone. */
export type OffsetsRecord =
  | {
      readonly type: 'offset_commit';
      readonly groupId: string;
      readonly topic: string;
      readonly partition: number;
      readonly value: OffsetCommitValue | null;
    }
  | { readonly type: 'group_metadata'; readonly groupId: string; readonly value: GroupMetadataValue | null };

export type OffsetsRecordError = 'corrupt' | 'unknown_version';

export function encodeOffsetCommitKey(groupId: string, topic: string, partition: number): Buffer {
  const w = new ByteWriter();
  w.int16(offsetCommitKeyVersion).string(groupId).string(topic).int32(partition);
  return w.finish();
}

export function encodeGroupMetadataKey(groupId: string): Buffer {
  return new ByteWriter().int16(groupMetadataKeyVersion).string(groupId).finish();
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const w = new ByteWriter();
  w.int16(offsetCommitValueVersion).int64(value.offset).int32(value.leaderEpoch);
  return w.string(value.metadata).int64(value.commitTimestampMs).finish();
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new ByteWriter();
  // The field is not nullable on disk: Kafka writes "" for "no protocol type" and reads "" back as none.
  w.int16(groupMetadataValueVersion)
    .string(value.protocolType ?? '')
    .int32(value.generation);
  w.string(value.protocol).string(value.leader).int64(value.currentStateTimestampMs).int32(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId).string(m.groupInstanceId).string(m.clientId).string(m.clientHost);
    w.int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment);
  }
  return w.finish();
}

/** Decodes one record's key and value; never throws on bad input. */
export function decodeOffsetsRecord(key: Buffer, value: Buffer | null): Result<OffsetsRecord, OffsetsRecordError> {
  try {
    const k = new ByteReader(key);
    const version = k.int16();
    if (version === 0 || version === 1) {
      const groupId = k.requiredString();
      const topic = k.requiredString();
      const partition = k.int32();
      k.end();
      const decoded = value === null ? null : decodeOffsetCommitValue(value);
      if (decoded === 'unknown_version') return err('unknown_version', 'offset commit value version');
      return ok({ type: 'offset_commit', groupId, topic, partition, value: decoded });
    }
    if (version === 2) {
      const groupId = k.requiredString();
      k.end();
      const decoded = value === null ? null : decodeGroupMetadataValue(value);
      if (decoded === 'unknown_version') return err('unknown_version', 'group metadata value version');
      return ok({ type: 'group_metadata', groupId, value: decoded });
    }
    return err('unknown_version', `key version ${version}`);
  } catch (error) {
    if (error instanceof CorruptRecord) return err('corrupt', error.message);
    throw error;
  }
}

function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue | 'unknown_version' {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return 'unknown_version';
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.requiredString();
  const commitTimestampMs = r.int64();
  if (version === 1) r.int64(); // expireTimestamp: per-commit retention, gone since KIP-211
  r.end();
  return { offset, leaderEpoch, metadata, commitTimestampMs };
}

function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue | 'unknown_version' {
  const r = new ByteReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) return 'unknown_version';
  const protocolType = r.requiredString();
  const generation = r.int32();
  const protocol = r.string();
  const leader = r.string();
  const currentStateTimestampMs = version >= 2 ? r.int64() : -1n;
  const count = r.int32();
  if (count < 0 || count > buf.length) throw new CorruptRecord(`member count ${count}`);
  const members: MemberMetadata[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.requiredString();
    const groupInstanceId = version >= 3 ? r.string() : null;
    const clientId = r.requiredString();
    const clientHost = r.requiredString();
    const rebalance = version >= 1 ? r.int32() : null;
    const sessionTimeoutMs = r.int32();
    // v0 had one timeout for both, as Kafka reads it.
    const rebalanceTimeoutMs = rebalance ?? sessionTimeoutMs;
    const subscription = r.bytes();
    const assignment = r.bytes();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  r.end();
  return {
    protocolType: protocolType === '' ? null : protocolType,
    generation,
    protocol,
    leader,
    currentStateTimestampMs,
    members,
  };
}

class CorruptRecord extends Error {}

/** Appends fields to a list of chunks; records are small, so simplicity beats one preallocated buffer. */
class ByteWriter {
  readonly #chunks: Buffer[] = [];

  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.#chunks.push(b);
    return this;
  }

  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.#chunks.push(b);
    return this;
  }

  int64(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.#chunks.push(b);
    return this;
  }

  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const data = Buffer.from(v, 'utf8');
    this.int16(data.length);
    this.#chunks.push(data);
    return this;
  }

  bytes(v: Buffer): this {
    this.int32(v.length);
    this.#chunks.push(v);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** Reads fields in order; running past the end or leaving bytes over is a corrupt record. */
class ByteReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  #take(n: number): number {
    if (n < 0 || this.#pos + n > this.#buf.length) throw new CorruptRecord(`field past the end at ${this.#pos}`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  int16(): number {
    return this.#buf.readInt16BE(this.#take(2));
  }

  int32(): number {
    return this.#buf.readInt32BE(this.#take(4));
  }

  int64(): bigint {
    return this.#buf.readBigInt64BE(this.#take(8));
  }

  string(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    const at = this.#take(length);
    return this.#buf.toString('utf8', at, at + length);
  }

  requiredString(): string {
    const s = this.string();
    if (s === null) throw new CorruptRecord('null where a string is required');
    return s;
  }

  bytes(): Buffer {
    const length = this.int32();
    const at = this.#take(length);
    // A copy: the decoded batch the view would point into is not ours to keep.
    return Buffer.from(this.#buf.subarray(at, at + length));
  }

  end(): void {
    if (this.#pos !== this.#buf.length) throw new CorruptRecord(`${this.#buf.length - this.#pos} bytes left over`);
  }
}
