/**
 * The `__transaction_state` key and value codecs against bytes built by
 * hand from Kafka's layouts (TransactionLogKey v0, TransactionLogValue v0
 * and the flexible v1 with its tagged fields), so a change in field order,
 * width or encoding fails here rather than in a Kafka tool reading our log.
 */
import { describe, expect, it } from 'vitest';
import { TransactionLogState } from '../src/transactions/transaction-log-state.ts';
import {
  decodeTransactionLogRecord,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  type TransactionLogValue,
} from '../src/transactions/transaction-records.ts';

const i8 = (v: number): number[] => [v & 0xff];
const i16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const i32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const i64 = (v: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return [...b];
};
const str = (s: string): number[] => [...i16(s.length), ...Buffer.from(s, 'latin1')];
/** Compact string: uvarint length + 1 (all our fixtures are shorter than 127 bytes). */
const cstr = (s: string): number[] => [s.length + 1, ...Buffer.from(s, 'latin1')];
const buf = (...parts: number[][]): Buffer => Buffer.from(parts.flat());

const updatedMs = 1_700_000_000_500n;
const startedMs = 1_700_000_000_000n;

const ongoing: TransactionLogValue = {
  producerId: 7n,
  previousProducerId: -1n,
  nextProducerId: -1n,
  producerEpoch: 3,
  nextProducerEpoch: -1,
  transactionTimeoutMs: 60_000,
  state: 'Ongoing',
  partitions: [{ topic: 't', partitionIds: [0, 2] }],
  lastUpdateTimestampMs: updatedMs,
  startTimestampMs: startedMs,
  clientTransactionVersion: 0,
};

const keyFixture = buf(i16(0), str('tx-1'));

// v0: int32 array counts, int16 string lengths, no tagged fields.
const ongoingV0Fixture = buf(
  i16(0),
  i64(7n),
  i16(3),
  i32(60_000),
  i8(1),
  i32(1),
  str('t'),
  i32(2),
  i32(0),
  i32(2),
  i64(updatedMs),
  i64(startedMs),
);

// v1: compact array (count + 1) and string, an empty tag section after the partitions struct and
// after the value; every tagged field at its default is left out.
const ongoingV1Fixture = buf(
  i16(1),
  i64(7n),
  i16(3),
  i32(60_000),
  i8(1),
  [2],
  cstr('t'),
  [3],
  i32(0),
  i32(2),
  [0],
  i64(updatedMs),
  i64(startedMs),
  [0],
);

const rotated: TransactionLogValue = {
  ...ongoing,
  previousProducerId: 5n,
  nextProducerId: 9n,
  nextProducerEpoch: 0,
  clientTransactionVersion: 2,
  state: 'Empty',
  partitions: [],
  startTimestampMs: -1n,
};

// Empty writes its partitions as null (compact: 0); the four tags follow in tag order: tag, size, data.
const rotatedV1Fixture = buf(
  i16(1),
  i64(7n),
  i16(3),
  i32(60_000),
  i8(0),
  [0],
  i64(updatedMs),
  i64(-1n),
  [4],
  [0, 8],
  i64(5n),
  [1, 8],
  i64(9n),
  [2, 2],
  i16(2),
  [3, 2],
  i16(0),
);

describe('__transaction_state record encoding', () => {
  it('writes the key at version 0: the transactional id as an int16-length string', () => {
    expect(encodeTransactionLogKey('tx-1')).toEqual(keyFixture);
  });

  it('writes an Ongoing value at v1 with compact arrays and no tagged fields when all are defaults', () => {
    expect(encodeTransactionLogValue(ongoing)).toEqual(ongoingV1Fixture);
  });

  it('writes a value at v0 with int32 counts and int16 strings', () => {
    expect(encodeTransactionLogValue(ongoing, 0)).toEqual(ongoingV0Fixture);
  });

  it('writes an Empty value with null partitions and the KIP-890 tagged fields in tag order', () => {
    expect(encodeTransactionLogValue(rotated)).toEqual(rotatedV1Fixture);
  });

  it('drops the tagged fields at v0, which has no place for them', () => {
    const decoded = decodeTransactionLogRecord(keyFixture, encodeTransactionLogValue(rotated, 0));
    expect(decoded.ok && decoded.value.value).toMatchObject({
      previousProducerId: -1n,
      nextProducerId: -1n,
      nextProducerEpoch: -1,
      clientTransactionVersion: 0,
    });
  });
});

describe('__transaction_state record decoding', () => {
  it('reads v0 and v1 fixtures back to the same value', () => {
    for (const fixture of [ongoingV0Fixture, ongoingV1Fixture]) {
      expect(decodeTransactionLogRecord(keyFixture, fixture)).toEqual({
        ok: true,
        value: { transactionalId: 'tx-1', value: ongoing },
      });
    }
  });

  it('reads the tagged fields of a v1 value', () => {
    const decoded = decodeTransactionLogRecord(keyFixture, rotatedV1Fixture);
    expect(decoded).toEqual({ ok: true, value: { transactionalId: 'tx-1', value: rotated } });
  });

  it('skips a tagged field it does not know (a newer Kafka may add some)', () => {
    const withUnknownTag = Buffer.concat([ongoingV1Fixture.subarray(0, -1), buf([1], [9, 2], i16(77))]);
    const decoded = decodeTransactionLogRecord(keyFixture, withUnknownTag);
    expect(decoded).toEqual({ ok: true, value: { transactionalId: 'tx-1', value: ongoing } });
  });

  it('reads a null value as the tombstone of the transactional id', () => {
    expect(decodeTransactionLogRecord(keyFixture, null)).toEqual({
      ok: true,
      value: { transactionalId: 'tx-1', value: null },
    });
  });

  it('refuses key and value versions it does not know as unknown_version', () => {
    const key1 = buf(i16(1), str('tx-1'));
    expect(decodeTransactionLogRecord(key1, null)).toMatchObject({ ok: false, error: 'unknown_version' });
    const value2 = Buffer.from(ongoingV1Fixture);
    value2.writeInt16BE(2, 0);
    expect(decodeTransactionLogRecord(keyFixture, value2)).toMatchObject({ ok: false, error: 'unknown_version' });
  });

  it('refuses truncated bytes, trailing bytes and an unknown status as corrupt', () => {
    const truncated = ongoingV0Fixture.subarray(0, ongoingV0Fixture.length - 3);
    const trailing = Buffer.concat([ongoingV0Fixture, Buffer.from([0])]);
    const badStatus = Buffer.from(ongoingV0Fixture);
    badStatus.writeInt8(8, 2 + 8 + 2 + 4);
    for (const value of [truncated, trailing, badStatus]) {
      expect(decodeTransactionLogRecord(keyFixture, value)).toMatchObject({ ok: false, error: 'corrupt' });
    }
    expect(decodeTransactionLogRecord(buf(i16(0), i16(9), [65]), null)).toMatchObject({ ok: false, error: 'corrupt' });
  });
});

describe('replaying a __transaction_state partition', () => {
  it('keeps the latest value per id; a tombstone or a Dead value deletes it', () => {
    const state = new TransactionLogState();
    state.apply({ transactionalId: 'a', value: ongoing });
    state.apply({ transactionalId: 'b', value: ongoing });
    state.apply({ transactionalId: 'c', value: ongoing });
    state.apply({ transactionalId: 'a', value: rotated });
    state.apply({ transactionalId: 'b', value: null });
    state.apply({ transactionalId: 'c', value: { ...ongoing, state: 'Dead' } });
    expect([...state.snapshot()]).toEqual([['a', rotated]]);
  });
});
