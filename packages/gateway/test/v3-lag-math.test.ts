/**
 * The v3 lag rule on real record batch bytes: transaction markers between
 * the committed offset and the end are not lag, data records are, and a
 * cut-short read counts only the markers it saw.
 */
import type { GroupMember } from '@runnel/client';
import { encodeRecordBatchSync, encodeTxnMarkerBatch, writeBaseOffset } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { lagOf, lagSummary, markerOffsets, type PartitionLag, partitionOwners } from '../src/rest/v3/v3-lag-math.ts';

function dataBatch(baseOffset: bigint, count: number): Buffer {
  const batch = encodeRecordBatchSync({
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) })),
    producerId: 7n,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  writeBaseOffset(batch, 0, baseOffset);
  return batch;
}

function marker(offset: bigint): Buffer {
  const batch = encodeTxnMarkerBatch({
    producerId: 7n,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    type: 'commit',
    timestampMs: 0n,
  });
  writeBaseOffset(batch, 0, offset);
  return batch;
}

// Two committed transactions of three records: data 0-2 and 4-6, markers at 3 and 7; the end is 8.
const log = [dataBatch(0n, 3), marker(3n), dataBatch(4n, 3), marker(7n)];

function readFrom(offset: bigint): Buffer {
  // A fetch answers from the batch holding the offset.
  const start = offset < 3n ? 0 : offset < 4n ? 1 : offset < 7n ? 2 : 3;
  return Buffer.concat(log.slice(start));
}

describe('markers are not lag', () => {
  it('a group committed just before the last marker has no lag', () => {
    expect(markerOffsets(readFrom(7n), 7n, 8n)).toBe(1n);
    expect(lagOf(7n, 8n, markerOffsets(readFrom(7n), 7n, 8n))).toBe(0n);
  });

  it('markers ahead of and behind the records are both left out', () => {
    expect(lagOf(3n, 8n, markerOffsets(readFrom(3n), 3n, 8n))).toBe(3n);
    expect(lagOf(0n, 8n, markerOffsets(readFrom(0n), 0n, 8n))).toBe(6n);
  });

  it('a batch that starts before the committed offset is read past, its records not lag', () => {
    // Committed 5: the fetch starts at the batch 4-6, of which 5 and 6 are still to read.
    expect(lagOf(5n, 8n, markerOffsets(readFrom(5n), 5n, 8n))).toBe(2n);
  });

  it('markers at or past the end (the last stable offset) are not subtracted', () => {
    expect(markerOffsets(readFrom(0n), 0n, 7n)).toBe(1n);
    expect(lagOf(0n, 7n, 1n)).toBe(6n);
  });

  it('a read cut short inside a batch counts only the whole batches before it', () => {
    const cut = readFrom(0n).subarray(0, (log[0]?.length ?? 0) + 5);
    expect(markerOffsets(cut, 0n, 8n)).toBe(0n);
    expect(markerOffsets(Buffer.alloc(0), 0n, 8n)).toBe(0n);
  });

  it('lag is never negative (a commit past the stable end)', () => {
    expect(lagOf(10n, 8n, 0n)).toBe(0n);
  });
});

describe('lag summary and owners', () => {
  const member = (memberId: string, topic: string, partitions: number[]): GroupMember => ({
    memberId,
    groupInstanceId: null,
    clientId: `client-${memberId}`,
    clientHost: '/127.0.0.1',
    assignment: [{ topic, partitions }],
  });

  it('maps each assigned partition to its member, and others to no member', () => {
    const ownerOf = partitionOwners([member('a', 't', [0]), member('b', 't', [1])]);
    expect(ownerOf('t', 1)).toEqual({ consumerId: 'b', instanceId: null, clientId: 'client-b' });
    expect(ownerOf('t', 2)).toEqual({ consumerId: '', instanceId: null, clientId: '' });
  });

  it('sums the lags and names the largest, the first on a tie', () => {
    const lag = (partition: number, n: bigint): PartitionLag => ({
      topic: 't',
      partition,
      consumerId: '',
      instanceId: null,
      clientId: '',
      currentOffset: 0n,
      logEndOffset: n,
      lag: n,
    });
    const summary = lagSummary([lag(0, 2n), lag(1, 5n), lag(2, 5n)]);
    expect(summary?.max.partition).toBe(1);
    expect(summary?.totalLag).toBe(12n);
    expect(lagSummary([])).toBeNull();
  });
});
