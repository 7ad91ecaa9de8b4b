/**
 * Key layout and value encodings of the Raft store's `level` database.
 *
 *   key                       value = u8 version (2), u32 CRC32C of the body, body:
 *   [0x01]                    hard state   = u64 term, u32 vote, u64 commit
 *   [0x02]                    conf state   = conf-state
 *   [0x03]                    snapshot     = u64 index, u64 term, conf-state, data (rest)
 *   [0x04]                    log start    = u64 firstIndex, u64 term of firstIndex-1
 *   [0x05]                    rejoining    = (empty) present while this node, restarted on an empty
 *                                            store, has not yet copied the log from a leader
 *   [0x10, u64 index (BE)]    entry        = u8 type (0 normal, 1 conf-change), u64 term, data (rest)
 *
 *   conf-state = u32 voterCount, u32 voter*, u32 learnerCount, u32 learner*
 *
 * Version 1 values (stores written before checksums) are the same body
 * after the version byte with no CRC; they still decode, and every value
 * written since is version 2, so such a store migrates as it is rewritten.
 * A version-2 value whose CRC does not match its body does not decode.
 *
 * All integers are big-endian. Entry keys sort by index, so an iterator
 * walks the singletons first and then the log in order. A missing log-start
 * key means nothing was ever compacted (firstIndex 1, term 0 before it).
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import { crc32c } from '@runnel/protocol';
import type { ConfState, Entry, EntryType, HardState, Snapshot } from '@runnel/raft';

export const keyTag = {
  hardState: 0x01,
  confState: 0x02,
  snapshot: 0x03,
  logStart: 0x04,
  rejoining: 0x05,
  entry: 0x10,
} as const;

const legacyVersion = 1;
const formatVersion = 2;
/** Version byte and CRC32C in front of every body. */
const valueHeaderBytes = 1 + 4;
const entryHeaderBytes = valueHeaderBytes + 1 + 8;

export const hardStateKey: Buffer = Buffer.from([keyTag.hardState]);
export const confStateKey: Buffer = Buffer.from([keyTag.confState]);
export const snapshotKey: Buffer = Buffer.from([keyTag.snapshot]);
export const logStartKey: Buffer = Buffer.from([keyTag.logStart]);
export const rejoiningKey: Buffer = Buffer.from([keyTag.rejoining]);

/** Where the log begins after compaction. */
export interface LogStart {
  readonly firstIndex: number;
  /** Term of the entry at firstIndex-1 (so term(firstIndex-1) stays answerable). */
  readonly termBefore: number;
}

export function entryKey(index: number): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = keyTag.entry;
  key.writeBigUInt64BE(BigInt(index), 1);
  return key;
}

/** The index in an entry key, or null when the key is not an entry key. */
export function entryKeyIndex(key: Buffer): number | null {
  if (key.length !== 9 || key[0] !== keyTag.entry) return null;
  const index = key.readBigUInt64BE(1);
  return index <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(index) : null;
}

export function encodeEntry(entry: Entry): Buffer {
  const value = Buffer.allocUnsafe(entryHeaderBytes + entry.data.byteLength);
  value[valueHeaderBytes] = entry.type === 'normal' ? 0 : 1;
  writeU64(value, valueHeaderBytes + 1, entry.term);
  value.set(entry.data, entryHeaderBytes);
  return sealed(value);
}

export function encodeHardState(hardState: HardState): Buffer {
  const value = Buffer.allocUnsafe(valueHeaderBytes + 8 + 4 + 8);
  writeU64(value, valueHeaderBytes, hardState.term);
  writeU32(value, valueHeaderBytes + 8, hardState.vote);
  writeU64(value, valueHeaderBytes + 12, hardState.commit);
  return sealed(value);
}

export function encodeConfStateValue(confState: ConfState): Buffer {
  return sealed(Buffer.concat([Buffer.alloc(valueHeaderBytes), encodeConfState(confState)]));
}

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const head = Buffer.allocUnsafe(valueHeaderBytes + 8 + 8);
  writeU64(head, valueHeaderBytes, snapshot.metadata.index);
  writeU64(head, valueHeaderBytes + 8, snapshot.metadata.term);
  return sealed(Buffer.concat([head, encodeConfState(snapshot.metadata.confState), snapshot.data]));
}

export function encodeLogStart(logStart: LogStart): Buffer {
  const value = Buffer.allocUnsafe(valueHeaderBytes + 8 + 8);
  writeU64(value, valueHeaderBytes, logStart.firstIndex);
  writeU64(value, valueHeaderBytes + 8, logStart.termBefore);
  return sealed(value);
}

/** The rejoining marker's value: a header over an empty body. */
export function encodeRejoining(): Buffer {
  return sealed(Buffer.alloc(valueHeaderBytes));
}

export function decodeRejoining(value: Buffer): DecodeResult<true> {
  return decode(value, (r) => {
    r.end();
    return true;
  });
}

/** Fills in the version byte and the CRC32C of the body that follows the header. */
function sealed(value: Buffer): Buffer {
  value[0] = formatVersion;
  value.writeUInt32BE(crc32c(value.subarray(valueHeaderBytes)), 1);
  return value;
}

export type DecodeResult<T> = Result<T, 'malformed'>;

export function decodeEntry(index: number, value: Buffer): DecodeResult<Entry> {
  return decode(value, (r) => {
    const typeCode = r.u8();
    if (typeCode !== 0 && typeCode !== 1) throw new Malformed(`unknown entry type ${typeCode}`);
    const type: EntryType = typeCode === 0 ? 'normal' : 'conf-change';
    const term = r.u64();
    return { term, index, type, data: r.rest() };
  });
}

export function decodeHardState(value: Buffer): DecodeResult<HardState> {
  return decode(value, (r) => {
    const term = r.u64();
    const vote = r.u32();
    const commit = r.u64();
    r.end();
    return { term, vote, commit };
  });
}

export function decodeConfStateValue(value: Buffer): DecodeResult<ConfState> {
  return decode(value, (r) => {
    const confState = readConfState(r);
    r.end();
    return confState;
  });
}

export function decodeSnapshot(value: Buffer): DecodeResult<Snapshot> {
  return decode(value, (r) => {
    const index = r.u64();
    const term = r.u64();
    const confState = readConfState(r);
    return { metadata: { index, term, confState }, data: r.rest() };
  });
}

export function decodeLogStart(value: Buffer): DecodeResult<LogStart> {
  return decode(value, (r) => {
    const firstIndex = r.u64();
    const termBefore = r.u64();
    r.end();
    if (firstIndex < 1) throw new Malformed('first index 0');
    return { firstIndex, termBefore };
  });
}

function encodeConfState(confState: ConfState): Buffer {
  const ids = [confState.voters, confState.learners];
  const out = Buffer.allocUnsafe(8 + 4 * (confState.voters.length + confState.learners.length));
  let at = 0;
  for (const list of ids) {
    at = writeU32(out, at, list.length);
    for (const id of list) at = writeU32(out, at, id);
  }
  return out;
}

function readConfState(r: ValueReader): ConfState {
  const voters = r.u32List();
  const learners = r.u32List();
  return { voters, learners };
}

function writeU64(buf: Buffer, at: number, n: number): number {
  assert(Number.isSafeInteger(n) && n >= 0, `cannot store ${n} as an unsigned 64-bit Raft field`);
  buf.writeBigUInt64BE(BigInt(n), at);
  return at + 8;
}

function writeU32(buf: Buffer, at: number, n: number): number {
  assert(Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, `cannot store ${n} as an unsigned 32-bit Raft field`);
  buf.writeUInt32BE(n, at);
  return at + 4;
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Thrown only inside decode(); never escapes this module. */
class Malformed extends Error {}

function decode<T>(value: Buffer, read: (r: ValueReader) => T): DecodeResult<T> {
  try {
    const r = new ValueReader(value);
    const version = r.u8();
    if (version === formatVersion) {
      const stored = r.u32();
      const actual = crc32c(value.subarray(valueHeaderBytes));
      if (stored !== actual) {
        throw new Malformed(`checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`);
      }
    } else if (version !== legacyVersion) {
      throw new Malformed(`unknown format version ${version}`);
    }
    return ok(read(r));
  } catch (e: unknown) {
    if (e instanceof Malformed) return err('malformed', e.message);
    throw e;
  }
}

/** Bounds-checked cursor over one value; every overrun is a Malformed. */
class ValueReader {
  readonly #buf: Buffer;
  #at = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  u8(): number {
    this.#need(1);
    const n = this.#buf.readUInt8(this.#at);
    this.#at += 1;
    return n;
  }

  u32(): number {
    this.#need(4);
    const n = this.#buf.readUInt32BE(this.#at);
    this.#at += 4;
    return n;
  }

  u64(): number {
    this.#need(8);
    const n = this.#buf.readBigUInt64BE(this.#at);
    this.#at += 8;
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed(`64-bit field ${n} is beyond 2^53`);
    return Number(n);
  }

  u32List(): number[] {
    const count = this.u32();
    this.#need(4 * count);
    const list: number[] = [];
    for (let i = 0; i < count; i++) list.push(this.u32());
    return list;
  }

  /** The remaining bytes, shared with the value buffer (level hands each value its own buffer). */
  rest(): Buffer {
    const rest = this.#buf.subarray(this.#at);
    this.#at = this.#buf.length;
    return rest;
  }

  end(): void {
    if (this.#at !== this.#buf.length) throw new Malformed(`${this.#buf.length - this.#at} trailing bytes`);
  }

  #need(bytes: number): void {
    if (this.#at + bytes > this.#buf.length) {
      throw new Malformed(`value of ${this.#buf.length} bytes ends before byte ${this.#at + bytes}`);
    }
  }
}
