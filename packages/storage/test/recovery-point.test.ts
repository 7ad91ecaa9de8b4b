/**
 * Recovery after an unclean shutdown checks every batch since the recovery
 * point (the active segment's base: every roll fsyncs the sealed segment),
 * not only the tail past the last index entry, and says what it checked.
 */
import { type Logger, ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it, vi } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';

const dir = '/data/topic-0';
/** makeBatch's default: 61 header bytes + 100 payload bytes. */
const batchBytes = 161;
const config: LogConfig = { ...defaultLogConfig, indexIntervalBytes: 256, segmentBytes: 40 * batchBytes };

function capturingLogger(): {
  logger: Logger;
  lines: { level: string; msg: string; fields: Record<string, unknown> }[];
} {
  const logger = silentLogger();
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  for (const level of ['info', 'warn'] as const) {
    vi.spyOn(logger, level).mockImplementation(((fields: unknown, msg?: string) => {
      if (typeof fields === 'object' && fields !== null) {
        lines.push({ level, msg: msg ?? '', fields: fields as Record<string, unknown> });
      }
    }) as Logger['info']);
  }
  return { logger, lines };
}

async function fills(log: PartitionLog): Promise<number[]> {
  const out: number[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, 1 << 20);
    if (!read.ok) throw new Error(`offset ${offset} out of range`);
    const batches = parseBatches(read.records);
    for (const b of batches) {
      expect(b.crcValid).toBe(true);
      out.push(b.fill ?? -1);
    }
    offset = (batches.at(-1)?.lastOffset ?? offset) + 1n;
  }
  return out;
}

describe('recovery from the recovery point', () => {
  it('a CRC-broken batch in the middle of the active segment, before its last index entries, is cut with everything after it after an unclean shutdown', async () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock();
    const log = await PartitionLog.open({ dir, config, fs, clock, logger: silentLogger() });
    // 60 batches: the first 40 fill a segment, which rolls (fsynced); 20 go to the active one.
    // Rising timestamps give the time index entries all along the segment (the old recovery trusted them).
    for (let i = 0; i < 60; i++) {
      await log.append(makeBatch({ fill: i, timestampMs: 1_700_000_000_000n + BigInt(i) }), { leaderEpoch: 0 });
    }
    // A kill -9 after the indexes were written: every write survives (page cache), no clean-shutdown marker.
    await log.flush();
    const active = `${dir}/00000000000000000040.log`;
    expect(fs.content(active)?.length).toBe(20 * batchBytes);
    // Batch 45 (the 6th of the active segment) is well before the last offset-index entry.
    fs.corrupt(active, 5 * batchBytes + 80);

    const { logger, lines } = capturingLogger();
    const reopened = await PartitionLog.open({ dir, config, fs, clock, logger });
    expect(reopened.logEndOffset).toBe(45n);
    expect(await fills(reopened)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    const opened = lines.find((l) => l.msg === 'opened partition log');
    expect(opened?.fields).toMatchObject({
      recoverySkipped: false,
      fullRecoveryReason: 'no_marker',
      recoveryPointOffset: '40',
      segments: 2,
      checkedSegments: 1,
      checkedFromOffset: '40',
      checkedBatches: 5,
      checkedBytes: 5 * batchBytes,
      truncatedBytes: 15 * batchBytes,
      truncatedFromOffset: '45',
      logEndOffset: '45',
    });
    const recovered = lines.find((l) => l.msg === 'recovered partition log');
    expect(recovered).toMatchObject({
      level: 'warn',
      fields: { truncatedBytes: 15 * batchBytes, truncatedFromOffset: '45', defects: ['bad_crc'] },
    });
    expect((await reopened.append(makeBatch({ fill: 99 }), { leaderEpoch: 1 })).baseOffset).toBe(45n);
    await reopened.close();
  });

  it('an unclean shutdown with an intact log checks every batch of the active segment and truncates nothing', async () => {
    const fs = new FaultyFileSystem();
    const clock = new ManualClock();
    const log = await PartitionLog.open({ dir, config, fs, clock, logger: silentLogger() });
    for (let i = 0; i < 50; i++) await log.append(makeBatch({ fill: i }), { leaderEpoch: 0 });
    await log.flush();
    const { logger, lines } = capturingLogger();
    const reopened = await PartitionLog.open({ dir, config, fs, clock, logger });
    expect(reopened.logEndOffset).toBe(50n);
    expect(lines.find((l) => l.msg === 'opened partition log')?.fields).toMatchObject({
      recoveryPointOffset: '40',
      checkedSegments: 1,
      checkedFromOffset: '40',
      checkedBatches: 10,
      checkedBytes: 10 * batchBytes,
      truncatedBytes: 0,
      truncatedFromOffset: null,
    });
    expect(lines.some((l) => l.level === 'warn')).toBe(false);
  });
});
