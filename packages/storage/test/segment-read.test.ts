/**
 * Reads start at the offset index's floor and usually take one file read
 * (LogSegment.readFrom): a consumer asking for a batch's base offset, with
 * every batch indexed, costs one read instead of a header read and a data
 * read. Whatever the floor, the batch sizes and the limits, a read returns
 * exactly what the header scan returns: whole batches from the one holding
 * the offset, at least that one, then as many as fit in maxBytes, none at
 * or past maxOffset. The expected batches come from the appended sizes.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';
import { CountingFileSystem } from './counting-file-system.ts';

interface Appended {
  baseOffset: bigint;
  lastOffset: bigint;
  sizeBytes: number;
}

async function logWith(config: Partial<LogConfig>, specs: readonly { records: number; payloadBytes: number }[]) {
  const fs = new CountingFileSystem(new FaultyFileSystem());
  const log = await PartitionLog.open({
    dir: '/data/t-0',
    config: { ...defaultLogConfig, ...config },
    fs,
    clock: new ManualClock(1_700_000_000_000),
    logger: silentLogger(),
  });
  const appended: Appended[] = [];
  for (const [i, spec] of specs.entries()) {
    const batch = makeBatch({ ...spec, fill: i % 256 });
    const result = await log.append(batch, { leaderEpoch: 0 });
    appended.push({ baseOffset: result.baseOffset, lastOffset: result.lastOffset, sizeBytes: batch.length });
  }
  return { fs, log, appended };
}

/** The base offsets a read from `offset` must return, from the appended batches alone. */
function expected(appended: readonly Appended[], offset: bigint, maxBytes: number, maxOffset: bigint): bigint[] {
  const first = appended.findIndex((b) => b.lastOffset >= offset);
  const out: bigint[] = [];
  let bytes = 0;
  for (const b of first < 0 ? [] : appended.slice(first)) {
    if (b.baseOffset >= maxOffset) break;
    if (out.length > 0 && bytes + b.sizeBytes > maxBytes) break;
    out.push(b.baseOffset);
    bytes += b.sizeBytes;
  }
  return out;
}

async function baseOffsetsRead(log: PartitionLog, offset: bigint, maxBytes: number, maxOffset?: bigint) {
  const read = await log.read(offset, maxBytes, maxOffset);
  if (!read.ok) throw new Error(`offset ${offset} out of range`);
  const batches = parseBatches(read.records);
  expect(batches.every((b) => b.crcValid)).toBe(true);
  return batches.map((b) => b.baseOffset);
}

describe('segment reads from the index floor', () => {
  it('a read at an indexed batch base offset takes one file read', async () => {
    // 10 KiB batches over a 4 KiB index interval: every batch after the first has an index entry.
    const { fs, log, appended } = await logWith(
      { indexIntervalBytes: 4096 },
      Array.from({ length: 12 }, () => ({ records: 10, payloadBytes: 10_000 })),
    );
    for (const [i, batch] of appended.entries()) {
      fs.reset();
      expect(await baseOffsetsRead(log, batch.baseOffset, 35_000)).toEqual(
        expected(appended, batch.baseOffset, 35_000, log.logEndOffset),
      );
      expect(fs.counts.reads, `batch ${i}`).toBe(1);
    }
  });

  it('a batch larger than maxBytes comes back whole, with one more read', async () => {
    const { fs, log, appended } = await logWith(
      { indexIntervalBytes: 100 },
      [1_000, 50_000, 1_000].map((payloadBytes) => ({ records: 1, payloadBytes })),
    );
    fs.reset();
    expect(await baseOffsetsRead(log, 1n, 4096)).toEqual([1n]);
    expect(fs.counts.reads).toBe(2);
    expect(fs.counts.readBytes).toBe(4096 + (appended[1]?.sizeBytes ?? 0));
  });

  it('returns what the header scan returns from any offset, floor, batch size and limits', async () => {
    const specs = Array.from({ length: 40 }, (_, i) => ({ records: 1 + (i % 4), payloadBytes: 50 + ((i * 97) % 700) }));
    for (const indexIntervalBytes of [0, 300, 2000, 1 << 20]) {
      const { log, appended } = await logWith({ indexIntervalBytes }, specs);
      const end = log.logEndOffset;
      for (let offset = 0n; offset < end; offset++) {
        for (const maxBytes of [1, 200, 1000, 5000, 1 << 20]) {
          for (const maxOffset of [end, offset + 7n]) {
            const what = `interval ${indexIntervalBytes}, offset ${offset}, maxBytes ${maxBytes}, maxOffset ${maxOffset}`;
            expect(await baseOffsetsRead(log, offset, maxBytes, maxOffset), what).toEqual(
              expected(appended, offset, maxBytes, maxOffset),
            );
          }
        }
      }
    }
  });
});
