/**
 * Byte fixtures for the admin, SASL and ACL APIs (CreateTopics, DeleteTopics,
 * DescribeConfigs, AlterConfigs, CreatePartitions, DeleteRecords,
 * SaslHandshake, SaslAuthenticate, DescribeAcls, CreateAcls, DeleteAcls).
 * Each expected buffer is written field by field from the protocol grammar,
 * never by the encoder under test; both directions are checked.
 */
import { describe, it } from 'vitest';
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
import { expectBothWays, WireBytes } from './wire-bytes.ts';

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
    const fixture = new WireBytes()
      .array(1)
      .string('orders')
      .int32(-1)
      .int16(-1)
      .array(1)
      .int32(0)
      .array(2)
      .int32(1)
      .int32(2)
      .array(2)
      .string('cleanup.policy')
      .string('compact')
      .string('retention.ms')
      .string(null)
      .int32(30000)
      .bool(true)
      .build();
    expectBothWays(createTopics.request, 4, value, fixture);
  });

  it('v3 response has throttle time and a per-topic error message', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        { name: 'orders', errorCode: 36, errorMessage: 'Topic already exists.' },
        { name: 'users', errorCode: 0, errorMessage: null },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .array(2)
      .string('orders')
      .int16(36)
      .string('Topic already exists.')
      .string('users')
      .int16(0)
      .string(null)
      .build();
    // Fields of v5+ decode to their defaults: no id, -1 counts, no configs.
    const decoded = {
      ...value,
      topics: value.topics.map((t) => ({
        ...t,
        topicId: '00000000-0000-0000-0000-000000000000',
        topicConfigErrorCode: 0,
        numPartitions: -1,
        replicationFactor: -1,
        configs: [],
      })),
    };
    expectBothWays(createTopics.response, 3, value, fixture, decoded);
  });
});

describe('DeleteTopics definitions', () => {
  it('v1 request is a list of topic names then the timeout', () => {
    const value = { topicNames: ['a', 'bb'], timeoutMs: 5000 };
    expectBothWays(
      deleteTopics.request,
      1,
      value,
      new WireBytes().array(2).string('a').string('bb').int32(5000).build(),
      { ...value, topics: [] },
    );
  });

  it('v3 response has throttle time and per-topic error codes', () => {
    const value = { throttleTimeMs: 0, responses: [{ name: 'a', errorCode: 73 }] };
    const fixture = new WireBytes().int32(0).array(1).string('a').int16(73).build();
    const decoded = {
      ...value,
      responses: [{ name: 'a', topicId: '00000000-0000-0000-0000-000000000000', errorCode: 73, errorMessage: null }],
    };
    expectBothWays(deleteTopics.response, 3, value, fixture, decoded);
  });
});

describe('DescribeConfigs definitions', () => {
  it('v3 response adds the config type and documentation after the synonyms', () => {
    const value = {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 4,
          resourceName: '1',
          configs: [
            {
              name: 'num.partitions',
              value: '1',
              readOnly: false,
              configSource: 5,
              isSensitive: false,
              synonyms: [],
              configType: 3,
              documentation: 'Partitions',
            },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .int16(0)
      .string(null)
      .int8(4)
      .string('1')
      .array(1)
      .string('num.partitions')
      .string('1')
      .bool(false)
      .int8(5)
      .bool(false)
      .array(0)
      .int8(3)
      .string('Partitions')
      .build();
    expectBothWays(describeConfigs.response, 3, value, fixture);
  });

  it('v1 request with null configuration keys (all keys) and includeSynonyms', () => {
    const value = {
      resources: [
        { resourceType: 2, resourceName: 'orders', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms'] },
      ],
      includeSynonyms: true,
      // v3+ only: decoding an older version fills the default.
      includeDocumentation: false,
    };
    const fixture = new WireBytes()
      .array(2)
      .int8(2)
      .string('orders')
      .array(-1)
      .int8(4)
      .string('1')
      .array(1)
      .string('log.retention.ms')
      .bool(true)
      .build();
    expectBothWays(describeConfigs.request, 1, value, fixture);
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
              configType: 0,
              // Absent before v3: decoding fills the string zero value.
              documentation: '',
            },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .int16(0)
      .string(null)
      .int8(2)
      .string('orders')
      .array(1)
      .string('retention.ms')
      .string('1000')
      .bool(false)
      .int8(1)
      .bool(false)
      .array(2)
      .string('retention.ms')
      .string('1000')
      .int8(1)
      .string('log.retention.ms')
      .string(null)
      .int8(5)
      .build();
    expectBothWays(describeConfigs.response, 2, value, fixture);
  });
});

describe('AlterConfigs definitions', () => {
  it('v0 request lists resources with their configs then validateOnly', () => {
    const value = {
      resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '5000' }] }],
      validateOnly: false,
    };
    const fixture = new WireBytes()
      .array(1)
      .int8(2)
      .string('orders')
      .array(1)
      .string('retention.ms')
      .string('5000')
      .bool(false)
      .build();
    expectBothWays(alterConfigs.request, 0, value, fixture);
  });

  it('v1 response has per-resource error code and message', () => {
    const value = {
      throttleTimeMs: 2,
      responses: [{ errorCode: 40, errorMessage: 'bad value', resourceType: 2, resourceName: 'orders' }],
    };
    const fixture = new WireBytes().int32(2).array(1).int16(40).string('bad value').int8(2).string('orders').build();
    expectBothWays(alterConfigs.response, 1, value, fixture);
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
    const fixture = new WireBytes()
      .array(2)
      .string('a')
      .int32(4)
      .array(-1)
      .string('b')
      .int32(2)
      .array(1)
      .array(1)
      .int32(3)
      .int32(10000)
      .bool(false)
      .build();
    expectBothWays(createPartitions.request, 1, value, fixture);
  });

  it('v0 response has per-topic error code and message', () => {
    const value = { throttleTimeMs: 0, results: [{ name: 'a', errorCode: 37, errorMessage: 'too few' }] };
    const fixture = new WireBytes().int32(0).array(1).string('a').int16(37).string('too few').build();
    expectBothWays(createPartitions.response, 0, value, fixture);
  });
});

describe('DeleteRecords definitions', () => {
  it('v1 request lists partitions with their deletion offsets then the timeout', () => {
    const value = { topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, offset: 500n }] }], timeoutMs: 3000 };
    const fixture = new WireBytes().array(1).string('orders').array(1).int32(1).int64(500n).int32(3000).build();
    expectBothWays(deleteRecords.request, 1, value, fixture);
  });

  it('v1 response has the low watermark before the error code', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, lowWatermark: 500n, errorCode: 0 }] }],
    };
    const fixture = new WireBytes().int32(0).array(1).string('orders').array(1).int32(1).int64(500n).int16(0).build();
    expectBothWays(deleteRecords.response, 1, value, fixture);
  });
});

describe('SaslHandshake definitions', () => {
  it('v0 request is the mechanism name', () => {
    expectBothWays(saslHandshake.request, 0, { mechanism: 'PLAIN' }, new WireBytes().string('PLAIN').build());
  });

  it('v1 response lists the enabled mechanisms', () => {
    const value = { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] };
    const fixture = new WireBytes().int16(33).array(2).string('PLAIN').string('SCRAM-SHA-256').build();
    expectBothWays(saslHandshake.response, 1, value, fixture);
  });
});

describe('SaslAuthenticate definitions', () => {
  const token = Buffer.from('\u0000user\u0000secret');

  it('v0 request is the auth bytes with an int32 length', () => {
    expectBothWays(saslAuthenticate.request, 0, { authBytes: token }, new WireBytes().bytes(token).build());
  });

  it('v0 response has no session lifetime and decodes it as 0', () => {
    const value = { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    const fixture = new WireBytes().int16(0).string(null).bytes(Buffer.alloc(0)).build();
    expectBothWays(saslAuthenticate.response, 0, value, fixture);
  });

  it('v1 response carries the session lifetime after the auth bytes', () => {
    const value = {
      errorCode: 58,
      errorMessage: 'Authentication failed',
      authBytes: Buffer.from('x'),
      sessionLifetimeMs: 3_600_000n,
    };
    const fixture = new WireBytes()
      .int16(58)
      .string('Authentication failed')
      .bytes(Buffer.from('x'))
      .int64(3_600_000n)
      .build();
    expectBothWays(saslAuthenticate.response, 1, value, fixture);
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
    const fixture = new WireBytes()
      .int8(2)
      .string(null)
      .int8(1)
      .string('User:alice')
      .string(null)
      .int8(1)
      .int8(1)
      .build();
    expectBothWays(describeAcls.request, 1, value, fixture);
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
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .string(null)
      .array(1)
      .int8(2)
      .string('orders')
      .int8(3)
      .array(1)
      .string('User:alice')
      .string('*')
      .int8(3)
      .int8(3)
      .build();
    expectBothWays(describeAcls.response, 1, value, fixture);
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
    const fixture = new WireBytes()
      .array(1)
      .int8(2)
      .string('ord')
      .int8(4)
      .string('User:bob')
      .string('*')
      .int8(4)
      .int8(3)
      .build();
    expectBothWays(createAcls.request, 1, value, fixture);
  });

  it('v1 response has one result per creation', () => {
    const value = { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] };
    expectBothWays(createAcls.response, 1, value, new WireBytes().int32(0).array(1).int16(0).string(null).build());
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
    const fixture = new WireBytes()
      .array(1)
      .int8(1)
      .string('orders')
      .int8(3)
      .string(null)
      .string('*')
      .int8(1)
      .int8(1)
      .build();
    expectBothWays(deleteAcls.request, 1, value, fixture);
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
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .int16(0)
      .string(null)
      .array(1)
      .int16(0)
      .string(null)
      .int8(2)
      .string('orders')
      .int8(3)
      .string('User:alice')
      .string('*')
      .int8(3)
      .int8(3)
      .build();
    expectBothWays(deleteAcls.response, 1, value, fixture);
  });
});
