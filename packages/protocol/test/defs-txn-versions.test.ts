/**
 * Byte fixtures for the transaction API versions added to reach Kafka 4.1
 * (KIP-890 and the flexible versions): InitProducerId v5, AddPartitionsToTxn
 * v2-5, AddOffsetsToTxn v2-4, EndTxn v0 and v2-5. Each expected buffer is
 * built by hand, field by field, from the protocol spec (never by the
 * encoder), then checked both ways: encoding the value yields exactly those
 * bytes, and decoding them yields the value plus the defaults of the fields
 * the version lacks.
 */
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import { addOffsetsToTxn } from '../src/messages/add-offsets-to-txn.ts';
import { addPartitionsToTxn } from '../src/messages/add-partitions-to-txn.ts';
import { endTxn } from '../src/messages/end-txn.ts';
import { initProducerId } from '../src/messages/init-producer-id.ts';
import { EncodeError, encodeMessage } from '../src/schema/codec.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('InitProducerId v5', () => {
  test('v5 request bumps the epoch of the id it names, flexible like v2-4', () => {
    const value = { transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: 7n, producerEpoch: 3 };
    const fixture = new WireBytes().compactString('tx').int32(60000).int64(7n).int16(3).noTags().build();
    expectBothWays(initProducerId.request, 5, value, fixture);
  });

  test('v5 response may carry TRANSACTION_ABORTABLE with no id', () => {
    const value = { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTION_ABORTABLE, producerId: -1n, producerEpoch: -1 };
    const fixture = new WireBytes().int32(0).int16(120).int64(-1n).int16(-1).noTags().build();
    expectBothWays(initProducerId.response, 5, value, fixture);
  });
});

/** What a v0-3 message decodes the v4+ fields to, and the reverse. */
const noBatch = { transactions: [] };
const noSingle = {
  v3AndBelowTransactionalId: '',
  v3AndBelowProducerId: 0n,
  v3AndBelowProducerEpoch: 0,
  v3AndBelowTopics: [],
};

describe('AddPartitionsToTxn v2-5', () => {
  test('v2 request keeps the classic v0-1 layout', () => {
    const value = { ...noSingle, v3AndBelowTransactionalId: 'tx', v3AndBelowTopics: [{ name: 'a', partitions: [4] }] };
    const fixture = new WireBytes().string('tx').int64(0n).int16(0).array(1).string('a').array(1).int32(4).build();
    expectBothWays(addPartitionsToTxn.request, 2, value, fixture, { ...value, ...noBatch });
  });

  test('v3 request is the first flexible one: compact strings and arrays, a tagged section per struct', () => {
    const value = {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 1000n,
      v3AndBelowProducerEpoch: 2,
      v3AndBelowTopics: [{ name: 'a', partitions: [0, 1] }],
    };
    const fixture = new WireBytes()
      .compactString('tx')
      .int64(1000n)
      .int16(2)
      .compactArray(1)
      .compactString('a')
      .compactArray(2)
      .int32(0)
      .int32(1)
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(addPartitionsToTxn.request, 3, value, fixture, { ...value, ...noBatch });
  });

  test('v4 request batches transactions, each with verifyOnly, and drops the single-transaction fields', () => {
    const value = {
      transactions: [
        {
          transactionalId: 'tx-a',
          producerId: 1000n,
          producerEpoch: 0,
          verifyOnly: true,
          topics: [{ name: 't', partitions: [3] }],
        },
        { transactionalId: 'tx-b', producerId: 1001n, producerEpoch: 5, verifyOnly: false, topics: [] },
      ],
    };
    const fixture = new WireBytes()
      .compactArray(2)
      .compactString('tx-a')
      .int64(1000n)
      .int16(0)
      .bool(true)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(3)
      .noTags() // topic
      .noTags() // transaction tx-a
      .compactString('tx-b')
      .int64(1001n)
      .int16(5)
      .bool(false)
      .compactArray(0)
      .noTags() // transaction tx-b
      .noTags() // message
      .build();
    expectBothWays(addPartitionsToTxn.request, 4, value, fixture, { ...value, ...noSingle });
  });

  test('the two request layouts cannot be mixed: each version refuses the other form', () => {
    const single = { v3AndBelowTransactionalId: 'tx', v3AndBelowTopics: [{ name: 'a', partitions: [0] }] };
    const batch = { transactions: [{ transactionalId: 'tx', producerId: 1n, producerEpoch: 0, topics: [] }] };
    expect(() => encodeMessage(addPartitionsToTxn.request, 5, single)).toThrow(EncodeError);
    expect(() => encodeMessage(addPartitionsToTxn.request, 3, batch)).toThrow(EncodeError);
  });

  test('v3 response is flexible and has no top-level error code, which decodes to 0', () => {
    const value = {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: [{ name: 'a', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('a')
      .compactArray(1)
      .int32(0)
      .int16(0)
      .noTags() // partition
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(addPartitionsToTxn.response, 3, value, fixture, {
      ...value,
      errorCode: 0,
      resultsByTransaction: [],
    });
  });

  test('v3 response leaves out a top-level error code, which is ignorable', () => {
    const value = { throttleTimeMs: 0, errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, resultsByTopicV3AndBelow: [] };
    const fixture = new WireBytes().int32(0).compactArray(0).noTags().build();
    expect(Buffer.concat(encodeMessage(addPartitionsToTxn.response, 3, value)).toString('hex')).toBe(
      fixture.toString('hex'),
    );
  });

  test('v5 response groups partition results by transaction, after a top-level error code', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTransaction: [
        {
          transactionalId: 'tx-a',
          topicResults: [
            {
              name: 't',
              resultsByPartition: [{ partitionIndex: 3, partitionErrorCode: ErrorCode.TRANSACTION_ABORTABLE }],
            },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .compactArray(1)
      .compactString('tx-a')
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(3)
      .int16(120)
      .noTags() // partition
      .noTags() // topic
      .noTags() // transaction
      .noTags() // message
      .build();
    expectBothWays(addPartitionsToTxn.response, 5, value, fixture, { ...value, resultsByTopicV3AndBelow: [] });
  });
});

describe('AddOffsetsToTxn v2-4', () => {
  test('v2 request is the last classic one', () => {
    const value = { transactionalId: 'tx', producerId: 5n, producerEpoch: 1, groupId: 'g' };
    const fixture = new WireBytes().string('tx').int64(5n).int16(1).string('g').build();
    expectBothWays(addOffsetsToTxn.request, 2, value, fixture);
  });

  test('v3 request is the first flexible one', () => {
    const value = { transactionalId: 'tx', producerId: 5n, producerEpoch: 1, groupId: 'g' };
    const fixture = new WireBytes().compactString('tx').int64(5n).int16(1).compactString('g').noTags().build();
    expectBothWays(addOffsetsToTxn.request, 3, value, fixture);
  });

  test('v4 response may carry TRANSACTION_ABORTABLE', () => {
    const value = { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTION_ABORTABLE };
    expectBothWays(addOffsetsToTxn.response, 4, value, new WireBytes().int32(0).int16(120).noTags().build());
  });
});

describe('EndTxn v0 and v2-5', () => {
  const noBump = { producerId: -1n, producerEpoch: -1 };

  test('v0 abort request ends with a false boolean byte', () => {
    const value = { transactionalId: 'tx', producerId: 9n, producerEpoch: 1, committed: false };
    const fixture = new WireBytes().string('tx').int64(9n).int16(1).bool(false).build();
    expectBothWays(endTxn.request, 0, value, fixture);
  });

  test('v0 response is throttle time then error code', () => {
    const value = { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_TXN_STATE };
    expectBothWays(endTxn.response, 0, value, new WireBytes().int32(0).int16(48).build(), { ...value, ...noBump });
  });

  test('v2 response may carry PRODUCER_FENCED, still classic', () => {
    const value = { throttleTimeMs: 0, errorCode: ErrorCode.PRODUCER_FENCED };
    expectBothWays(endTxn.response, 2, value, new WireBytes().int32(0).int16(90).build(), { ...value, ...noBump });
  });

  test('v3 request is the first flexible one', () => {
    const value = { transactionalId: 'tx', producerId: 9n, producerEpoch: 1, committed: true };
    const fixture = new WireBytes().compactString('tx').int64(9n).int16(1).bool(true).noTags().build();
    expectBothWays(endTxn.request, 3, value, fixture);
  });

  test('v5 response carries the producer id and the epoch to use next', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, producerId: 4000n, producerEpoch: 8 };
    const fixture = new WireBytes().int32(0).int16(0).int64(4000n).int16(8).noTags().build();
    expectBothWays(endTxn.response, 5, value, fixture);
  });

  test('v4 response leaves out the v5 producer id and epoch, which are ignorable', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, producerId: 4000n, producerEpoch: 8 };
    const fixture = new WireBytes().int32(0).int16(0).noTags().build();
    expectBothWays(endTxn.response, 4, value, fixture, { throttleTimeMs: 0, errorCode: 0, ...noBump });
  });
});
