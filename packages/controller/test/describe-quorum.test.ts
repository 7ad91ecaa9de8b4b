/**
 * DescribeQuorum's answer (logic/describe-quorum.ts) and the bookkeeping
 * behind it (quorum/quorum-progress.ts): Raft indices become metadata
 * offsets, the leader reports itself as Kafka's does, brokers are observers.
 */
import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { describeQuorum, type QuorumInputs } from '../src/logic/describe-quorum.ts';
import { QuorumProgress } from '../src/quorum/quorum-progress.ts';

function imageWith(records: MetadataRecord[]): MetadataImage {
  return replayBatch(MetadataImage.empty, records, BigInt(records.length));
}

const broker = (brokerId: number): MetadataRecord => ({
  type: 'register-broker',
  brokerId,
  incarnationId: `00000000-0000-0000-0000-00000000000${brokerId}`,
  brokerEpoch: BigInt(brokerId),
  listeners: [],
  rack: null,
});

describe('QuorumProgress', () => {
  it('maps a Raft index to the metadata offset of the newest applied entry at or below it', () => {
    const p = new QuorumProgress();
    p.onApplied(3, 10n);
    p.onApplied(5, 14n);
    p.onApplied(9, 20n);
    expect(p.offsetAt(2)).toBe(-1n);
    expect(p.offsetAt(3)).toBe(10n);
    expect(p.offsetAt(8)).toBe(14n);
    expect(p.offsetAt(100)).toBe(20n);
  });

  it('keeps the latest answer of each voter and when it was last caught up', () => {
    const p = new QuorumProgress();
    p.onAnswer(2, 1000, true);
    p.onAnswer(2, 2000, false);
    expect(p.contact(2)).toEqual({ lastFetchMs: 2000, lastCaughtUpMs: 1000 });
    expect(p.contact(3)).toEqual({ lastFetchMs: -1, lastCaughtUpMs: -1 });
  });
});

describe('describeQuorum', () => {
  const image = imageWith([broker(10), broker(11)]);
  const inputs: QuorumInputs = {
    leaderId: 1,
    term: 4,
    matches: new Map([
      [1, 9],
      [2, 9],
      [3, 5],
    ]),
    lastIndex: 9,
    offsetAt: (index) => (index >= 5 ? 1n : -1n),
    contact: (voter) =>
      voter === 2 ? { lastFetchMs: 900, lastCaughtUpMs: 900 } : { lastFetchMs: 800, lastCaughtUpMs: 500 },
    brokers: new Map([[10, { offset: 2n, atMs: 950 }]]),
    voterAddresses: [{ nodeId: 1, host: 'c1', port: 9093 }],
    nowMs: 1000,
  };

  it('gives the committed offset as high watermark and each voter its log end in metadata offsets', () => {
    const q = describeQuorum(image, inputs);
    expect(q.leaderId).toBe(1);
    expect(q.leaderEpoch).toBe(4);
    expect(q.highWatermark).toBe(2n);
    expect(q.voters).toEqual([
      { replicaId: 1, logEndOffset: 2n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: 1000n },
      { replicaId: 2, logEndOffset: 2n, lastFetchTimestamp: 900n, lastCaughtUpTimestamp: 900n },
      { replicaId: 3, logEndOffset: 1n, lastFetchTimestamp: 800n, lastCaughtUpTimestamp: 500n },
    ]);
  });

  it('lists registered brokers as observers, -1 for one not heard from', () => {
    expect(describeQuorum(image, inputs).observers).toEqual([
      { replicaId: 10, logEndOffset: 2n, lastFetchTimestamp: 950n, lastCaughtUpTimestamp: 950n },
      { replicaId: 11, logEndOffset: -1n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: -1n },
    ]);
    expect(describeQuorum(image, inputs).nodes).toEqual([
      { nodeId: 1, listeners: [{ name: 'CONTROLLER', host: 'c1', port: 9093 }] },
    ]);
  });
});
