/**
 * Byte fixtures for the admin, SASL and ACL APIs (CreateTopics, DeleteTopics,
 * DescribeConfigs, AlterConfigs, CreatePartitions, DeleteRecords,
 * SaslHandshake, SaslAuthenticate, DescribeAcls, CreateAcls, DeleteAcls).
 * Each expected buffer is written field by field from the protocol grammar,
 * never by the encoder under test; both directions are checked.
 */
import { describe, expect, it } from 'vitest';
import { alterConfigs } from '../src/messages/alter-configs.ts';
import { createAcls } from '../src/messages/create-acls.ts';
import { createPartitions } from '../src/messages/create-partitions.ts';
import { createTopics } from '../src/messages/create-topics.ts';
import { deleteAcls } from '../src/messages/delete-acls.ts';
import { deleteRecords } from '../src/messages/delete-records.ts';
import { deleteTopics } from '../src/messages/delete-topics.ts';
import { describeAcls } from '../src/messages/describe-acls.ts';
import { describeConfigs } from '../src/messages/describe-configs.ts';
import { saslAuthenticate } from '../src/messages/sasl-authenticate.ts';
import { saslHandshake } from '../src/messages/sasl-handshake.ts';
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

describe('CreateTopics definitions', () => {
  it('v4 request with an assignment, a null config value and validateOnly encodes and decodes to the hand-built bytes', () => {
    const value = {
      topics: [
        {
          name: 'orders',
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
          configs: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: null },
          ],
        },
      ],
      timeoutMs: 30000,
      validateOnly: true,
    };
    const fixture = new Bytes()
      .arr(1)
      .str('orders')
      .i32(-1)
      .i16(-1)
      .arr(1)
      .i32(0)
      .arr(2)
      .i32(1)
      .i32(2)
      .arr(2)
      .str('cleanup.policy')
      .str('compact')
      .str('retention.ms')
      .str(null)
      .i32(30000)
      .bool(true)
      .build();
    expectFixture(createTopics.request, 4, value, fixture);
  });

  it('v3 response has throttle time and a per-topic error message', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        { name: 'orders', errorCode: 36, errorMessage: 'Topic already exists.' },
        { name: 'users', errorCode: 0, errorMessage: null },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .arr(2)
      .str('orders')
      .i16(36)
      .str('Topic already exists.')
      .str('users')
      .i16(0)
      .str(null)
      .build();
    expectFixture(createTopics.response, 3, value, fixture);
  });
});

describe('DeleteTopics definitions', () => {
  it('v1 request is a list of topic names then the timeout', () => {
    const value = { topicNames: ['a', 'bb'], timeoutMs: 5000 };
    expectFixture(deleteTopics.request, 1, value, new Bytes().arr(2).str('a').str('bb').i32(5000).build());
  });

  it('v3 response has throttle time and per-topic error codes', () => {
    const value = { throttleTimeMs: 0, responses: [{ name: 'a', errorCode: 73 }] };
    expectFixture(deleteTopics.response, 3, value, new Bytes().i32(0).arr(1).str('a').i16(73).build());
  });
});

describe('DescribeConfigs definitions', () => {
  it('v1 request with null configuration keys (all keys) and includeSynonyms', () => {
    const value = {
      resources: [
        { resourceType: 2, resourceName: 'orders', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms'] },
      ],
      includeSynonyms: true,
    };
    const fixture = new Bytes()
      .arr(2)
      .i8(2)
      .str('orders')
      .arr(-1)
      .i8(4)
      .str('1')
      .arr(1)
      .str('log.retention.ms')
      .bool(true)
      .build();
    expectFixture(describeConfigs.request, 1, value, fixture);
  });

  it('v2 response carries config source and synonyms', () => {
    const value = {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configs: [
            {
              name: 'retention.ms',
              value: '1000',
              readOnly: false,
              configSource: 1,
              isSensitive: false,
              synonyms: [
                { name: 'retention.ms', value: '1000', source: 1 },
                { name: 'log.retention.ms', value: null, source: 5 },
              ],
            },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .arr(1)
      .i16(0)
      .str(null)
      .i8(2)
      .str('orders')
      .arr(1)
      .str('retention.ms')
      .str('1000')
      .bool(false)
      .i8(1)
      .bool(false)
      .arr(2)
      .str('retention.ms')
      .str('1000')
      .i8(1)
      .str('log.retention.ms')
      .str(null)
      .i8(5)
      .build();
    expectFixture(describeConfigs.response, 2, value, fixture);
  });
});

describe('AlterConfigs definitions', () => {
  it('v0 request lists resources with their configs then validateOnly', () => {
    const value = {
      resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '5000' }] }],
      validateOnly: false,
    };
    const fixture = new Bytes().arr(1).i8(2).str('orders').arr(1).str('retention.ms').str('5000').bool(false).build();
    expectFixture(alterConfigs.request, 0, value, fixture);
  });

  it('v1 response has per-resource error code and message', () => {
    const value = {
      throttleTimeMs: 2,
      responses: [{ errorCode: 40, errorMessage: 'bad value', resourceType: 2, resourceName: 'orders' }],
    };
    const fixture = new Bytes().i32(2).arr(1).i16(40).str('bad value').i8(2).str('orders').build();
    expectFixture(alterConfigs.response, 1, value, fixture);
  });
});

describe('CreatePartitions definitions', () => {
  it('v1 request with a null and an explicit assignment list', () => {
    const value = {
      topics: [
        { name: 'a', count: 4, assignments: null },
        { name: 'b', count: 2, assignments: [{ brokerIds: [3] }] },
      ],
      timeoutMs: 10000,
      validateOnly: false,
    };
    const fixture = new Bytes()
      .arr(2)
      .str('a')
      .i32(4)
      .arr(-1)
      .str('b')
      .i32(2)
      .arr(1)
      .arr(1)
      .i32(3)
      .i32(10000)
      .bool(false)
      .build();
    expectFixture(createPartitions.request, 1, value, fixture);
  });

  it('v0 response has per-topic error code and message', () => {
    const value = { throttleTimeMs: 0, results: [{ name: 'a', errorCode: 37, errorMessage: 'too few' }] };
    const fixture = new Bytes().i32(0).arr(1).str('a').i16(37).str('too few').build();
    expectFixture(createPartitions.response, 0, value, fixture);
  });
});

describe('DeleteRecords definitions', () => {
  it('v1 request lists partitions with their deletion offsets then the timeout', () => {
    const value = { topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, offset: 500n }] }], timeoutMs: 3000 };
    const fixture = new Bytes().arr(1).str('orders').arr(1).i32(1).i64(500n).i32(3000).build();
    expectFixture(deleteRecords.request, 1, value, fixture);
  });

  it('v1 response has the low watermark before the error code', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, lowWatermark: 500n, errorCode: 0 }] }],
    };
    const fixture = new Bytes().i32(0).arr(1).str('orders').arr(1).i32(1).i64(500n).i16(0).build();
    expectFixture(deleteRecords.response, 1, value, fixture);
  });
});

describe('SaslHandshake definitions', () => {
  it('v0 request is the mechanism name', () => {
    expectFixture(saslHandshake.request, 0, { mechanism: 'PLAIN' }, new Bytes().str('PLAIN').build());
  });

  it('v1 response lists the enabled mechanisms', () => {
    const value = { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] };
    const fixture = new Bytes().i16(33).arr(2).str('PLAIN').str('SCRAM-SHA-256').build();
    expectFixture(saslHandshake.response, 1, value, fixture);
  });
});

describe('SaslAuthenticate definitions', () => {
  const token = Buffer.from('\u0000user\u0000secret');

  it('v0 request is the auth bytes with an int32 length', () => {
    expectFixture(saslAuthenticate.request, 0, { authBytes: token }, new Bytes().bytes(token).build());
  });

  it('v0 response has no session lifetime and decodes it as 0', () => {
    const value = { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    const fixture = new Bytes().i16(0).str(null).bytes(Buffer.alloc(0)).build();
    expectFixture(saslAuthenticate.response, 0, value, fixture);
  });

  it('v1 response carries the session lifetime after the auth bytes', () => {
    const value = {
      errorCode: 58,
      errorMessage: 'Authentication failed',
      authBytes: Buffer.from('x'),
      sessionLifetimeMs: 3_600_000n,
    };
    const fixture = new Bytes().i16(58).str('Authentication failed').bytes(Buffer.from('x')).i64(3_600_000n).build();
    expectFixture(saslAuthenticate.response, 1, value, fixture);
  });
});

describe('DescribeAcls definitions', () => {
  it('v1 request with null filters and a pattern type filter', () => {
    const value = {
      resourceTypeFilter: 2,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: 'User:alice',
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    };
    const fixture = new Bytes().i8(2).str(null).i8(1).str('User:alice').str(null).i8(1).i8(1).build();
    expectFixture(describeAcls.request, 1, value, fixture);
  });

  it('v1 response groups ACLs by resource with a pattern type', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          patternType: 3,
          acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .i16(0)
      .str(null)
      .arr(1)
      .i8(2)
      .str('orders')
      .i8(3)
      .arr(1)
      .str('User:alice')
      .str('*')
      .i8(3)
      .i8(3)
      .build();
    expectFixture(describeAcls.response, 1, value, fixture);
  });
});

describe('CreateAcls definitions', () => {
  it('v1 request carries the resource pattern type after the resource name', () => {
    const value = {
      creations: [
        {
          resourceType: 2,
          resourceName: 'ord',
          resourcePatternType: 4,
          principal: 'User:bob',
          host: '*',
          operation: 4,
          permissionType: 3,
        },
      ],
    };
    const fixture = new Bytes().arr(1).i8(2).str('ord').i8(4).str('User:bob').str('*').i8(4).i8(3).build();
    expectFixture(createAcls.request, 1, value, fixture);
  });

  it('v1 response has one result per creation', () => {
    const value = { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] };
    expectFixture(createAcls.response, 1, value, new Bytes().i32(0).arr(1).i16(0).str(null).build());
  });
});

describe('DeleteAcls definitions', () => {
  it('v1 request lists filters with a pattern type filter', () => {
    const value = {
      filters: [
        {
          resourceTypeFilter: 1,
          resourceNameFilter: 'orders',
          patternTypeFilter: 3,
          principalFilter: null,
          hostFilter: '*',
          operation: 1,
          permissionType: 1,
        },
      ],
    };
    const fixture = new Bytes().arr(1).i8(1).str('orders').i8(3).str(null).str('*').i8(1).i8(1).build();
    expectFixture(deleteAcls.request, 1, value, fixture);
  });

  it('v1 response lists the ACLs each filter matched', () => {
    const value = {
      throttleTimeMs: 0,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            {
              errorCode: 0,
              errorMessage: null,
              resourceType: 2,
              resourceName: 'orders',
              patternType: 3,
              principal: 'User:alice',
              host: '*',
              operation: 3,
              permissionType: 3,
            },
          ],
        },
      ],
    };
    const fixture = new Bytes()
      .i32(0)
      .arr(1)
      .i16(0)
      .str(null)
      .arr(1)
      .i16(0)
      .str(null)
      .i8(2)
      .str('orders')
      .i8(3)
      .str('User:alice')
      .str('*')
      .i8(3)
      .i8(3)
      .build();
    expectFixture(deleteAcls.response, 1, value, fixture);
  });
});
