/**
 * Byte fixtures for the consumer data path at Kafka 4.1's versions: Fetch
 * v12-16 (flexible, diverging epochs, topic ids, replicaState, leader
 * endpoints), ListOffsets v0 (offset lists) and v10, and OffsetForLeaderEpoch
 * v2 and v4. Each expected buffer is written field by field from the
 * protocol grammar, never by the encoder under test.
 */
import { describe, it } from 'vitest';
import { fetch } from '../src/messages/fetch.ts';
import { listOffsets } from '../src/messages/list-offsets.ts';
import { offsetForLeaderEpoch } from '../src/messages/offset-for-leader-epoch.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

const topicId = '6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const zeroId = '00000000-0000-0000-0000-000000000000';

describe('Fetch at flexible versions', () => {
  it('v13 request names the topic by id and carries lastFetchedEpoch after the fetch offset', () => {
    const partition = {
      partition: 2,
      currentLeaderEpoch: 7,
      fetchOffset: 500n,
      lastFetchedEpoch: 6,
      logStartOffset: -1n,
      partitionMaxBytes: 1024,
      replicaDirectoryId: zeroId,
      highWatermark: 0x7fffffffffffffffn,
    };
    const value = {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: 4096,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: '', topicId, partitions: [partition] }],
      forgottenTopicsData: [{ topic: '', topicId, partitions: [1] }],
      rackId: 'r1',
    };
    const fixture = new WireBytes()
      .int32(-1)
      .int32(100)
      .int32(1)
      .int32(4096)
      .int8(0)
      .int32(0)
      .int32(-1)
      .compactArray(1)
      .uuid(topicId)
      .compactArray(1)
      .int32(2)
      .int32(7)
      .int64(500n)
      .int32(6)
      .int64(-1n)
      .int32(1024)
      .noTags()
      .noTags()
      .compactArray(1)
      .uuid(topicId)
      .compactArray(1)
      .int32(1)
      .noTags()
      .compactString('r1')
      .noTags()
      .build();
    expectBothWays(fetch.request, 13, value, fixture);
  });

  it('v15 request has no replicaId field: a consumer leaves the tagged replicaState at its default', () => {
    const value = {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
    };
    const fixture = new WireBytes()
      .int32(0)
      .int32(1)
      .int32(1)
      .int8(1)
      .int32(0)
      .int32(-1)
      .compactArray(0)
      .compactArray(0)
      .compactString('')
      .noTags()
      .build();
    expectBothWays(fetch.request, 15, value, fixture);
  });

  it('v16 response tags a diverging epoch, a refused partition`s current leader and the leader`s endpoint', () => {
    const partition = {
      partitionIndex: 0,
      errorCode: 6,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      divergingEpoch: { epoch: 3, endOffset: 40n },
      currentLeader: { leaderId: 2, leaderEpoch: 5 },
      snapshotId: { endOffset: -1n, epoch: -1 },
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: null,
    };
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic: '', topicId, partitions: [partition] }],
      nodeEndpoints: [{ nodeId: 2, host: 'b2', port: 9092, rack: null }],
    };
    const diverging = new WireBytes().int32(3).int64(40n).noTags().build();
    const leader = new WireBytes().int32(2).int32(5).noTags().build();
    const endpoints = new WireBytes()
      .compactArray(1)
      .int32(2)
      .compactString('b2')
      .int32(9092)
      .compactString(null)
      .noTags()
      .build();
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .int32(0)
      .compactArray(1)
      .uuid(topicId)
      .compactArray(1)
      .int32(0)
      .int16(6)
      .int64(-1n)
      .int64(-1n)
      .int64(-1n)
      .uvarint(0)
      .int32(-1)
      .uvarint(0)
      .taggedFields([
        [0, diverging],
        [1, leader],
      ])
      .noTags()
      .taggedFields([[0, endpoints]])
      .build();
    expectBothWays(fetch.response, 16, value, fixture);
  });
});

describe('ListOffsets v0 and v10', () => {
  it('v0 request asks for up to maxNumOffsets offsets', () => {
    const value = {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 3 }] },
      ],
      timeoutMs: 0,
    };
    const fixture = new WireBytes().int32(-1).array(1).string('t').array(1).int32(0).int64(-1n).int32(3).build();
    expectBothWays(listOffsets.request, 0, value, fixture);
  });

  it('v0 response lists offsets, newest first, and no timestamp', () => {
    const partition = {
      partitionIndex: 0,
      errorCode: 0,
      oldStyleOffsets: [9n, 0n],
      timestamp: -1n,
      offset: -1n,
      leaderEpoch: -1,
    };
    const value = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [partition] }] };
    const fixture = new WireBytes()
      .array(1)
      .string('t')
      .array(1)
      .int32(0)
      .int16(0)
      .array(2)
      .int64(9n)
      .int64(0n)
      .build();
    expectBothWays(listOffsets.response, 0, value, fixture);
  });

  it('v10 request is flexible, fences by leader epoch and ends with timeoutMs', () => {
    const value = {
      replicaId: -1,
      isolationLevel: 1,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: 4, timestamp: -3n, maxNumOffsets: 1 }] },
      ],
      timeoutMs: 30000,
    };
    const fixture = new WireBytes()
      .int32(-1)
      .int8(1)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(1)
      .int32(4)
      .int64(-3n)
      .noTags()
      .noTags()
      .int32(30000)
      .noTags()
      .build();
    expectBothWays(listOffsets.request, 10, value, fixture);
  });

  it('v10 response carries the leader epoch of the answer', () => {
    const partition = {
      partitionIndex: 1,
      errorCode: 0,
      oldStyleOffsets: [],
      timestamp: 1700n,
      offset: 12n,
      leaderEpoch: 4,
    };
    const value = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [partition] }] };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(1)
      .int16(0)
      .int64(1700n)
      .int64(12n)
      .int32(4)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(listOffsets.response, 10, value, fixture);
  });
});

describe('OffsetForLeaderEpoch', () => {
  it('v2 request has no replica id (decoded as -2, a debugging tool) and fences by currentLeaderEpoch', () => {
    const value = {
      replicaId: -2,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 5, leaderEpoch: 3 }] }],
    };
    const fixture = new WireBytes().array(1).string('t').array(1).int32(0).int32(5).int32(3).build();
    expectBothWays(offsetForLeaderEpoch.request, 2, value, fixture);
  });

  it('v4 request and response are flexible; the request starts with the replica id', () => {
    const request = {
      replicaId: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 5, leaderEpoch: 3 }] }],
    };
    const requestBytes = new WireBytes()
      .int32(-1)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .int32(5)
      .int32(3)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(offsetForLeaderEpoch.request, 4, request, requestBytes);
    const response = {
      throttleTimeMs: 0,
      topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 3, endOffset: 42n }] }],
    };
    const responseBytes = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int16(0)
      .int32(0)
      .int32(3)
      .int64(42n)
      .noTags()
      .noTags()
      .noTags()
      .build();
    expectBothWays(offsetForLeaderEpoch.response, 4, response, responseBytes);
  });
});
