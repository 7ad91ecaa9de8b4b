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
import { encodeMessage } from '../src/schema/codec.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

const batch = Buffer.from('not-really-a-record-batch');
/** Below v13 a produced topic is named, and its id decodes to the default, the zero UUID. */
const noTopicId = '00000000-0000-0000-0000-000000000000';
const zeroId = '00000000-0000-0000-0000-000000000000';

interface FetchRequestShape {
  topics: { partitions: object[] }[];
  forgottenTopicsData: object[];
}

/** A pre-v12 Fetch request as decoding returns it: the fields of later versions at their defaults. */
function decodedFetchRequest<T extends FetchRequestShape>(value: T): object {
  return {
    clusterId: null,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    ...value,
    topics: value.topics.map((t) => ({
      topicId: zeroId,
      ...t,
      partitions: t.partitions.map((p) => ({
        lastFetchedEpoch: -1,
        replicaDirectoryId: zeroId,
        highWatermark: 0x7fffffffffffffffn,
        ...p,
      })),
    })),
    forgottenTopicsData: value.forgottenTopicsData.map((f) => ({ topicId: zeroId, ...f })),
  };
}

/** A pre-v12 Fetch response as decoding returns it: the fields of later versions at their defaults. */
function decodedFetchResponse<T extends { responses: { partitions: object[] }[] }>(value: T): object {
  return {
    ...value,
    nodeEndpoints: [],
    responses: value.responses.map((t) => ({
      topicId: zeroId,
      ...t,
      partitions: t.partitions.map((p) => ({
        divergingEpoch: { epoch: -1, endOffset: -1n },
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
        snapshotId: { endOffset: -1n, epoch: -1 },
        ...p,
      })),
    })),
  };
}

describe('Produce definitions', () => {
  it('v0 request has no transactional id and v0 response no throttle time or append time', () => {
    const request = {
      acks: 1,
      timeoutMs: 100,
      topicData: [{ name: 'old', topicId: noTopicId, partitionData: [{ index: 0, records: batch }] }],
    };
    const requestBytes = new WireBytes()
      .int16(1)
      .int32(100)
      .array(1)
      .string('old')
      .array(1)
      .int32(0)
      .bytes(batch)
      .build();
    expectBothWays(produce.request, 0, request, requestBytes, { ...request, transactionalId: null });
    const response = {
      responses: [{ name: 'old', partitionResponses: [{ index: 0, errorCode: 43, baseOffset: -1n }] }],
    };
    const responseBytes = new WireBytes().array(1).string('old').array(1).int32(0).int16(43).int64(-1n).build();
    expect(Buffer.concat(encodeMessage(produce.response, 0, response)).toString('hex')).toBe(
      responseBytes.toString('hex'),
    );
  });

  it('v3 request with a null transactional id encodes and decodes to the hand-built bytes', () => {
    const value = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'orders', topicId: noTopicId, partitionData: [{ index: 2, records: batch }] }],
    };
    const fixture = new WireBytes()
      .string(null)
      .int16(-1)
      .int32(30000)
      .array(1)
      .string('orders')
      .array(1)
      .int32(2)
      .bytes(batch)
      .build();
    expectBothWays(produce.request, 3, value, fixture);
  });

  it('v7 request with a transactional id and a null record set encodes and decodes to the hand-built bytes', () => {
    const value = {
      transactionalId: 'tx-1',
      acks: 1,
      timeoutMs: 1500,
      topicData: [{ name: 't', topicId: noTopicId, partitionData: [{ index: 0, records: null }] }],
    };
    const fixture = new WireBytes()
      .string('tx-1')
      .int16(1)
      .int32(1500)
      .array(1)
      .string('t')
      .array(1)
      .int32(0)
      .bytes(null)
      .build();
    expectBothWays(produce.request, 7, value, fixture);
  });

  it('v3 response omits logStartOffset from the wire and decodes it as -1', () => {
    const value = {
      responses: [
        {
          name: 'orders',
          topicId: noTopicId,
          partitionResponses: [
            {
              index: 2,
              errorCode: 0,
              baseOffset: 42n,
              logAppendTimeMs: -1n,
              logStartOffset: -1n,
              recordErrors: [],
              errorMessage: null,
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
            },
          ],
        },
      ],
      throttleTimeMs: 7,
      nodeEndpoints: [],
    };
    const fixture = new WireBytes()
      .array(1)
      .string('orders')
      .array(1)
      .int32(2)
      .int16(0)
      .int64(42n)
      .int64(-1n)
      .int32(7)
      .build();
    expectBothWays(produce.response, 3, value, fixture);
  });

  it('v7 response carries logStartOffset after logAppendTimeMs', () => {
    const value = {
      responses: [
        {
          name: 'orders',
          topicId: noTopicId,
          partitionResponses: [
            {
              index: 0,
              errorCode: 6,
              baseOffset: -1n,
              logAppendTimeMs: 1_700_000_000_000n,
              logStartOffset: 5n,
              recordErrors: [],
              errorMessage: null,
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    const fixture = new WireBytes()
      .array(1)
      .string('orders')
      .array(1)
      .int32(0)
      .int16(6)
      .int64(-1n)
      .int64(1_700_000_000_000n)
      .int64(5n)
      .int32(0)
      .build();
    expectBothWays(produce.response, 7, value, fixture);
  });

  it('v8 response adds the record errors and the nullable error message after logStartOffset', () => {
    const value = {
      responses: [
        {
          name: 'orders',
          topicId: noTopicId,
          partitionResponses: [
            {
              index: 1,
              errorCode: 45,
              baseOffset: -1n,
              logAppendTimeMs: -1n,
              logStartOffset: 0n,
              recordErrors: [{ batchIndex: 0, batchIndexErrorMessage: null }],
              errorMessage: 'gap',
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    const fixture = new WireBytes()
      .array(1)
      .string('orders')
      .array(1)
      .int32(1)
      .int16(45)
      .int64(-1n)
      .int64(-1n)
      .int64(0n)
      .array(1)
      .int32(0)
      .string(null)
      .string('gap')
      .int32(0)
      .build();
    expectBothWays(produce.response, 8, value, fixture);
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
    const fixture = new WireBytes()
      .int32(-1)
      .int32(500)
      .int32(1)
      .int32(52428800)
      .int8(1)
      .array(1)
      .string('orders')
      .array(1)
      .int32(0)
      .int64(100n)
      .int32(1048576)
      .build();
    expectBothWays(fetch.request, 4, value, fixture, decodedFetchRequest(value));
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
    const fixture = new WireBytes()
      .int32(-1)
      .int32(500)
      .int32(1)
      .int32(0x7fffffff)
      .int8(0)
      .int32(12)
      .int32(3)
      .array(1)
      .string('orders')
      .array(1)
      .int32(1)
      .int32(4)
      .int64(200n)
      .int64(-1n)
      .int32(65536)
      .array(1)
      .string('old')
      .array(2)
      .int32(0)
      .int32(3)
      .string('rack-a')
      .build();
    expectBothWays(fetch.request, 11, value, fixture, decodedFetchRequest(value));
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
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .string('orders')
      .array(1)
      .int32(0)
      .int16(0)
      .int64(300n)
      .int64(290n)
      .array(1)
      .int64(9n)
      .int64(280n)
      .bytes(batch)
      .build();
    expectBothWays(fetch.response, 4, value, fixture, decodedFetchResponse(value));
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
    const fixture = new WireBytes()
      .int32(5)
      .int16(0)
      .int32(12)
      .array(1)
      .string('orders')
      .array(1)
      .int32(1)
      .int16(1)
      .int64(-1n)
      .int64(-1n)
      .int64(10n)
      .array(-1)
      .int32(-1)
      .bytes(null)
      .build();
    expectBothWays(fetch.response, 11, value, fixture, decodedFetchResponse(value));
  });
});

describe('ListOffsets definitions', () => {
  it('v2 request carries the isolation level after the replica id', () => {
    const value = {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, timestamp: -2n }] }],
    };
    const fixture = new WireBytes().int32(-1).int8(1).array(1).string('orders').array(1).int32(3).int64(-2n).build();
    const decoded = {
      ...value,
      timeoutMs: 0,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 3, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }],
        },
      ],
    };
    expectBothWays(listOffsets.request, 2, value, fixture, decoded);
  });

  it('v1 response has a single timestamp and offset per partition and no throttle time', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 3, errorCode: 0, timestamp: -1n, offset: 77n }] }],
    };
    const fixture = new WireBytes().array(1).string('orders').array(1).int32(3).int16(0).int64(-1n).int64(77n).build();
    const decoded = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 3, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: 77n, leaderEpoch: -1 },
          ],
        },
      ],
    };
    expectBothWays(listOffsets.response, 1, value, fixture, decoded);
  });

  it('v3 response starts with the throttle time', () => {
    const value = {
      throttleTimeMs: 9,
      topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 3, timestamp: -1n, offset: -1n }] }],
    };
    const fixture = new WireBytes()
      .int32(9)
      .array(1)
      .string('a')
      .array(1)
      .int32(0)
      .int16(3)
      .int64(-1n)
      .int64(-1n)
      .build();
    const partition = {
      partitionIndex: 0,
      errorCode: 3,
      oldStyleOffsets: [],
      timestamp: -1n,
      offset: -1n,
      leaderEpoch: -1,
    };
    expectBothWays(listOffsets.response, 3, value, fixture, {
      throttleTimeMs: 9,
      topics: [{ name: 'a', partitions: [partition] }],
    });
  });
});

describe('Metadata definitions', () => {
  const zeroId = '00000000-0000-0000-0000-000000000000';
  const notComputed = -2147483648;
  const requestDefaults = { includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

  it('v1 request with null topics (all topics) encodes as array length -1', () => {
    const value = { topics: null, allowAutoTopicCreation: true };
    expectBothWays(metadata.request, 1, value, new WireBytes().array(-1).build(), { ...value, ...requestDefaults });
  });

  it('v4 request lists topics then allowAutoTopicCreation', () => {
    const value = { topics: [{ name: 'orders' }, { name: 'users' }], allowAutoTopicCreation: false };
    const fixture = new WireBytes().array(2).string('orders').string('users').bool(false).build();
    expectBothWays(metadata.request, 4, value, fixture, {
      topics: value.topics.map((t) => ({ ...t, topicId: zeroId })),
      allowAutoTopicCreation: false,
      ...requestDefaults,
    });
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
    const fixture = new WireBytes()
      .array(1)
      .int32(1)
      .string('b1')
      .int32(9092)
      .array(1)
      .int16(0)
      .string('orders')
      .array(1)
      .int16(0)
      .int32(0)
      .int32(1)
      .array(1)
      .int32(1)
      .array(1)
      .int32(1)
      .build();
    expectBothWays(metadata.response, 0, value, fixture, withDefaults(value));
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
    const fixture = new WireBytes()
      .int32(0)
      .array(2)
      .int32(1)
      .string('b1')
      .int32(9092)
      .string('r1')
      .int32(2)
      .string('b2')
      .int32(9093)
      .string(null)
      .string('cluster-x')
      .int32(1)
      .array(1)
      .int16(0)
      .string('__consumer_offsets')
      .bool(true)
      .array(1)
      .int16(0)
      .int32(0)
      .int32(2)
      .array(2)
      .int32(2)
      .int32(1)
      .array(1)
      .int32(2)
      .array(1)
      .int32(1)
      .build();
    expectBothWays(metadata.response, 6, value, fixture, withDefaults(value));
  });

  const topicId = '0a0b0c0d-0e0f-1011-1213-141516171819';
  const v13 = {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'b1', port: 9092, rack: null }],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        topicId,
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 7,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
        topicAuthorizedOperations: notComputed,
      },
      {
        errorCode: 100,
        name: null,
        topicId,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: notComputed,
      },
    ],
    clusterAuthorizedOperations: notComputed,
    errorCode: 0,
  };

  it('v13 response: flexible, topic id after the name, leader epoch, a null name for an unknown id, top-level error last', () => {
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .int32(1)
      .compactString('b1')
      .int32(9092)
      .compactString(null)
      .noTags()
      .compactString('c')
      .int32(1)
      .compactArray(2)
      .int16(0)
      .compactString('t')
      .uuid(topicId)
      .bool(false)
      .compactArray(1)
      .int16(0)
      .int32(0)
      .int32(1)
      .int32(7)
      .compactArray(1)
      .int32(1)
      .compactArray(1)
      .int32(1)
      .compactArray(0)
      .noTags()
      .int32(notComputed)
      .noTags()
      .int16(100)
      .compactString(null)
      .uuid(topicId)
      .bool(false)
      .compactArray(0)
      .int32(notComputed)
      .noTags()
      .int16(0)
      .noTags()
      .build();
    expectBothWays(metadata.response, 13, v13, fixture);
  });

  it('v10 response carries the cluster authorized operations (dropped in v11) and no top-level error', () => {
    const bytes = (version: number): string =>
      encodeMessage(metadata.response, version, { ...v13, topics: [] })
        .map((b) => b.toString('hex'))
        .join('');
    // v10 ends with the cluster bit field then the tagged section; v11 with just the tagged section; v13 adds an int16.
    expect(bytes(10).endsWith('018000000000')).toBe(true);
    expect(bytes(11).length).toBe(bytes(10).length - 8);
    expect(bytes(13).length).toBe(bytes(11).length + 4);
  });

  it('a null topic name before v12 is an error', () => {
    expect(() => encodeMessage(metadata.response, 11, v13)).toThrow(/null/);
  });
});

/** What fields a version lacks decode to: no id, no epoch, no authorized operations, no top-level error. */
function withDefaults(value: { topics: { partitions: object[] }[] }): object {
  return {
    ...value,
    clusterAuthorizedOperations: -2147483648,
    errorCode: 0,
    topics: value.topics.map((t) => ({
      ...t,
      topicId: '00000000-0000-0000-0000-000000000000',
      topicAuthorizedOperations: -2147483648,
      partitions: t.partitions.map((p) => ({ leaderEpoch: -1, ...p })),
    })),
  };
}

describe('FindCoordinator definitions', () => {
  it('v1 request carries the key type after the key', () => {
    const value = { key: 'my-tx', keyType: 1 };
    const fixture = new WireBytes().string('my-tx').int8(1).build();
    expectBothWays(findCoordinator.request, 1, value, fixture, { ...value, coordinatorKeys: [] });
  });

  it('v0 request is just the key', () => {
    const value = { key: 'group-a', keyType: 0 };
    const fixture = new WireBytes().string('group-a').build();
    expectBothWays(findCoordinator.request, 0, value, fixture, { ...value, coordinatorKeys: [] });
  });

  it('v2 response has throttle time, error and coordinator address', () => {
    const value = { throttleTimeMs: 0, errorCode: 15, errorMessage: null, nodeId: -1, host: '', port: -1 };
    const fixture = new WireBytes().int32(0).int16(15).string(null).int32(-1).string('').int32(-1).build();
    expectBothWays(findCoordinator.response, 2, value, fixture, { ...value, coordinators: [] });
  });
});

describe('InitProducerId definitions', () => {
  it('v0 request uses classic strings and no tagged fields', () => {
    const value = { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 };
    expectBothWays(initProducerId.request, 0, value, new WireBytes().string(null).int32(60000).build());
  });

  it('v4 request uses a compact string, carries producer id and epoch, and ends with tagged fields', () => {
    const value = { transactionalId: 'tx-1', transactionTimeoutMs: 60000, producerId: 1000n, producerEpoch: 5 };
    const fixture = new WireBytes().compactString('tx-1').int32(60000).int64(1000n).int16(5).noTags().build();
    expectBothWays(initProducerId.request, 4, value, fixture);
  });

  it('v2 request encodes a null transactional id as compact length 0', () => {
    const value = { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 };
    expectBothWays(initProducerId.request, 2, value, new WireBytes().compactString(null).int32(1000).noTags().build());
  });

  it('v1 response is throttle time, error, producer id and epoch', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, producerId: 4000n, producerEpoch: 0 };
    const fixture = new WireBytes().int32(0).int16(0).int64(4000n).int16(0).build();
    expectBothWays(initProducerId.response, 1, value, fixture);
  });

  it('v4 response ends with an empty tagged-field section', () => {
    const value = { throttleTimeMs: 3, errorCode: 0, producerId: 4000n, producerEpoch: 6 };
    const fixture = new WireBytes().int32(3).int16(0).int64(4000n).int16(6).noTags().build();
    expectBothWays(initProducerId.response, 4, value, fixture);
  });
});
