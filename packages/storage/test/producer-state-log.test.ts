/**
 * Producer state inside PartitionLog (in-memory FaultyFileSystem, manual
 * clock): client appends checked on their turn, followers building the
 * same table, snapshots on roll and close, recovery after a crash or from a
 * corrupt snapshot, truncation, retention, reset and expiry.
 */
import { type Logger, ManualClock, silentLogger } from '@runnel/common';
import { describe, expect, it, vi } from 'vitest';
import { defaultLogConfig, FaultyFileSystem, type LogConfig, PartitionLog } from '../src/index.ts';
import { producerBatch } from './producer-fixture.ts';

const dir = '/data/t-0';
const snapshot = (offset: bigint) => `${offset.toString().padStart(20, '0')}.snapshot`;

function capturingLogger(): { logger: Logger; lines: { level: string; msg: string; obj: Record<string, unknown> }[] } {
  const logger = silentLogger();
  const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
  for (const level of ['info', 'warn'] as const) {
    vi.spyOn(logger, level).mockImplementation(((obj: unknown, msg?: string) => {
      lines.push({
        level,
        msg: msg ?? '',
        obj: typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : {},
      });
    }) as Logger['info']);
  }
  return { logger, lines };
}

async function open(
  fs: FaultyFileSystem,
  options: { config?: Partial<LogConfig>; clock?: ManualClock; logger?: Logger } = {},
): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    config: { ...defaultLogConfig, ...options.config },
    fs,
    clock: options.clock ?? new ManualClock(),
    logger: options.logger ?? silentLogger(),
  });
}

/** Appends seq..seq+count-1 of producer 1000 (one record each) as a client would; returns their base offsets. */
async function produce(log: PartitionLog, epoch: number, seqs: number[]): Promise<bigint[]> {
  const offsets: bigint[] = [];
  for (const seq of seqs) {
    const r = await log.appendFromClient(producerBatch({ epoch, seq }), { leaderEpoch: 1 });
    if (!r.ok || r.value.duplicate) throw new Error(`seq ${seq} was not appended: ${JSON.stringify(r)}`);
    offsets.push(r.value.baseOffset);
  }
  return offsets;
}

async function expectDuplicate(log: PartitionLog, epoch: number, seq: number, baseOffset: bigint): Promise<void> {
  const end = log.logEndOffset;
  const r = await log.appendFromClient(producerBatch({ epoch, seq }), { leaderEpoch: 1 });
  expect(r).toEqual({ ok: true, value: { baseOffset, lastOffset: baseOffset, logAppendTimeMs: -1n, duplicate: true } });
  expect(log.logEndOffset).toBe(end);
}

describe('PartitionLog client appends', () => {
  it('a retried batch is answered with its original offsets and stored once', async () => {
    const log = await open(new FaultyFileSystem());
    await produce(log, 0, [0, 1]);
    await log.append(producerBatch({ producerId: -1n, epoch: -1, seq: -1 }), { leaderEpoch: 1 });
    await expectDuplicate(log, 0, 1, 1n);
    await expectDuplicate(log, 0, 0, 0n);
    expect(log.logEndOffset).toBe(3n);
  });

  it('an out-of-order batch is refused with a message and nothing is written', async () => {
    const log = await open(new FaultyFileSystem());
    await produce(log, 0, [0]);
    const r = await log.appendFromClient(producerBatch({ epoch: 0, seq: 5 }), { leaderEpoch: 1 });
    expect(r).toMatchObject({ ok: false, error: 'out_of_order_sequence' });
    expect(!r.ok && r.message).toContain('sequence 5');
    expect(log.logEndOffset).toBe(1n);
  });

  it('pipelined appends are checked in call order, and a retry of a batch still being written gets its offsets', async () => {
    const log = await open(new FaultyFileSystem());
    const opts = { leaderEpoch: 1 };
    const results = await Promise.all([
      log.appendFromClient(producerBatch({ epoch: 0, seq: 0, records: 2 }), opts),
      log.appendFromClient(producerBatch({ epoch: 0, seq: 2 }), opts),
      log.appendFromClient(producerBatch({ epoch: 0, seq: 0, records: 2 }), opts),
      log.appendFromClient(producerBatch({ epoch: 0, seq: 3 }), opts),
    ]);
    expect(results.map((r) => (r.ok ? [r.value.baseOffset, r.value.duplicate] : r.error))).toEqual([
      [0n, false],
      [2n, false],
      [0n, true],
      [3n, false],
    ]);
    expect(log.logEndOffset).toBe(4n);
  });

  it('batches copied from the leader build the same table: as leader the follower deduplicates the same retry', async () => {
    const leader = await open(new FaultyFileSystem());
    await produce(leader, 0, [0, 1, 2]);
    const read = await leader.read(0n, 1 << 20);
    if (!read.ok) throw new Error('leader read failed');
    const follower = await open(new FaultyFileSystem());
    expect(await follower.appendAsFollower(Buffer.concat(read.records))).toMatchObject({ ok: true });
    await expectDuplicate(follower, 0, 2, 2n);
    expect(follower.producer(1000n)).toEqual(leader.producer(1000n));
  });

  it('on a LogAppendTime topic a duplicate reports the append time stored with the original', async () => {
    const clock = new ManualClock(5_000);
    const log = await open(new FaultyFileSystem(), { clock, config: { messageTimestampType: 'LogAppendTime' } });
    await produce(log, 0, [0]);
    clock.advance(1_000);
    const r = await log.appendFromClient(producerBatch({ epoch: 0, seq: 0 }), { leaderEpoch: 1 });
    expect(r).toMatchObject({ ok: true, value: { duplicate: true, logAppendTimeMs: 5_000n } });
  });
});

describe('PartitionLog producer snapshots and recovery', () => {
  it('a roll snapshots at the new segment’s base and a close at the log end; reopening loads it without a replay', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await produce(log, 0, [0, 1]);
    await log.roll();
    await produce(log, 0, [2]);
    await log.close();
    expect(fs.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([snapshot(2n), snapshot(3n)]);
    const { logger, lines } = capturingLogger();
    const reopened = await open(fs, { logger });
    expect(lines.filter((l) => l.msg === 'rebuilt producer state from the log')).toEqual([]);
    await expectDuplicate(reopened, 0, 2, 2n);
    await expectDuplicate(reopened, 0, 0, 0n);
  });

  it('after a crash (no close) the state is the last snapshot plus the batches after it: retries still deduplicate', async () => {
    const fs = new FaultyFileSystem();
    // Each append rolls the segment, so the crash finds snapshots at every base and an active segment after them.
    const config = { segmentBytes: 200, flushMessages: 1 };
    const log = await open(fs, { config });
    const offsets = await produce(log, 0, [0, 1, 2, 3, 4, 5]);
    const { logger, lines } = capturingLogger();
    const reopened = await open(fs.crash(), { config, logger });
    expect(reopened.logEndOffset).toBe(6n);
    for (const seq of [1, 2, 3, 4, 5]) await expectDuplicate(reopened, 0, seq, offsets[seq] ?? -1n);
    const next = await reopened.appendFromClient(producerBatch({ epoch: 0, seq: 6 }), { leaderEpoch: 1 });
    expect(next).toMatchObject({ ok: true, value: { baseOffset: 6n, duplicate: false } });
    expect(lines.some((l) => l.msg === 'rebuilt producer state from the log')).toBe(true);
  });

  it('a crash with no snapshot at all rebuilds the state from the log start', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs, { config: { flushMessages: 1 } });
    await produce(log, 0, [0, 1, 2]);
    const crashed = fs.crash();
    expect(crashed.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([]);
    const reopened = await open(crashed);
    await expectDuplicate(reopened, 0, 1, 1n);
    expect(crashed.entries(dir)).toContain(snapshot(3n));
  });

  it('a corrupt snapshot is logged, deleted and ignored: the state is rebuilt from the log', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await produce(log, 0, [0, 1, 2]);
    await log.close();
    fs.corrupt(`${dir}/${snapshot(3n)}`, 20);
    const { logger, lines } = capturingLogger();
    const reopened = await open(fs, { logger });
    const warning = lines.find((l) => l.msg === 'ignored unreadable producer state snapshot');
    expect(warning?.obj).toMatchObject({ snapshot: snapshot(3n), reason: 'corrupt' });
    await expectDuplicate(reopened, 0, 2, 2n);
    const ok = await reopened.appendFromClient(producerBatch({ epoch: 0, seq: 3 }), { leaderEpoch: 1 });
    expect(ok).toMatchObject({ ok: true, value: { baseOffset: 3n, duplicate: false } });
  });

  it('truncation rolls the state back to the batches left, replacing snapshots past the new end with one at it', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await produce(log, 0, [0, 1]);
    await log.roll();
    await produce(log, 0, [2]);
    await log.roll();
    expect(fs.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([snapshot(2n), snapshot(3n)]);
    await log.truncateTo(1n);
    expect(fs.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([snapshot(1n)]);
    expect(log.producer(1000n)?.batches.map((b) => b.lastSeq)).toEqual([0]);
    // Sequence 1 is no longer stored: a new leader's copy of it is accepted, not answered as a duplicate.
    const again = await log.appendFromClient(producerBatch({ epoch: 0, seq: 1 }), { leaderEpoch: 2 });
    expect(again).toMatchObject({ ok: true, value: { baseOffset: 1n, duplicate: false } });
  });

  it('retention deletes the snapshots below the new log start but keeps the producers', async () => {
    const fs = new FaultyFileSystem();
    const start = 1_700_000_000_000;
    const clock = new ManualClock(start);
    const log = await open(fs, { clock, config: { retentionMs: 1_000 } });
    const opts = { leaderEpoch: 1 };
    for (const [seq, timestampMs] of [
      [0, start],
      [1, start],
      [2, start + 20_000],
    ] as const) {
      await log.appendFromClient(producerBatch({ epoch: 0, seq, timestampMs: BigInt(timestampMs) }), opts);
      await log.roll();
    }
    clock.advance(20_000);
    expect((await log.applyRetention()).deletedSegments).toBe(2);
    expect(log.logStartOffset).toBe(2n);
    expect(fs.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([snapshot(2n), snapshot(3n)]);
    expect(log.producer(1000n)?.batches.map((b) => b.lastSeq)).toEqual([0, 1, 2]);
    const r = await log.appendFromClient(
      producerBatch({ epoch: 0, seq: 2, timestampMs: BigInt(start + 20_000) }),
      opts,
    );
    expect(r).toMatchObject({ ok: true, value: { baseOffset: 2n, duplicate: true } });
  });

  it('a log emptied and restarted elsewhere forgets every producer and snapshot', async () => {
    const fs = new FaultyFileSystem();
    const log = await open(fs);
    await produce(log, 0, [0, 1]);
    await log.roll();
    await log.resetTo(100n);
    expect(log.producerCount).toBe(0);
    expect(fs.entries(dir).filter((n) => n.endsWith('.snapshot'))).toEqual([]);
  });

  it('expireProducers forgets producers idle for the expiration by the log’s clock', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await open(new FaultyFileSystem(), { clock });
    await produce(log, 0, [0]);
    clock.advance(59_999);
    expect(await log.expireProducers(60_000)).toBe(0);
    clock.advance(1);
    expect(await log.expireProducers(60_000)).toBe(1);
    expect(log.producerCount).toBe(0);
  });
});
