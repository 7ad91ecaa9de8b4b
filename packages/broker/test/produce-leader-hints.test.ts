/**
 * KIP-951 leader hints on Produce answers, from a metadata image built of
 * the records a controller commits: which partitions get currentLeader,
 * which brokers appear in nodeEndpoints, and that an answer needing no hint
 * is passed through untouched.
 */
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import { ErrorCode, type ProduceResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { withLeaderHints } from '../src/handlers/produce-leader-hints.ts';

const topicId = '00000000-0000-4000-8000-0000000000a1';

function registration(brokerId: number, rack: string | null = null): MetadataRecord {
  return {
    type: 'register-broker',
    brokerId,
    incarnationId: `inc-${brokerId}`,
    brokerEpoch: BigInt(brokerId),
    listeners: [
      { name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9000 + brokerId, securityProtocol: 'PLAINTEXT' },
      { name: 'REPLICATION', host: `broker-${brokerId}`, port: 19000 + brokerId, securityProtocol: 'PLAINTEXT' },
    ],
    rack,
  };
}

function partition(index: number, leader: number, leaderEpoch: number): MetadataRecord {
  return {
    type: 'partition',
    topicId,
    partition: index,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader,
    leaderEpoch,
    partitionEpoch: leaderEpoch,
    elr: [],
    lastKnownElr: [],
    addingReplicas: [],
    removingReplicas: [],
  };
}

/** Brokers 1-3 (3 fenced); orders-0 led by 2 (epoch 7), orders-1 by 3 (epoch 4), orders-2 leaderless, orders-3 by 2. */
const image = ((): MetadataImage => {
  const records: MetadataRecord[] = [
    registration(1),
    registration(2, 'rack-b'),
    registration(3),
    { type: 'fence-broker', brokerId: 3, brokerEpoch: 3n },
    { type: 'topic', name: 'orders', topicId },
    partition(0, 2, 7),
    partition(1, 3, 4),
    partition(2, -1, 9),
    partition(3, 2, 2),
  ];
  return replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
})();

function answer(errorCode: number, index: number) {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

describe('Produce leader hints (KIP-951)', () => {
  it('an answer without NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH is returned as the same object', () => {
    const response: ProduceResponse = {
      responses: [
        { name: 'orders', partitionResponses: [answer(ErrorCode.NONE, 0), answer(ErrorCode.REQUEST_TIMED_OUT, 1)] },
      ],
      throttleTimeMs: 0,
    };
    expect(withLeaderHints(response, image)).toBe(response);
  });

  it('refused partitions name their leader and epoch; each live leader is listed once with its first listener and rack', () => {
    const response: ProduceResponse = {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, 0),
            answer(ErrorCode.NONE, 1),
            answer(ErrorCode.FENCED_LEADER_EPOCH, 3),
          ],
        },
      ],
      throttleTimeMs: 0,
    };
    const hinted = withLeaderHints(response, image);
    expect(hinted.responses[0]?.partitionResponses).toEqual([
      { ...answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, 0), currentLeader: { leaderId: 2, leaderEpoch: 7 } },
      answer(ErrorCode.NONE, 1),
      { ...answer(ErrorCode.FENCED_LEADER_EPOCH, 3), currentLeader: { leaderId: 2, leaderEpoch: 2 } },
    ]);
    expect(hinted.nodeEndpoints).toEqual([{ nodeId: 2, host: 'broker-2', port: 9002, rack: 'rack-b' }]);
    // The input is not changed: handlers' answers may be shared with metrics or logs.
    expect(response.nodeEndpoints).toBeUndefined();
    expect(response.responses[0]?.partitionResponses[0]).not.toHaveProperty('currentLeader');
  });

  it('a fenced leader is named without an endpoint; a leaderless or unknown partition is named -1', () => {
    const response: ProduceResponse = {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, 1),
            answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, 2),
          ],
        },
        { name: 'gone', partitionResponses: [answer(ErrorCode.NOT_LEADER_OR_FOLLOWER, 0)] },
      ],
      throttleTimeMs: 0,
    };
    const hinted = withLeaderHints(response, image);
    expect(hinted.responses.map((t) => t.partitionResponses.map((p) => p.currentLeader))).toEqual([
      [
        { leaderId: 3, leaderEpoch: 4 },
        { leaderId: -1, leaderEpoch: 9 },
      ],
      [{ leaderId: -1, leaderEpoch: -1 }],
    ]);
    expect(hinted.nodeEndpoints).toEqual([]);
  });
});
