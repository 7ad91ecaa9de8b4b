/**
 * Byte fixtures for the offset versions the transaction work needs:
 * TxnOffsetCommit v0 and v4-5 (Kafka 4.1's range) and OffsetFetch v6-7
 * (requireStable, KIP-447). Built by hand from the protocol spec and checked
 * both ways, like the other defs-*.test.ts files.
 */
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import { offsetFetch } from '../src/messages/offset-fetch.ts';
import { txnOffsetCommit } from '../src/messages/txn-offset-commit.ts';
import { EncodeError, encodeMessage } from '../src/schema/codec.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('TxnOffsetCommit v0 and v4-5', () => {
  test('v0 request has no leader epoch or member identity, which decode to their defaults', () => {
    const value = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 77n,
      producerEpoch: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10n, committedMetadata: null }] }],
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
      .string(null)
      .build();
    const decoded = {
      ...value,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, committedMetadata: null }],
        },
      ],
    };
    expectBothWays(txnOffsetCommit.request, 0, value, fixture, decoded);
  });

  test('v2 request refuses the v3 group member identity instead of dropping it', () => {
    const value = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 1n,
      producerEpoch: 0,
      generationId: 4,
      topics: [],
    };
    expect(() => encodeMessage(txnOffsetCommit.request, 2, value)).toThrow(EncodeError);
  });

  test('v5 request keeps the v3 layout, here with a static member', () => {
    const value = {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 77n,
      producerEpoch: 2,
      generationId: 9,
      memberId: 'm-1',
      groupInstanceId: 'instance-1',
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 4, committedOffset: 300n, committedLeaderEpoch: 6, committedMetadata: 'x' }],
        },
      ],
    };
    const fixture = new WireBytes()
      .compactString('tx')
      .compactString('g')
      .int64(77n)
      .int16(2)
      .int32(9)
      .compactString('m-1')
      .compactString('instance-1')
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(4)
      .int64(300n)
      .int32(6)
      .compactString('x')
      .noTags() // partition
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(txnOffsetCommit.request, 5, value, fixture);
  });

  test('v4 response may carry TRANSACTION_ABORTABLE per partition', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 4, errorCode: ErrorCode.TRANSACTION_ABORTABLE }] }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(4)
      .int16(120)
      .noTags() // partition
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(txnOffsetCommit.response, 4, value, fixture);
  });

  test('v0 response is the classic layout', () => {
    const value = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] };
    const fixture = new WireBytes().int32(0).array(1).string('t').array(1).int32(0).int16(0).build();
    expectBothWays(txnOffsetCommit.response, 0, value, fixture);
  });
});

describe('OffsetFetch v6-7', () => {
  test('v6 request is the first flexible one and has no requireStable', () => {
    const value = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 3] }] };
    const fixture = new WireBytes()
      .compactString('g')
      .compactArray(1)
      .compactString('t')
      .compactArray(2)
      .int32(0)
      .int32(3)
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(offsetFetch.request, 6, value, fixture, { ...value, groups: [], requireStable: false });
  });

  test('v7 request for all topics asks for stable offsets after the null topic list', () => {
    const value = { groupId: 'g', topics: null, requireStable: true };
    const fixture = new WireBytes().compactString('g').uvarint(0).bool(true).noTags().build();
    expectBothWays(offsetFetch.request, 7, value, fixture, { ...value, groups: [] });
  });

  test('v6 request refuses requireStable rather than silently reading unstable offsets', () => {
    expect(() => encodeMessage(offsetFetch.request, 6, { groupId: 'g', topics: null, requireStable: true })).toThrow(
      EncodeError,
    );
  });

  test('v7 response marks a partition with pending transactional offsets UNSTABLE_OFFSET_COMMIT', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: -1n,
              committedLeaderEpoch: -1,
              metadata: null,
              errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
            },
          ],
        },
      ],
      errorCode: 0,
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .int64(-1n)
      .int32(-1)
      .compactString(null)
      .int16(88)
      .noTags() // partition
      .noTags() // topic
      .int16(0)
      .noTags() // message
      .build();
    expectBothWays(offsetFetch.response, 7, value, fixture, { ...value, groups: [] });
  });
});
