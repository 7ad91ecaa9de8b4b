/**
 * Byte fixtures for the transaction API definitions. Each expected buffer is
 * built by hand, field by field, from the protocol spec (never by the encoder),
 * then checked both ways: encoding the value yields exactly those bytes, and
 * decoding those bytes yields the value (absent fields decode to their defaults).
 */
import { describe, expect, test } from 'vitest';
import { addOffsetsToTxn } from '../src/messages/add-offsets-to-txn.ts';
import { addPartitionsToTxn } from '../src/messages/add-partitions-to-txn.ts';
import { endTxn } from '../src/messages/end-txn.ts';
import { txnOffsetCommit } from '../src/messages/txn-offset-commit.ts';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import type { ApiDef, MessageDef } from '../src/schema/types.ts';

/** Wire primitives, classic and compact (flexible), written with plain Buffer calls. */
class Wire {
  readonly #parts: Buffer[] = [];

  #put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.#parts.push(b);
    return this;
  }
  #raw(b: Buffer): this {
    this.#parts.push(b);
    return this;
  }
  int16(v: number): this {
    return this.#put(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.#put(4, (b) => b.writeInt32BE(v));
  }
  int64(v: bigint): this {
    return this.#put(8, (b) => b.writeBigInt64BE(v));
  }
  bool(v: boolean): this {
    return this.#put(1, (b) => b.writeInt8(v ? 1 : 0));
  }
  /** int16 byte length then UTF-8; -1 for null. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const utf8 = Buffer.from(v, 'utf8');
    return this.int16(utf8.length).#raw(utf8);
  }
  /** int32 element count. */
  array(count: number): this {
    return this.int32(count);
  }
  /** Unsigned LEB128: seven bits per byte, high bit set on all but the last. */
  uvarint(v: number): this {
    const out: number[] = [];
    let rest = v;
    while (rest > 0x7f) {
      out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.push(rest);
    return this.#raw(Buffer.from(out));
  }
  /** uvarint (byte length + 1) then UTF-8; 0 for null. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const utf8 = Buffer.from(v, 'utf8');
    return this.uvarint(utf8.length + 1).#raw(utf8);
  }
  /** uvarint (element count + 1). */
  compactArray(count: number): this {
    return this.uvarint(count + 1);
  }
  /** An empty tagged-field section. */
  noTags(): this {
    return this.uvarint(0);
  }
  build(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function expectBothWays(def: MessageDef, version: number, value: Record<string, unknown>, fixture: Buffer): void {
  expect(Buffer.concat(encodeMessage(def, version, value)).toString('hex')).toBe(fixture.toString('hex'));
  expect(decodeMessage(def, version, fixture)).toEqual(value);
}

describe('transaction API definitions advertise the compat-table ranges', () => {
  const table: readonly [ApiDef, number, string, string][] = [
    [addPartitionsToTxn, 24, '0-1', '3+'],
    [addOffsetsToTxn, 25, '0-1', '3+'],
    [endTxn, 26, '1', '3+'],
    [txnOffsetCommit, 28, '1-3', '3+'],
  ];
  test.each(table)('%# request and response share key, range and flexible versions', (api, key, range, flexible) => {
    for (const m of [api.request, api.response]) {
      expect([m.apiKey, m.validVersions, m.flexibleVersions]).toEqual([key, range, flexible]);
    }
    expect(api.apiKey).toBe(key);
    expect([api.request.kind, api.response.kind]).toEqual(['request', 'response']);
  });
});

describe('AddPartitionsToTxn', () => {
  test('v1 request adds partitions of two topics', () => {
    const value = {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 1000n,
      v3AndBelowProducerEpoch: 2,
      v3AndBelowTopics: [
        { name: 'a', partitions: [0, 1] },
        { name: 'b', partitions: [] },
      ],
    };
    const fixture = new Wire()
      .string('tx')
      .int64(1000n)
      .int16(2)
      .array(2)
      .string('a')
      .array(2)
      .int32(0)
      .int32(1)
      .string('b')
      .array(0)
      .build();
    expectBothWays(addPartitionsToTxn.request, 1, value, fixture);
  });

  test('v1 response reports an error per partition', () => {
    const value = {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: [
        {
          name: 'a',
          resultsByPartition: [
            { partitionIndex: 0, partitionErrorCode: 0 },
            { partitionIndex: 1, partitionErrorCode: 3 },
          ],
        },
      ],
    };
    const fixture = new Wire().int32(0).array(1).string('a').array(2).int32(0).int16(0).int32(1).int16(3).build();
    expectBothWays(addPartitionsToTxn.response, 1, value, fixture);
  });
});

describe('AddOffsetsToTxn', () => {
  test('v1 request names the consumer group', () => {
    const value = { transactionalId: 'tx', producerId: 5n, producerEpoch: 0, groupId: 'g' };
    const fixture = new Wire().string('tx').int64(5n).int16(0).string('g').build();
    expectBothWays(addOffsetsToTxn.request, 1, value, fixture);
  });

  test('v1 response carries throttle time then error code', () => {
    const fixture = new Wire().int32(1).int16(47).build();
    expectBothWays(addOffsetsToTxn.response, 1, { throttleTimeMs: 1, errorCode: 47 }, fixture);
  });
});

describe('EndTxn', () => {
  test('v1 commit request ends with a true boolean byte', () => {
    const value = { transactionalId: 'tx', producerId: -2n, producerEpoch: 32_767, committed: true };
    const fixture = new Wire().string('tx').int64(-2n).int16(32_767).bool(true).build();
    expectBothWays(endTxn.request, 1, value, fixture);
  });

  test('v1 response carries throttle time then error code', () => {
    const fixture = new Wire().int32(0).int16(0).build();
    expectBothWays(endTxn.response, 1, { throttleTimeMs: 0, errorCode: 0 }, fixture);
  });
});

describe('TxnOffsetCommit', () => {
  test('v3 request uses compact encodings and a tagged section after every struct', () => {
    const value = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 77n,
      producerEpoch: 1,
      generationId: 9,
      memberId: 'm-1',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 4, committedOffset: 300n, committedLeaderEpoch: 6, committedMetadata: null }],
        },
      ],
    };
    const fixture = new Wire()
      .compactString('tx')
      .compactString('g')
      .int64(77n)
      .int16(1)
      .int32(9)
      .compactString('m-1')
      .compactString(null)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(4)
      .int64(300n)
      .int32(6)
      .compactString(null)
      .noTags() // partition
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(txnOffsetCommit.request, 3, value, fixture);
  });

  test('v1 request has no member identity or leader epoch, which decode to their defaults', () => {
    const value = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 77n,
      producerEpoch: 1,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
    };
    const fixture = new Wire()
      .string('tx')
      .string('g')
      .int64(77n)
      .int16(1)
      .array(1)
      .string('t')
      .array(1)
      .int32(0)
      .int64(10n)
      .string('')
      .build();
    expectBothWays(txnOffsetCommit.request, 1, value, fixture);
  });

  test('v3 response uses compact arrays and tagged sections', () => {
    const value = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 4, errorCode: 0 }] }] };
    const fixture = new Wire()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(4)
      .int16(0)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(txnOffsetCommit.response, 3, value, fixture);
  });

  test('v2 response is the classic non-flexible layout', () => {
    const value = { throttleTimeMs: 2, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 22 }] }] };
    const fixture = new Wire().int32(2).array(1).string('t').array(1).int32(0).int16(22).build();
    expectBothWays(txnOffsetCommit.response, 2, value, fixture);
  });
});
