/**
 * Byte fixtures for ElectLeaders (43), v0-2 (flexible from v2). Each
 * expected buffer is written field by field from the protocol grammar,
 * never by the encoder under test; both directions are checked.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequestFrame } from '../src/index.ts';
import { electLeaders } from '../src/messages/elect-leaders.ts';
import { encodeMessage } from '../src/schema/codec.ts';
import { testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('ElectLeaders definitions', () => {
  testAdvertisedRanges([[electLeaders, 43, '0-2', '2+']]);

  const named = { topicPartitions: [{ topic: 'orders', partitions: [0, 2] }], timeoutMs: 30000 };

  it('v0 request has no election type: classic array of topics with int32 partition arrays', () => {
    const fixture = new WireBytes().array(1).string('orders').array(2).int32(0).int32(2).int32(30000).build();
    expectBothWays(electLeaders.request, 0, named, fixture, { electionType: 0, ...named });
  });

  it('v1 request starts with the election type as an int8 and a null topic list asks for every partition', () => {
    const value = { electionType: 1, topicPartitions: null, timeoutMs: 60000 };
    const fixture = new WireBytes().int8(1).array(null).int32(60000).build();
    expectBothWays(electLeaders.request, 1, value, fixture);
  });

  it('v2 request is flexible: compact arrays and strings, tags after every struct', () => {
    const value = { electionType: 0, ...named };
    const fixture = new WireBytes()
      .int8(0)
      .compactArray(1)
      .compactString('orders')
      .compactArray(2)
      .int32(0)
      .int32(2)
      .noTags()
      .int32(30000)
      .noTags()
      .build();
    expectBothWays(electLeaders.request, 2, value, fixture);
  });

  it('v2 request with a null topic list encodes the null as compact length 0', () => {
    const value = { electionType: 0, topicPartitions: null, timeoutMs: 60000 };
    const fixture = new WireBytes().int8(0).uvarint(0).int32(60000).noTags().build();
    expectBothWays(electLeaders.request, 2, value, fixture);
  });

  it('a v2 frame carries request header v2 (tagged fields after the client id)', () => {
    const frame = Buffer.concat([
      new WireBytes().int16(43).int16(2).int32(9).string('admin').noTags().build(),
      new WireBytes().int8(0).uvarint(0).int32(60000).noTags().build(),
    ]);
    expect(decodeRequestFrame(frame)).toEqual({
      ok: true,
      header: { apiKey: 43, apiVersion: 2, correlationId: 9, clientId: 'admin' },
      body: { electionType: 0, topicPartitions: null, timeoutMs: 60000 },
    });
  });

  const results = [
    {
      topic: 'orders',
      partitionResult: [
        { partitionId: 0, errorCode: 0, errorMessage: null },
        { partitionId: 2, errorCode: 84, errorMessage: 'not needed' },
      ],
    },
  ];

  it('v0 response has no top-level error code: per-partition errors only', () => {
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .string('orders')
      .array(2)
      .int32(0)
      .int16(0)
      .string(null)
      .int32(2)
      .int16(84)
      .string('not needed')
      .build();
    const value = { throttleTimeMs: 0, replicaElectionResults: results };
    expectBothWays(electLeaders.response, 0, value, fixture, { ...value, errorCode: 0 });
  });

  it('v0 response refuses to drop a non-zero top-level error code', () => {
    expect(() =>
      encodeMessage(electLeaders.response, 0, { throttleTimeMs: 0, errorCode: 41, replicaElectionResults: [] }),
    ).toThrow();
  });

  it('v1 response adds the top-level error code after the throttle time', () => {
    const value = { throttleTimeMs: 5, errorCode: 41, replicaElectionResults: [] };
    const fixture = new WireBytes().int32(5).int16(41).array(0).build();
    expectBothWays(electLeaders.response, 1, value, fixture);
  });

  it('v2 response is flexible: compact arrays and nullable compact strings, tags after every struct', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: results };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .compactArray(1)
      .compactString('orders')
      .compactArray(2)
      .int32(0)
      .int16(0)
      .compactString(null)
      .noTags()
      .int32(2)
      .int16(84)
      .compactString('not needed')
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(electLeaders.response, 2, value, fixture);
  });
});
