/**
 * Byte fixtures for the consumer protocol (the JoinGroup metadata and SyncGroup
 * assignment bodies). Expected bytes are built by hand from the spec, never by
 * the encoder, and checked both ways. The int16 version prefix that precedes
 * these bodies on the wire is not part of the definitions.
 */
import { describe, expect, test } from 'vitest';
import { consumerProtocolAssignment, consumerProtocolSubscription } from '../src/consumer-protocol.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('ConsumerProtocolSubscription', () => {
  test('is a never-flexible data definition covering versions 0-3', () => {
    const d = consumerProtocolSubscription;
    expect([d.kind, d.validVersions, d.flexibleVersions]).toEqual(['data', '0-3', 'none']);
  });

  test('v3 body with owned partitions, generation and rack matches the fixture both ways', () => {
    const value = {
      topics: ['a', 'b'],
      userData: null,
      ownedPartitions: [{ topic: 'a', partitions: [0, 2] }],
      generationId: 5,
      rackId: 'rack-1',
    };
    const fixture = new WireBytes()
      .array(2)
      .string('a')
      .string('b')
      .bytes(null)
      .array(1)
      .string('a')
      .array(2)
      .int32(0)
      .int32(2)
      .int32(5)
      .string('rack-1')
      .build();
    expectBothWays(consumerProtocolSubscription, 3, value, fixture);
  });

  test('v0 body is topics and user data only; later fields decode to their defaults', () => {
    const value = { topics: ['a'], userData: Buffer.from([7, 7]), ownedPartitions: [], generationId: -1, rackId: null };
    const fixture = new WireBytes()
      .array(1)
      .string('a')
      .bytes(Buffer.from([7, 7]))
      .build();
    expectBothWays(consumerProtocolSubscription, 0, value, fixture);
  });
});

describe('ConsumerProtocolAssignment', () => {
  test('is a never-flexible data definition covering versions 0-3', () => {
    const d = consumerProtocolAssignment;
    expect([d.kind, d.validVersions, d.flexibleVersions]).toEqual(['data', '0-3', 'none']);
  });

  test('v3 body assigns partitions of two topics with null user data', () => {
    const value = {
      assignedPartitions: [
        { topic: 'a', partitions: [1] },
        { topic: 'b', partitions: [0, 3] },
      ],
      userData: null,
    };
    const fixture = new WireBytes()
      .array(2)
      .string('a')
      .array(1)
      .int32(1)
      .string('b')
      .array(2)
      .int32(0)
      .int32(3)
      .bytes(null)
      .build();
    expectBothWays(consumerProtocolAssignment, 3, value, fixture);
  });

  test('v0 body with empty assignment and user data matches the fixture both ways', () => {
    const value = { assignedPartitions: [], userData: Buffer.from('ud') };
    const fixture = new WireBytes().array(0).bytes(Buffer.from('ud')).build();
    expectBothWays(consumerProtocolAssignment, 0, value, fixture);
  });
});
