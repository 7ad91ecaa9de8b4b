import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { describeSelected, topicPartitionsPage } from '../src/handlers/topic-descriptions.ts';

const zeroId = '00000000-0000-0000-0000-000000000000';
const idOf = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function topic(name: string, n: number, partitions: number): MetadataRecord[] {
  const topicId = idOf(n);
  return [
    { type: 'topic', name, topicId },
    ...Array.from(
      { length: partitions },
      (_, partition): MetadataRecord => ({
        type: 'partition',
        topicId,
        partition,
        replicas: [1, 2],
        isr: [1],
        leader: 1,
        leaderEpoch: 3,
        partitionEpoch: 0,
        elr: [2],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      }),
    ),
  ];
}

// Created out of name order: pages follow names, not creation.
const records = [...topic('c', 3, 1), ...topic('a', 1, 3), ...topic('b', 2, 2)];
const image = replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));

const summary = (page: ReturnType<typeof topicPartitionsPage>) => ({
  topics: page.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partitionIndex).join(',')}`),
  next: page.nextCursor,
});

describe('DescribeTopicPartitions pages', () => {
  it('every topic, sorted by name, when none is named and the limit is large', () => {
    expect(summary(topicPartitionsPage(image, [], 2000, null))).toEqual({
      topics: ['a:0,1,2', 'b:0,1', 'c:0'],
      next: null,
    });
  });

  it('a page cut inside a topic points at its first partition left out', () => {
    expect(summary(topicPartitionsPage(image, [], 2, null))).toEqual({
      topics: ['a:0,1'],
      next: { topicName: 'a', partitionIndex: 2 },
    });
  });

  it('a page that ends at a topic end points at the next topic, partition 0', () => {
    expect(summary(topicPartitionsPage(image, [], 3, null))).toEqual({
      topics: ['a:0,1,2'],
      next: { topicName: 'b', partitionIndex: 0 },
    });
  });

  it('paging from the cursor walks every partition once, across topics', () => {
    const seen: string[] = [];
    let cursor: { topicName: string; partitionIndex: number } | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = topicPartitionsPage(image, [], 2, cursor);
      for (const t of page.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`);
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'c-0']);
  });

  it('named topics are sorted and deduplicated; an unknown one costs no partition and says why', () => {
    const page = topicPartitionsPage(image, ['c', 'zz', 'a', 'c', 'bad name'], 2000, null);
    expect(page.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['a', ErrorCode.NONE],
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['c', ErrorCode.NONE],
      ['zz', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('each partition carries leader, epoch, replicas, ISR and ELR; each topic its id', () => {
    const [a] = topicPartitionsPage(image, ['a'], 1, null).topics;
    expect(a?.topicId).toBe(idOf(1));
    expect(a?.partitions[0]).toEqual({
      errorCode: ErrorCode.NONE,
      partitionIndex: 0,
      leaderId: 1,
      leaderEpoch: 3,
      replicaNodes: [1, 2],
      isrNodes: [1],
      eligibleLeaderReplicas: [2],
      lastKnownElr: [],
      // Neither broker is registered in this image.
      offlineReplicas: [1, 2],
    });
  });

  it('a cursor on a topic the request does not name is INVALID_REQUEST for every topic', () => {
    const page = topicPartitionsPage(image, ['b', 'a'], 10, { topicName: 'c', partitionIndex: 0 });
    expect(page.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['a', ErrorCode.INVALID_REQUEST, 0],
      ['b', ErrorCode.INVALID_REQUEST, 0],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('a limit below 1 is raised to 1, one above 2000 held to 2000', () => {
    expect(summary(topicPartitionsPage(image, [], 0, null)).topics).toEqual(['a:0']);
    const big = topic('big', 9, 2100);
    const wide = replayBatch(MetadataImage.empty, big, BigInt(big.length - 1));
    const page = topicPartitionsPage(wide, [], 5000, null);
    expect(page.topics[0]?.partitions).toHaveLength(2000);
    expect(page.nextCursor).toEqual({ topicName: 'big', partitionIndex: 2000 });
  });
});

describe('Metadata topic selection', () => {
  it('by id finds the topic under its current name; an unknown id is UNKNOWN_TOPIC_ID with a null name', () => {
    expect(describeSelected(image, { name: null, topicId: idOf(2) })).toMatchObject({ name: 'b', errorCode: 0 });
    expect(describeSelected(image, { name: null, topicId: idOf(9) })).toEqual({
      errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      name: null,
      topicId: idOf(9),
      isInternal: false,
      partitions: [],
    });
  });

  it('by name: unknown and illegal names say so, with the zero id', () => {
    expect(describeSelected(image, { name: 'nope', topicId: zeroId })).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      topicId: zeroId,
    });
    expect(describeSelected(image, { name: 'a/b', topicId: zeroId }).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});
