/**
 * Byte-level mutations shared by the targets, chosen for what breaks length-
 * prefixed binary formats: truncation, inserted and deleted runs, bit flips,
 * int16/int32 lengths set huge or negative, unsigned varints that never end or
 * declare 2^31 and more, and duplicated runs (repeated fields, doubled
 * batches). Each returns a new buffer; the input is never modified.
 */
import type { Random } from '@runnel/common';

type Mutation = (rng: Random, input: Buffer) => Buffer;

const int32Smash = [-2, -1, 0, 1, 0x7fffffff, -0x80000000, 0x10000, 0x7ffffff0, 0x40000000];
const int16Smash = [-2, -1, 0, 0x7fff, -0x8000, 0x1000];

/** Unsigned varints that overflow 32 bits, declare ~2^31, or never end (continuation bit on every byte). */
const varintSmash: readonly Buffer[] = [
  Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]),
  Buffer.from([0x80, 0x80, 0x80, 0x01]),
  Buffer.from([0xff]),
];

function at(rng: Random, input: Buffer, width: number): number {
  return rng.int(0, Math.max(0, input.length - width));
}

const mutations: readonly Mutation[] = [
  // Bit flips.
  (rng, input) => {
    const b = Buffer.from(input);
    for (let i = rng.int(1, 4); i > 0 && b.length > 0; i--) {
      const pos = rng.int(0, b.length - 1);
      b[pos] = (b[pos] ?? 0) ^ (1 << rng.int(0, 7));
    }
    return b;
  },
  // Truncation.
  (rng, input) => input.subarray(0, rng.int(0, input.length)),
  // Random bytes inserted.
  (rng, input) => {
    const pos = rng.int(0, input.length);
    return Buffer.concat([input.subarray(0, pos), rng.bytes(rng.int(1, 8)), input.subarray(pos)]);
  },
  // A run deleted.
  (rng, input) => {
    const pos = rng.int(0, input.length);
    return Buffer.concat([input.subarray(0, pos), input.subarray(Math.min(input.length, pos + rng.int(1, 16)))]);
  },
  // An int32 length or count set to an extreme.
  (rng, input) => {
    if (input.length < 4) return input;
    const b = Buffer.from(input);
    b.writeInt32BE(rng.pick(int32Smash), at(rng, b, 4));
    return b;
  },
  // An int16 length set to an extreme.
  (rng, input) => {
    if (input.length < 2) return input;
    const b = Buffer.from(input);
    b.writeInt16BE(rng.pick(int16Smash), at(rng, b, 2));
    return b;
  },
  // A varint overwritten by (or inserted as) one that overflows or declares a huge length.
  (rng, input) => {
    const v = rng.pick(varintSmash);
    const pos = at(rng, input, 1);
    const rest = rng.bool() ? input.subarray(pos) : input.subarray(Math.min(input.length, pos + v.length));
    return Buffer.concat([input.subarray(0, pos), v, rest]);
  },
  // A run duplicated in place (repeated fields, array elements, batches).
  (rng, input) => {
    if (input.length === 0) return input;
    const from = rng.int(0, input.length - 1);
    const run = input.subarray(from, Math.min(input.length, from + rng.int(1, 64)));
    return Buffer.concat([input.subarray(0, from), run, input.subarray(from)]);
  },
  // The tail replaced by random bytes.
  (rng, input) => Buffer.concat([input.subarray(0, rng.int(0, input.length)), rng.bytes(rng.int(0, 24))]),
];

/** One to three stacked mutations. */
export function mutateBytes(rng: Random, input: Buffer): Buffer {
  let out = input;
  for (let i = rng.int(1, 3); i > 0; i--) out = rng.pick(mutations)(rng, out);
  return out;
}

/** An unsigned varint (Kafka's compact lengths and tagged-field headers). */
export function unsignedVarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
