/**
 * The header walk behind `groups describe`'s data-only lag: offsets that
 * control batches take within a range, over whole batches of a Fetch
 * response (a partial last batch is left for the next fetch).
 */
import { encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { markersInBatches } from '../src/commands/marker-count.ts';

function data(baseOffset: bigint, count: number): Buffer {
  return encodeRecordBatchSync({
    records: Array.from({ length: count }, () => ({ key: null, value: Buffer.from('v') })),
    baseOffset,
    producerId: 5n,
    producerEpoch: 0,
    baseSequence: Number(baseOffset),
    transactional: true,
  });
}

function marker(baseOffset: bigint): Buffer {
  return encodeRecordBatchSync({
    records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    baseOffset,
    producerId: 5n,
    producerEpoch: 0,
    transactional: true,
    control: true,
  });
}

describe('markers in fetched batches', () => {
  const log = Buffer.concat([data(0n, 3), marker(3n), data(4n, 2), marker(6n)]);

  it('counts the markers inside the range and says where the next fetch starts', () => {
    expect(markersInBatches(log, 0n, 7n)).toEqual({ markers: 2n, nextOffset: 7n });
    expect(markersInBatches(log, 4n, 7n)).toEqual({ markers: 1n, nextOffset: 7n });
    expect(markersInBatches(log, 0n, 6n)).toEqual({ markers: 1n, nextOffset: 7n });
  });

  it('stops before a partial last batch, and reports no progress when not one batch is whole', () => {
    const cut = log.subarray(0, log.length - 5);
    expect(markersInBatches(cut, 0n, 7n)).toEqual({ markers: 1n, nextOffset: 6n });
    expect(markersInBatches(log.subarray(0, 30), 0n, 7n)).toEqual({ markers: 0n, nextOffset: null });
  });
});
