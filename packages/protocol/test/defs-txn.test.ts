/**
 * Byte fixtures for the transaction API definitions. Each expected buffer is
 * built by hand, field by field, from the protocol spec (never by the encoder),
 * then checked both ways: encoding the value yields exactly those bytes, and
 * decoding those bytes yields the value (absent fields decode to their defaults).
 */
import { describe, test } from 'vitest';
import { addOffsetsToTxn } from '../src/messages/add-offsets-to-txn.ts';
import { addPartitionsToTxn } from '../src/messages/add-partitions-to-txn.ts';
import { describeProducers } from '../src/messages/describe-producers.ts';
import { describeTransactions } from '../src/messages/describe-transactions.ts';
import { endTxn } from '../src/messages/end-txn.ts';
import { initProducerId } from '../src/messages/init-producer-id.ts';
import { listTransactions } from '../src/messages/list-transactions.ts';
import { txnOffsetCommit } from '../src/messages/txn-offset-commit.ts';
import { writeTxnMarkers } from '../src/messages/write-txn-markers.ts';
import { type AdvertisedRange, testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

// Kafka 4.1's stable ranges; wider than what Runnel advertises (tables.test.ts checks both).
describe('transaction API definitions cover the Kafka 4.1 ranges', () => {
  const table: readonly AdvertisedRange[] = [
    [initProducerId, 22, '0-5', '2+'],
    [addPartitionsToTxn, 24, '0-5', '3+'],
    [addOffsetsToTxn, 25, '0-4', '3+'],
    [endTxn, 26, '0-5', '3+'],
    [writeTxnMarkers, 27, '1', '1+'],
    [txnOffsetCommit, 28, '0-5', '3+'],
    [describeProducers, 61, '0', '0+'],
    [describeTransactions, 65, '0', '0+'],
    [listTransactions, 66, '0-2', '0+'],
  ];
  testAdvertisedRanges(table);
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
    const fixture = new WireBytes()
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
    // The v4+ batched list is absent from v1 and decodes empty.
    expectBothWays(addPartitionsToTxn.request, 1, value, fixture, { ...value, transactions: [] });
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
    const fixture = new WireBytes().int32(0).array(1).string('a').array(2).int32(0).int16(0).int32(1).int16(3).build();
    const decoded = { ...value, errorCode: 0, resultsByTransaction: [] };
    expectBothWays(addPartitionsToTxn.response, 1, value, fixture, decoded);
  });
});

describe('AddOffsetsToTxn', () => {
  test('v1 request names the consumer group', () => {
    const value = { transactionalId: 'tx', producerId: 5n, producerEpoch: 0, groupId: 'g' };
    const fixture = new WireBytes().string('tx').int64(5n).int16(0).string('g').build();
    expectBothWays(addOffsetsToTxn.request, 1, value, fixture);
  });

  test('v1 response carries throttle time then error code', () => {
    const fixture = new WireBytes().int32(1).int16(47).build();
    expectBothWays(addOffsetsToTxn.response, 1, { throttleTimeMs: 1, errorCode: 47 }, fixture);
  });
});

describe('EndTxn', () => {
  test('v1 commit request ends with a true boolean byte', () => {
    const value = { transactionalId: 'tx', producerId: -2n, producerEpoch: 32_767, committed: true };
    const fixture = new WireBytes().string('tx').int64(-2n).int16(32_767).bool(true).build();
    expectBothWays(endTxn.request, 1, value, fixture);
  });

  test('v1 response carries throttle time then error code', () => {
    const fixture = new WireBytes().int32(0).int16(0).build();
    const decoded = { throttleTimeMs: 0, errorCode: 0, producerId: -1n, producerEpoch: -1 };
    expectBothWays(endTxn.response, 1, { throttleTimeMs: 0, errorCode: 0 }, fixture, decoded);
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
    const fixture = new WireBytes()
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
    const fixture = new WireBytes()
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
    const fixture = new WireBytes()
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
    const fixture = new WireBytes().int32(2).array(1).string('t').array(1).int32(0).int16(22).build();
    expectBothWays(txnOffsetCommit.response, 2, value, fixture);
  });
});
