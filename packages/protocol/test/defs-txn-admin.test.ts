/**
 * Byte fixtures for the transaction APIs new to Runnel's definitions:
 * WriteTxnMarkers v1 (coordinator to partition leader) and the KIP-664
 * operations APIs DescribeProducers v0, DescribeTransactions v0 and
 * ListTransactions v0-2. All are flexible in every version Kafka 4.1 has.
 * Built by hand from the protocol spec and checked both ways.
 */
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import { decodeRequestFrame, encodeRequestFrame } from '../src/frame.ts';
import { describeProducers } from '../src/messages/describe-producers.ts';
import { describeTransactions } from '../src/messages/describe-transactions.ts';
import { listTransactions } from '../src/messages/list-transactions.ts';
import { writeTxnMarkers } from '../src/messages/write-txn-markers.ts';
import { EncodeError, encodeMessage } from '../src/schema/codec.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('WriteTxnMarkers v1', () => {
  const request = {
    markers: [
      {
        producerId: 1000n,
        producerEpoch: 3,
        transactionResult: true,
        topics: [{ name: 't', partitionIndexes: [0, 2] }],
        coordinatorEpoch: 7,
      },
    ],
  };
  const requestBytes = new WireBytes()
    .compactArray(1)
    .int64(1000n)
    .int16(3)
    .bool(true) // COMMIT
    .compactArray(1)
    .compactString('t')
    .compactArray(2)
    .int32(0)
    .int32(2)
    .noTags() // topic
    .int32(7) // coordinator epoch comes after the topics
    .noTags() // marker
    .noTags() // message
    .build();

  test('request names producer, result and partitions, then the coordinator epoch', () => {
    expectBothWays(writeTxnMarkers.request, 1, request, requestBytes);
  });

  test('response reports an error per partition, by producer', () => {
    const value = {
      markers: [
        {
          producerId: 1000n,
          topics: [
            {
              name: 't',
              partitions: [
                { partitionIndex: 0, errorCode: 0 },
                { partitionIndex: 2, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
              ],
            },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .compactArray(1)
      .int64(1000n)
      .compactArray(1)
      .compactString('t')
      .compactArray(2)
      .int32(0)
      .int16(0)
      .noTags() // partition 0
      .int32(2)
      .int16(6)
      .noTags() // partition 2
      .noTags() // topic
      .noTags() // marker
      .noTags() // message
      .build();
    expectBothWays(writeTxnMarkers.response, 1, value, fixture);
  });

  test('a v1 frame decodes with request header v2; v0, gone since Kafka 4.0, is unsupported', () => {
    const header = { apiKey: 27, apiVersion: 1, correlationId: 11, clientId: 'broker-1' };
    const frame = Buffer.concat(encodeRequestFrame(header, request));
    // size, key 27, version 1, correlation 11, int16 client id, empty header tags, then the body
    const expected = new WireBytes().int16(27).int16(1).int32(11).string('broker-1').noTags().build();
    expect(frame.subarray(4, 4 + expected.length).toString('hex')).toBe(expected.toString('hex'));
    expect(frame.subarray(4 + expected.length).toString('hex')).toBe(requestBytes.toString('hex'));
    expect(decodeRequestFrame(frame.subarray(4))).toEqual({ ok: true, header, body: request });
    const v0 = new WireBytes().int16(27).int16(0).int32(12).string('broker-1').build();
    expect(decodeRequestFrame(v0)).toMatchObject({ ok: false, error: 'unsupported_version' });
  });
});

describe('DescribeProducers v0', () => {
  test('request lists partitions by topic', () => {
    const value = { topics: [{ name: 't', partitionIndexes: [0] }] };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .noTags()
      .noTags()
      .build();
    expectBothWays(describeProducers.request, 0, value, fixture);
  });

  test('response describes each active producer; its epoch is an int32 on the wire', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              activeProducers: [
                {
                  producerId: 1000n,
                  producerEpoch: 2,
                  lastSequence: 41,
                  lastTimestamp: 1_700_000_000_000n,
                  coordinatorEpoch: 5,
                  currentTxnStartOffset: 120n,
                },
              ],
            },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .int16(0)
      .compactString(null)
      .compactArray(1)
      .int64(1000n)
      .int32(2) // producer epoch: int32 here
      .int32(41)
      .int64(1_700_000_000_000n)
      .int32(5)
      .int64(120n)
      .noTags() // producer
      .noTags() // partition
      .noTags() // topic
      .noTags() // message
      .build();
    expectBothWays(describeProducers.response, 0, value, fixture);
  });
});

describe('DescribeTransactions v0', () => {
  test('request is a compact array of transactional ids', () => {
    const value = { transactionalIds: ['tx-a', 'tx-b'] };
    const fixture = new WireBytes().compactArray(2).compactString('tx-a').compactString('tx-b').noTags().build();
    expectBothWays(describeTransactions.request, 0, value, fixture);
  });

  test('response gives state, timeout, start time, producer and partitions per id', () => {
    const value = {
      throttleTimeMs: 0,
      transactionStates: [
        {
          errorCode: 0,
          transactionalId: 'tx-a',
          transactionState: 'Ongoing',
          transactionTimeoutMs: 60000,
          transactionStartTimeMs: 1_700_000_000_000n,
          producerId: 1000n,
          producerEpoch: 4,
          topics: [{ topic: 't', partitions: [0, 1] }],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .int16(0)
      .compactString('tx-a')
      .compactString('Ongoing')
      .int32(60000)
      .int64(1_700_000_000_000n)
      .int64(1000n)
      .int16(4)
      .compactArray(1)
      .compactString('t')
      .compactArray(2)
      .int32(0)
      .int32(1)
      .noTags() // topic
      .noTags() // transaction state
      .noTags() // message
      .build();
    expectBothWays(describeTransactions.response, 0, value, fixture);
  });
});

describe('ListTransactions v0-2', () => {
  const filters = { stateFilters: ['Ongoing'], producerIdFilters: [1000n] };
  const filterBytes = (): WireBytes =>
    new WireBytes().compactArray(1).compactString('Ongoing').compactArray(1).int64(1000n);

  test('v0 request has state and producer filters only; the later filters decode to "all"', () => {
    const decoded = { ...filters, durationFilter: -1n, transactionalIdPattern: null };
    expectBothWays(listTransactions.request, 0, filters, filterBytes().noTags().build(), decoded);
  });

  test('v1 request adds the duration filter', () => {
    const value = { ...filters, durationFilter: 60000n };
    const decoded = { ...value, transactionalIdPattern: null };
    expectBothWays(listTransactions.request, 1, value, filterBytes().int64(60000n).noTags().build(), decoded);
  });

  test('v2 request adds a nullable transactional id pattern', () => {
    const value = { ...filters, durationFilter: -1n, transactionalIdPattern: 'tx-.*' };
    const fixture = filterBytes().int64(-1n).compactString('tx-.*').noTags().build();
    expectBothWays(listTransactions.request, 2, value, fixture);
    const all = { ...value, transactionalIdPattern: null };
    expectBothWays(listTransactions.request, 2, all, filterBytes().int64(-1n).uvarint(0).noTags().build());
  });

  test('v0 request refuses a duration filter rather than listing everything', () => {
    expect(() => encodeMessage(listTransactions.request, 0, { ...filters, durationFilter: 5000n })).toThrow(
      EncodeError,
    );
  });

  test('response names unknown state filters and lists id, producer and state', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: ['Bogus'],
      transactionStates: [{ transactionalId: 'tx-a', producerId: 1000n, transactionState: 'Ongoing' }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .compactArray(1)
      .compactString('Bogus')
      .compactArray(1)
      .compactString('tx-a')
      .int64(1000n)
      .compactString('Ongoing')
      .noTags() // transaction state
      .noTags() // message
      .build();
    expectBothWays(listTransactions.response, 2, value, fixture);
  });
});
