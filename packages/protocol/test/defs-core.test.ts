/**
 * Byte fixtures for the core client APIs (Produce, Fetch, ListOffsets,
 * Metadata, FindCoordinator, InitProducerId). Each expected buffer is written
 * field by field from the protocol grammar, never by the encoder under test,
 * so a wrong version bound, type or field order in a definition shows up as a
 * byte mismatch.
 */
import { describe, expect, it } from 'vitest';
import { fetch } from '../src/messages/fetch.ts';
import { findCoordinator } from '../src/messages/find-coordinator.ts';
import { initProducerId } from '../src/messages/init-producer-id.ts';
import { listOffsets } from '../src/messages/list-offsets.ts';
import { metadata } from '../src/messages/metadata.ts';
import { produce } from '../src/messages/produce.ts';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import type { MessageDef } from '../src/schema/types.ts';

/** Builds expected wire bytes by hand: big-endian ints, classic and compact lengths. */
class Bytes {
  readonly #parts: Buffer[] = [];
  #fixed(n: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    write(b);
    this.#parts.push(b);
    return this;
  }
  i8(v: number): this {
    return this.#fixed(1, (b) => b.writeInt8(v));
  }
  i16(v: number): this {
    return this.#fixed(2, (b) => b.writeInt16BE(v));
  }
  i32(v: number): this {
    return this.#fixed(4, (b) => b.writeInt32BE(v));
  }
  i64(v: bigint): this {
    return this.#fixed(8, (b) => b.writeBigInt64BE(v));
  }
  bool(v: boolean): this {
    return this.i8(v ? 1 : 0);
  }
  uvarint(v: number): this {
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    this.#parts.push(Buffer.from(out));
    return this;
  }
  /** Classic string: int16 length (-1 for null) then UTF-8. */
  str(v: string | null): this {
    if (v === null) return this.i16(-1);
    const b = Buffer.from(v, 'utf8');
    this.i16(b.length);
    this.#parts.push(b);
    return this;
  }
  /** Compact string: uvarint length+1 (0 for null) then UTF-8. */
  cstr(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, 'utf8');
    this.uvarint(b.length + 1);
    this.#parts.push(b);
    return this;
  }
  /** Classic bytes/records: int32 length (-1 for null) then the bytes. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.i32(-1);
    this.i32(v.length);
    this.#parts.push(v);
    return this;
  }
  /** Classic array length: int32 count (-1 for null). */
  arr(n: number): this {
    return this.i32(n);
  }
  /** An empty tagged-field section. */
  noTags(): this {
    return this.uvarint(0);
  }
  build(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function expectFixture(def: MessageDef, version: number, value: Record<string, unknown>, fixture: Buffer): void {
  expect(Buffer.concat(encodeMessage(def, version, value)).toString('hex')).toBe(fixture.toString('hex'));
  expect(decodeMessage(def, version, fixture)).toEqual(value);
}

const batch = Buffer.from('not-really-a-record-batch');

describe('Produce definitions', () => {
  it('v0 request has no transactional id and v0 response no throttle time or append time', () => {
    const request = {
      acks: 1,
      timeoutMs: 100,
      topicData: [{ name: 'old', partitionData: [{ index: 0, records: batch }] }],
    };
    const requestBytes = new Bytes().i16(1).i32(100).arr(1).str('old').arr(1).i32(0).bytes(batch).build();
    expect(Buffer.concat(encodeMessage(produce.request, 0, request)).toString('hex')).toBe(
      requestBytes.toString('hex'),
    );
    expect(decodeMessage(produce.request, 0, requestBytes)).toEqual({ ...request, transactionalId: null });
    const response = {
      responses: [{ name: 'old', partitionResponses: [{ index: 0, errorCode: 43, baseOffset: -1n }] }],
    };
    const responseBytes = new Bytes().arr(1).str('old').arr(1).i32(0).i16(43).i64(-1n).build();
    expect(Buffer.concat(encodeMessage(produce.response, 0, response)).toString('hex')).toBe(
      responseBytes.toString('hex'),
    );
  });

  it('v3 request with a null transactional id encodes and decodes to the hand-built bytes', () => {
    const value = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'orders', partitionData: [{ index: 2, records: batch }] }],
    };
    const fixture = new Bytes().str(null).i16(-1).i32(30000).arr(1).str('orders').arr(1).i32(2).bytes(batch).build();
    expectFixture(produce.request, 3, value, fixture);
  });

  it('v7 request with a transactional id and a null record set encodes and decodes to the hand-built bytes', () => {
    const value = {
      transactionalId: 'tx-1',
      acks: 1,
      timeoutMs: 1500,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }],
    };
    const fixture = new Bytes().str('tx-1').i16(1).i32(1500).arr(1).str('t').arr(1).i32(0).bytes(null).build();
    expectFixture(produce.request, 7, value, fixture);
  });

  it('v3 response omits logStartOffset from the wire and decodes it as -1', () => {
    const value = {
      responses: [
        {
          name: 'orders',
          partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: -1n }],
        },
      ],
      throttleTimeMs: 7,
    };
    const fixture = new Bytes().arr(1).str('orders').arr(1).i32(2).i16(0).i64(42n).i64(-1n).i32(7).build();
    expectFixture(produce.response, 3, value, fixture);
  });

  it('v7 response carries logStartOffset after logAppendTimeMs', () => {
    const value = {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            { index: 0, errorCode: 6, baseOffset: -1n, logAppendTimeMs: 1_700_000_000_000n, logStartOffset: 5n },
          ],
        },
      ],
      throttleTimeMs: 0,
    };
    const fixture = new Bytes()
      .arr(1)
      .str('orders')
      .arr(1)
      .i32(0)
      .i16(6)
      .i64(-1n)
      .i64(1_700_000_000_000n)
      .i64(5n)
      .i32(0)
      .build();
    expectFixture(produce.response, 7, value, fixture);
  });
});

describe('Fetch definitions', () => {
  it('v4 request has isolation level but no session, leader epoch, log start offset or rack', () => {
    const value = {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 100n,
              logStartOffset: -1n,
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
    const fixture = new Bytes()
      .i32(-1)
      .i32(500)
      .i32(1)
      .i32(52428800)
      .i8(1)
      .arr(1)
      .str('orders')
      .arr(1)
      .i32(0)
      .i64(100n)
      .i32(1048576)
      .build();
    expectFixture(fetch.request, 4, value, fixture);
  });

  it('v11 request carries session, leader epoch, log start offset, forgotten topics and rack id', () => {
    const value = {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 12,
      sessionEpoch: 3,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 1, currentLeaderEpoch: 4, fetchOffset: 200n, logStartOffset: -1n, partitionMaxBytes: 65536 },
          ],
        },
      ],
      forgottenTopicsData: [{ topic: 'old', partitions: [0, 3] }],
      rackId: 'rack-a',
    };
    const fixture = new Bytes()
      .i32(-1)
      .i32(500)
      .i32(1)
      .i32(0x7fffffff)
      .i8(0)
      .i32(12)
      .i32(3)
      .arr(1)
      .str('orders')
      .arr(1)
      .i32(1)
      .i32(4)
      .i64(200n)
      .i64(-1n)
      .i32(65536)
      .arr(1)
      .str('old')
      .arr(2)
      .i32(0)
      .i32(3)
      .str('rack-a')
      .build();
    expectFixture(fetch.request, 11, value, fixture);
  });

  it('v4 response has throttle time, last stable offset and aborted transactions', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 300n,
              lastStableOffset: 290n,
              logStartOffset: -1n,
              abortedTransactions: [{ producerId: 9n, firstOffset: 280n }],
              preferredReadReplica: -1,
              records: batch,
            },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .arr(1)
      .str('orders')
      .arr(1)
      .i32(0)
      .i16(0)
      .i64(300n)
      .i64(290n)
      .arr(1)
      .i64(9n)
      .i64(280n)
      .bytes(batch)
      .build();
    expectFixture(fetch.response, 4, value, fixture);
  });

  it('v11 response has session fields, a null aborted list and the preferred read replica', () => {
    const value = {
      throttleTimeMs: 5,
      errorCode: 0,
      sessionId: 12,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 1,
              errorCode: 1,
              highWatermark: -1n,
              lastStableOffset: -1n,
              logStartOffset: 10n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: null,
            },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(5)
      .i16(0)
      .i32(12)
      .arr(1)
      .str('orders')
      .arr(1)
      .i32(1)
      .i16(1)
      .i64(-1n)
      .i64(-1n)
      .i64(10n)
      .arr(-1)
      .i32(-1)
      .bytes(null)
      .build();
    expectFixture(fetch.response, 11, value, fixture);
  });
});

describe('ListOffsets definitions', () => {
  it('v2 request carries the isolation level after the replica id', () => {
    const value = {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, timestamp: -2n }] }],
    };
    const fixture = new Bytes().i32(-1).i8(1).arr(1).str('orders').arr(1).i32(3).i64(-2n).build();
    expectFixture(listOffsets.request, 2, value, fixture);
  });

  it('v1 response has a single timestamp and offset per partition and no throttle time', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, errorCode: 0, timestamp: -1n, offset: 77n }] }],
    };
    const fixture = new Bytes().arr(1).str('orders').arr(1).i32(3).i16(0).i64(-1n).i64(77n).build();
    expectFixture(listOffsets.response, 1, value, fixture);
  });

  it('v3 response starts with the throttle time', () => {
    const value = {
      throttleTimeMs: 9,
      topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 3, timestamp: -1n, offset: -1n }] }],
    };
    const fixture = new Bytes().i32(9).arr(1).str('a').arr(1).i32(0).i16(3).i64(-1n).i64(-1n).build();
    expectFixture(listOffsets.response, 3, value, fixture);
  });
});

describe('Metadata definitions', () => {
  it('v1 request with null topics (all topics) encodes as array length -1', () => {
    const value = { topics: null, allowAutoTopicCreation: true };
    expectFixture(metadata.request, 1, value, new Bytes().arr(-1).build());
  });

  it('v4 request lists topics then allowAutoTopicCreation', () => {
    const value = { topics: [{ name: 'orders' }, { name: 'users' }], allowAutoTopicCreation: false };
    const fixture = new Bytes().arr(2).str('orders').str('users').bool(false).build();
    expectFixture(metadata.request, 4, value, fixture);
  });

  it('v0 response has no rack, cluster id, controller id, internal flag or offline replicas', () => {
    const value = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'b1', port: 9092, rack: null }],
      clusterId: null,
      controllerId: -1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .arr(1)
      .i32(1)
      .str('b1')
      .i32(9092)
      .arr(1)
      .i16(0)
      .str('orders')
      .arr(1)
      .i16(0)
      .i32(0)
      .i32(1)
      .arr(1)
      .i32(1)
      .arr(1)
      .i32(1)
      .build();
    expectFixture(metadata.response, 0, value, fixture);
  });

  it('v6 response carries every field of the range in wire order', () => {
    const value = {
      throttleTimeMs: 0,
      brokers: [
        { nodeId: 1, host: 'b1', port: 9092, rack: 'r1' },
        { nodeId: 2, host: 'b2', port: 9093, rack: null },
      ],
      clusterId: 'cluster-x',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: '__consumer_offsets',
          isInternal: true,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 2,
              replicaNodes: [2, 1],
              isrNodes: [2],
              offlineReplicas: [1],
            },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .arr(2)
      .i32(1)
      .str('b1')
      .i32(9092)
      .str('r1')
      .i32(2)
      .str('b2')
      .i32(9093)
      .str(null)
      .str('cluster-x')
      .i32(1)
      .arr(1)
      .i16(0)
      .str('__consumer_offsets')
      .bool(true)
      .arr(1)
      .i16(0)
      .i32(0)
      .i32(2)
      .arr(2)
      .i32(2)
      .i32(1)
      .arr(1)
      .i32(2)
      .arr(1)
      .i32(1)
      .build();
    expectFixture(metadata.response, 6, value, fixture);
  });
});

describe('FindCoordinator definitions', () => {
  it('v1 request carries the key type after the key', () => {
    const value = { key: 'my-tx', keyType: 1 };
    expectFixture(findCoordinator.request, 1, value, new Bytes().str('my-tx').i8(1).build());
  });

  it('v0 request is just the key', () => {
    const value = { key: 'group-a', keyType: 0 };
    expectFixture(findCoordinator.request, 0, value, new Bytes().str('group-a').build());
  });

  it('v2 response has throttle time, error and coordinator address', () => {
    const value = { throttleTimeMs: 0, errorCode: 15, errorMessage: null, nodeId: -1, host: '', port: -1 };
    const fixture = new Bytes().i32(0).i16(15).str(null).i32(-1).str('').i32(-1).build();
    expectFixture(findCoordinator.response, 2, value, fixture);
  });
});

describe('InitProducerId definitions', () => {
  it('v0 request uses classic strings and no tagged fields', () => {
    const value = { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 };
    expectFixture(initProducerId.request, 0, value, new Bytes().str(null).i32(60000).build());
  });

  it('v4 request uses a compact string, carries producer id and epoch, and ends with tagged fields', () => {
    const value = { transactionalId: 'tx-1', transactionTimeoutMs: 60000, producerId: 1000n, producerEpoch: 5 };
    const fixture = new Bytes().cstr('tx-1').i32(60000).i64(1000n).i16(5).noTags().build();
    expectFixture(initProducerId.request, 4, value, fixture);
  });

  it('v2 request encodes a null transactional id as compact length 0', () => {
    const value = { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 };
    expectFixture(initProducerId.request, 2, value, new Bytes().cstr(null).i32(1000).noTags().build());
  });

  it('v1 response is throttle time, error, producer id and epoch', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, producerId: 4000n, producerEpoch: 0 };
    const fixture = new Bytes().i32(0).i16(0).i64(4000n).i16(0).build();
    expectFixture(initProducerId.response, 1, value, fixture);
  });

  it('v4 response ends with an empty tagged-field section', () => {
    const value = { throttleTimeMs: 3, errorCode: 0, producerId: 4000n, producerEpoch: 6 };
    const fixture = new Bytes().i32(3).i16(0).i64(4000n).i16(6).noTags().build();
    expectFixture(initProducerId.response, 4, value, fixture);
  });
});
