/**
 * 64-bit integers on the gRPC wire. The protos are loaded with
 * `longs: String`, so every int64/uint64 field arrives as a decimal string
 * and is sent as one; these helpers are the only place that string turns
 * into a bigint (Kafka-style offsets and epochs) or a number (Raft terms and
 * indexes, which the core keeps as numbers below 2^53).
 */
import { assert } from '@runnel/common';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

export function int64ToWire(value: bigint): string {
  assert(value >= int64Min && value <= int64Max, `int64 out of range: ${value}`);
  return value.toString();
}

/** protobufjs only ever produces a decimal integer string here, so BigInt() cannot throw on decoded input. */
export function int64FromWire(value: string): bigint {
  return BigInt(value);
}

export function uint64ToWire(value: number): string {
  assert(Number.isSafeInteger(value) && value >= 0, `uint64 field is not a safe non-negative integer: ${value}`);
  return value.toString();
}

/** null when the peer sent a value a JS number cannot hold exactly. */
export function uint64FromWire(value: string): number | null {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function uint32ToWire(value: number): number {
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff, `uint32 out of range: ${value}`);
  return value;
}
