import type { MetadataRecord } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { decodeMetadataEntry, encodeMetadataEntry } from '../src/quorum/entry-codec.ts';
import { MetadataStateMachine } from '../src/quorum/metadata-state-machine.ts';

const topicId = '11111111-2222-3333-4444-555555555555';
const register = (brokerId: number): MetadataRecord => ({
  type: 'register-broker',
  brokerId,
  incarnationId: topicId,
  brokerEpoch: 0n,
  listeners: [{ name: 'PLAINTEXT', host: 'h', port: 1, securityProtocol: 'PLAINTEXT' }],
  rack: null,
});
const topic: MetadataRecord[] = [
  { type: 'topic', name: 't', topicId },
  {
    type: 'partition',
    topicId,
    partition: 0,
    replicas: [1],
    isr: [1],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    elr: [],
    lastKnownElr: [],
    addingReplicas: [],
    removingReplicas: [],
  },
];

describe('metadata state machine', () => {
  it('round-trips entries and rejects damaged ones', () => {
    const data = encodeMetadataEntry({ proposer: 3, sequence: 42, records: topic });
    expect(decodeMetadataEntry(data)).toEqual({ ok: true, value: { proposer: 3, sequence: 42, records: topic } });
    expect(decodeMetadataEntry(data.subarray(0, data.length - 1)).ok).toBe(false);
    expect(decodeMetadataEntry(new Uint8Array([9, 9, 9])).ok).toBe(false);
  });

  it('numbers records across entries and skips the leader no-op', () => {
    const sm = new MetadataStateMachine();
    expect(sm.apply(new Uint8Array())).toBeNull();
    expect(sm.apply(encodeMetadataEntry({ proposer: 1, sequence: 1, records: [register(1)] }))?.lastOffset).toBe(0n);
    expect(sm.apply(encodeMetadataEntry({ proposer: 1, sequence: 2, records: topic }))?.lastOffset).toBe(2n);
    expect(sm.apply(encodeMetadataEntry({ proposer: 1, sequence: 3, records: [] }))?.lastOffset).toBe(2n);
    expect(sm.image.partition('t', 0)?.leader).toBe(1);
  });

  it('serves followers batches after their offset, and a snapshot once compacted past it', () => {
    const sm = new MetadataStateMachine();
    let changes = 0;
    sm.onChange(() => changes++);
    sm.apply(encodeMetadataEntry({ proposer: 1, sequence: 1, records: [register(1)] }));
    sm.apply(encodeMetadataEntry({ proposer: 1, sequence: 2, records: topic }));
    expect(changes).toBe(2);
    expect(sm.catchUp(-1n)).toEqual({
      kind: 'batches',
      batches: [
        { records: [register(1)], lastOffset: 0n },
        { records: topic, lastOffset: 2n },
      ],
    });
    expect(sm.catchUp(0n)).toEqual({ kind: 'batches', batches: [{ records: topic, lastOffset: 2n }] });
    const snapshot = sm.snapshot();
    sm.compact();
    const behind = sm.catchUp(0n);
    expect(behind.kind).toBe('snapshot');
    expect(sm.catchUp(2n)).toEqual({ kind: 'batches', batches: [] });

    const other = new MetadataStateMachine();
    other.restore(snapshot);
    expect(other.lastOffset).toBe(2n);
    expect(other.image.topic('t')).toEqual(sm.image.topic('t'));
    expect(other.apply(encodeMetadataEntry({ proposer: 2, sequence: 1, records: [register(2)] }))?.lastOffset).toBe(3n);
  });
});
