/**
 * Byte fixtures for AlterPartitionReassignments (45) and
 * ListPartitionReassignments (46), both flexible from v0. Each expected
 * buffer is written field by field from the protocol grammar, never by the
 * encoder under test; both directions are checked.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequestFrame } from '../src/index.ts';
import { alterPartitionReassignments } from '../src/messages/alter-partition-reassignments.ts';
import { listPartitionReassignments } from '../src/messages/list-partition-reassignments.ts';
import { testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('AlterPartitionReassignments definitions', () => {
  testAdvertisedRanges([[alterPartitionReassignments, 45, '0-1', '0+']]);

  const request = {
    timeoutMs: 5000,
    // Below v1 decoding fills the default: replication factor changes allowed.
    allowReplicationFactorChange: true,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, replicas: [3, 4] },
          { partitionIndex: 1, replicas: null },
        ],
      },
    ],
  };
  const requestBody = (): WireBytes =>
    new WireBytes()
      .int32(5000)
      .compactArray(1)
      .compactString('orders')
      .compactArray(2)
      .int32(0)
      .compactArray(2)
      .int32(3)
      .int32(4)
      .noTags()
      .int32(1)
      .uvarint(0) // null replicas: cancel
      .noTags()
      .noTags()
      .noTags();

  it('v0 request is flexible: compact arrays, a null replica list cancels, tags after every struct', () => {
    expectBothWays(alterPartitionReassignments.request, 0, request, requestBody().build());
  });

  it('v1 request carries allowReplicationFactorChange after the timeout (KIP-860)', () => {
    const body = requestBody().build();
    const v1 = Buffer.concat([body.subarray(0, 4), new WireBytes().int8(0).build(), body.subarray(4)]);
    expectBothWays(alterPartitionReassignments.request, 1, { ...request, allowReplicationFactorChange: false }, v1);
  });

  it('a kafkajs frame (header v1 plus a tag byte it writes into the body) decodes as header v2', () => {
    const frame = Buffer.concat([
      new WireBytes().int16(45).int16(0).int32(7).string('kafkajs').build(),
      new WireBytes().noTags().build(), // kafkajs's faked header tags
      requestBody().build(),
    ]);
    expect(decodeRequestFrame(frame)).toEqual({
      ok: true,
      header: { apiKey: 45, apiVersion: 0, correlationId: 7, clientId: 'kafkajs' },
      body: request,
    });
  });

  it('v0 response carries a top-level error and per-partition errors with messages', () => {
    const value = {
      throttleTimeMs: 0,
      allowReplicationFactorChange: true,
      errorCode: 0,
      errorMessage: null,
      responses: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            { partitionIndex: 1, errorCode: 85, errorMessage: 'none in progress' },
          ],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .compactString(null)
      .compactArray(1)
      .compactString('orders')
      .compactArray(2)
      .int32(0)
      .int16(0)
      .compactString(null)
      .noTags()
      .int32(1)
      .int16(85)
      .compactString('none in progress')
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(alterPartitionReassignments.response, 0, value, fixture);
    // v1 echoes the option after the throttle time, so a client can tell a broker that ignored it.
    const v1 = Buffer.concat([fixture.subarray(0, 4), new WireBytes().int8(0).build(), fixture.subarray(4)]);
    expectBothWays(alterPartitionReassignments.response, 1, { ...value, allowReplicationFactorChange: false }, v1);
  });
});

describe('ListPartitionReassignments definitions', () => {
  testAdvertisedRanges([[listPartitionReassignments, 46, '0', '0+']]);

  it('v0 request with null topics asks for every reassignment', () => {
    const fixture = new WireBytes().int32(60000).uvarint(0).noTags().build();
    expectBothWays(listPartitionReassignments.request, 0, { timeoutMs: 60000, topics: null }, fixture);
  });

  it('v0 request naming topics lists partition indexes as a compact int32 array', () => {
    const value = { timeoutMs: 1000, topics: [{ name: 'orders', partitionIndexes: [0, 2] }] };
    const fixture = new WireBytes()
      .int32(1000)
      .compactArray(1)
      .compactString('orders')
      .compactArray(2)
      .int32(0)
      .int32(2)
      .noTags()
      .noTags()
      .build();
    expectBothWays(listPartitionReassignments.request, 0, value, fixture);
  });

  it('v0 response gives replicas, adding and removing replicas per partition in progress', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, replicas: [3, 4, 1], addingReplicas: [3, 4], removingReplicas: [1] }],
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .compactString(null)
      .compactArray(1)
      .compactString('orders')
      .compactArray(1)
      .int32(0)
      .compactArray(3)
      .int32(3)
      .int32(4)
      .int32(1)
      .compactArray(2)
      .int32(3)
      .int32(4)
      .compactArray(1)
      .int32(1)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(listPartitionReassignments.response, 0, value, fixture);
  });
});
