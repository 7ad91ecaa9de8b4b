/**
 * Byte fixtures for the consumer protocol (the JoinGroup metadata and SyncGroup
 * assignment bodies). Expected bytes are built by hand from the spec, never by
 * the encoder, and checked both ways. The int16 version prefix that precedes
 * these bodies on the wire is not part of the definitions.
 */
import { describe, expect, test } from 'vitest';
import { consumerProtocolAssignment, consumerProtocolSubscription } from '../src/consumer-protocol.ts';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import type { MessageDef } from '../src/schema/types.ts';

/** Non-flexible wire primitives, written with plain Buffer calls. */
class Wire {
  readonly #parts: Buffer[] = [];

  #put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.#parts.push(b);
    return this;
  }
  int16(v: number): this {
    return this.#put(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.#put(4, (b) => b.writeInt32BE(v));
  }
  /** int16 byte length then UTF-8; -1 for null. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const utf8 = Buffer.from(v, 'utf8');
    this.int16(utf8.length);
    this.#parts.push(utf8);
    return this;
  }
  /** int32 byte length then the bytes; -1 for null. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.#parts.push(v);
    return this;
  }
  array(count: number): this {
    return this.int32(count);
  }
  build(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function expectBothWays(def: MessageDef, version: number, value: Record<string, unknown>, fixture: Buffer): void {
  expect(Buffer.concat(encodeMessage(def, version, value)).toString('hex')).toBe(fixture.toString('hex'));
  expect(decodeMessage(def, version, fixture)).toEqual(value);
}

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
    const fixture = new Wire()
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
    const fixture = new Wire()
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
    const fixture = new Wire()
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
    const fixture = new Wire().array(0).bytes(Buffer.from('ud')).build();
    expectBothWays(consumerProtocolAssignment, 0, value, fixture);
  });
});
