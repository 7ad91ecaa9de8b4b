/**
 * Byte fixtures for the topic admin APIs at the versions Kafka 4.1 added
 * over Runnel's old range: CreateTopics v5-7 (flexible, the created topic's
 * counts and configs, its id), DeleteTopics v4-6 (flexible, error message,
 * topics by id), CreatePartitions v2-3 (flexible) and DescribeTopicPartitions
 * v0 (KIP-966, nullable cursor structs). Written field by field from the
 * protocol grammar; both directions are checked.
 */
import { describe, expect, it } from 'vitest';
import { createPartitions } from '../src/messages/create-partitions.ts';
import { createTopics } from '../src/messages/create-topics.ts';
import { deleteTopics } from '../src/messages/delete-topics.ts';
import { describeTopicPartitions } from '../src/messages/describe-topic-partitions.ts';
import { encodeMessage } from '../src/schema/codec.ts';
import { testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

const topicId = '11223344-5566-7788-99aa-bbccddeeff00';
const zeroId = '00000000-0000-0000-0000-000000000000';

describe('topic admin definitions: ranges', () => {
  testAdvertisedRanges([
    [createTopics, 19, '2-7', '5+'],
    [deleteTopics, 20, '1-6', '4+'],
    [createPartitions, 37, '0-3', '2+'],
    [describeTopicPartitions, 75, '0', '0+'],
  ]);
});

describe('CreateTopics v5-7', () => {
  const created = {
    name: 't',
    topicId,
    errorCode: 0,
    errorMessage: null,
    topicConfigErrorCode: 0,
    numPartitions: 3,
    replicationFactor: 2,
    configs: [{ name: 'cleanup.policy', value: 'delete', readOnly: false, configSource: 5, isSensitive: false }],
  };

  function createdBytes(withId: boolean): Buffer {
    const b = new WireBytes().int32(0).compactArray(1).compactString('t');
    if (withId) b.uuid(topicId);
    return b
      .int16(0)
      .compactString(null)
      .int32(3)
      .int16(2)
      .compactArray(1)
      .compactString('cleanup.policy')
      .compactString('delete')
      .bool(false)
      .int8(5)
      .bool(false)
      .noTags()
      .noTags()
      .noTags()
      .build();
  }

  it('v5 response answers with the partitions, replication factor and configs the topic got', () => {
    expectBothWays(createTopics.response, 5, { throttleTimeMs: 0, topics: [created] }, createdBytes(false), {
      throttleTimeMs: 0,
      topics: [{ ...created, topicId: zeroId }],
    });
  });

  it('v7 response adds the topic id after the name', () => {
    expectBothWays(createTopics.response, 7, { throttleTimeMs: 0, topics: [created] }, createdBytes(true));
  });

  it('a config error rides in tagged field 0; a refused topic has null configs and -1 counts', () => {
    const refused = {
      name: 'x',
      topicId: zeroId,
      errorCode: 37,
      errorMessage: 'bad',
      topicConfigErrorCode: 29,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('x')
      .uuid(zeroId)
      .int16(37)
      .compactString('bad')
      .int32(-1)
      .int16(-1)
      .uvarint(0)
      .taggedFields([[0, Buffer.from([0, 29])]])
      .noTags()
      .build();
    expectBothWays(createTopics.response, 7, { throttleTimeMs: 0, topics: [refused] }, fixture);
  });

  it('v5 request is flexible: compact strings and arrays, tagged sections', () => {
    const value = {
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('t')
      .int32(-1)
      .int16(-1)
      .compactArray(0)
      .compactArray(0)
      .noTags()
      .int32(1000)
      .bool(false)
      .noTags()
      .build();
    expectBothWays(createTopics.request, 5, value, fixture);
  });
});

describe('DeleteTopics v4-6', () => {
  it('v6 request names each topic by name or by id', () => {
    const value = {
      topics: [
        { name: 'a', topicId: zeroId },
        { name: null, topicId },
      ],
      timeoutMs: 500,
    };
    const fixture = new WireBytes()
      .compactArray(2)
      .compactString('a')
      .uuid(zeroId)
      .noTags()
      .compactString(null)
      .uuid(topicId)
      .noTags()
      .int32(500)
      .noTags()
      .build();
    expectBothWays(deleteTopics.request, 6, value, fixture, { ...value, topicNames: [] });
  });

  it('v6 response: a null name and UNKNOWN_TOPIC_ID for an unknown id, with the error message of v5+', () => {
    const value = {
      throttleTimeMs: 0,
      responses: [{ name: null, topicId, errorCode: 100, errorMessage: 'no such id' }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString(null)
      .uuid(topicId)
      .int16(100)
      .compactString('no such id')
      .noTags()
      .noTags()
      .build();
    expectBothWays(deleteTopics.response, 6, value, fixture);
  });

  it('v4 request still lists names, now as compact strings', () => {
    const value = { topicNames: ['a'], timeoutMs: 500 };
    const fixture = new WireBytes().compactArray(1).compactString('a').int32(500).noTags().build();
    expectBothWays(deleteTopics.request, 4, value, fixture, { ...value, topics: [] });
  });

  it('topics by id cannot be sent below v6', () => {
    expect(() => encodeMessage(deleteTopics.request, 5, { topics: [{ name: 'a', topicId }], timeoutMs: 1 })).toThrow();
  });
});

describe('CreatePartitions v2-3', () => {
  it('v3 request is flexible with a nullable compact assignments array', () => {
    const value = {
      topics: [{ name: 't', count: 4, assignments: null }],
      timeoutMs: 100,
      validateOnly: true,
    };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('t')
      .int32(4)
      .uvarint(0)
      .noTags()
      .int32(100)
      .bool(true)
      .noTags()
      .build();
    expectBothWays(createPartitions.request, 3, value, fixture);
  });
});

describe('DescribeTopicPartitions v0', () => {
  it('request: topic names, the partition limit and a cursor struct', () => {
    const value = {
      topics: [{ name: 'a' }],
      responsePartitionLimit: 10,
      cursor: { topicName: 'a', partitionIndex: 3 },
    };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('a')
      .noTags()
      .int32(10)
      .int8(1)
      .compactString('a')
      .int32(3)
      .noTags()
      .noTags()
      .build();
    expectBothWays(describeTopicPartitions.request, 0, value, fixture);
  });

  it('request without a cursor writes -1 for the null struct; the limit defaults to 2000', () => {
    const fixture = new WireBytes().compactArray(0).int32(2000).int8(-1).noTags().build();
    expectBothWays(describeTopicPartitions.request, 0, { topics: [] }, fixture, {
      topics: [],
      responsePartitionLimit: 2000,
      cursor: null,
    });
  });

  it('response: partitions with leader epoch, nullable ELR lists, and the next cursor', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        {
          errorCode: 0,
          name: 'a',
          topicId,
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 2,
              leaderEpoch: 4,
              replicaNodes: [2, 1],
              isrNodes: [2],
              eligibleLeaderReplicas: [1],
              lastKnownElr: null,
              offlineReplicas: [],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      nextCursor: { topicName: 'a', partitionIndex: 1 },
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .int16(0)
      .compactString('a')
      .uuid(topicId)
      .bool(false)
      .compactArray(1)
      .int16(0)
      .int32(0)
      .int32(2)
      .int32(4)
      .compactArray(2)
      .int32(2)
      .int32(1)
      .compactArray(1)
      .int32(2)
      .compactArray(1)
      .int32(1)
      .uvarint(0)
      .compactArray(0)
      .noTags()
      .int32(-2147483648)
      .noTags()
      .int8(1)
      .compactString('a')
      .int32(1)
      .noTags()
      .noTags()
      .build();
    expectBothWays(describeTopicPartitions.response, 0, value, fixture);
  });
});
