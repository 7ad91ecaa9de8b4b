import { ManualClock, Random, silentLogger } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  defaultLogConfig,
  FaultyFileSystem,
  type FileSystem,
  type FollowerAppendResult,
  LeaderEpochCache,
  type LogConfig,
  leaderEpochCheckpointFileName,
  PartitionLog,
} from '../src/index.ts';
import { makeBatch, parseBatches } from './batch-fixture.ts';
import { CountingFileSystem } from './counting-file-system.ts';

const leaderDir = '/leader/topic-0';
const followerDir = '/follower/topic-0';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function openOn(fs: FileSystem, dir: string, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    dir,
    config: { ...defaultLogConfig, retentionMs: -1, ...config },
    fs,
    clock: new ManualClock(1_700_000_000_000),
    logger: silentLogger(),
  });
}

/** A batch as a leader's log holds it: offsets and epoch set (both outside the CRC). */
function leaderBatch(baseOffset: bigint, epoch: number, spec: { records?: number; fill?: number } = {}): Buffer {
  const batch = makeBatch({ records: spec.records ?? 1, fill: spec.fill ?? Number(baseOffset % 256n) });
  batch.writeBigInt64BE(baseOffset, 0);
  batch.writeInt32BE(epoch, 12);
  return batch;
}

/** Contiguous leader batches from `from`, one per epoch given, `records` each. */
function leaderBatches(from: bigint, epochs: readonly number[], records = 3): Buffer {
  return Buffer.concat(epochs.map((epoch, i) => leaderBatch(from + BigInt(i * records), epoch, { records })));
}

/** Every batch in the log from its start, as raw bytes (one buffer per read). */
async function readAllBytes(log: PartitionLog, maxBytes = 1 << 20): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const read = await log.read(offset, maxBytes);
    if (!read.ok) throw new Error(`offset ${offset} out of range`);
    out.push(...read.records);
    offset = (parseBatches(read.records).at(-1)?.lastOffset ?? offset) + 1n;
  }
  return out;
}

/** A leader log with LogAppendTime (so followers must not restamp), epochs 0, 2 and 5, rolled twice. */
async function leaderLog(): Promise<PartitionLog> {
  const log = await openOn(new FaultyFileSystem(), leaderDir, {
    messageTimestampType: 'LogAppendTime',
    segmentBytes: 6 * 300,
    indexIntervalBytes: 200,
  });
  const epochs = [0, 0, 0, 2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5];
  for (const [i, leaderEpoch] of epochs.entries()) {
    await log.append(makeBatch({ records: 1 + (i % 4), fill: i, payloadBytes: 100 + 10 * i }), { leaderEpoch });
  }
  return log;
}

function epochAnswers(log: PartitionLog): unknown[] {
  return range(8).map((epoch) => log.endOffsetForEpoch(epoch));
}

async function expectNothingWritten(log: PartitionLog, fs: CountingFileSystem, result: Promise<FollowerAppendResult>) {
  const before = { end: log.logEndOffset, size: log.sizeBytes, epoch: log.latestEpoch };
  fs.reset();
  const refused = await result;
  expect(fs.counts.writes + fs.counts.writevs).toBe(0);
  expect({ end: log.logEndOffset, size: log.sizeBytes, epoch: log.latestEpoch }).toEqual(before);
  return refused;
}

describe('PartitionLog.appendAsFollower', () => {
  it('copies a leader log fetch by fetch with offsets, epochs and bytes identical, and the same epoch answers', async () => {
    const leader = await leaderLog();
    const fs = new FaultyFileSystem();
    // Different segment size and CreateTime: the follower still must not rewrite a byte.
    const follower = await openOn(fs, followerDir, { segmentBytes: 4 * 300, indexIntervalBytes: 150 });
    for (const fetched of await readAllBytes(leader, 700)) {
      const appended = await follower.appendAsFollower(Buffer.from(fetched));
      expect(appended).toEqual({ ok: true, value: { lastOffset: follower.logEndOffset - 1n } });
    }

    expect(follower.logEndOffset).toBe(leader.logEndOffset);
    expect(follower.segmentCount).toBeGreaterThan(1);
    expect(Buffer.concat(await readAllBytes(follower))).toEqual(Buffer.concat(await readAllBytes(leader)));
    // Reads through the follower's own indexes land on the same batches as the leader's.
    for (const batch of parseBatches(await readAllBytes(leader))) {
      const mid = batch.baseOffset + (batch.lastOffset - batch.baseOffset) / 2n;
      const [fromFollower, fromLeader] = await Promise.all([follower.read(mid, 1), leader.read(mid, 1)]);
      expect(fromFollower).toEqual(fromLeader);
    }
    expect(follower.latestEpoch).toBe(5);
    expect(epochAnswers(follower)).toEqual(epochAnswers(leader));
    expect(fs.content(`${followerDir}/${leaderEpochCheckpointFileName}`)?.toString()).toBe('0\n3\n0 0\n2 6\n5 16\n');
    await follower.close();
    await leader.close();
  });

  it('a buffer spanning several epochs starts each of them at its first batch', async () => {
    const follower = await openOn(new FaultyFileSystem(), followerDir);
    const appended = await follower.appendAsFollower(leaderBatches(0n, [1, 1, 3, 4, 4], 2));
    expect(appended).toEqual({ ok: true, value: { lastOffset: 9n } });
    expect(epochAnswers(follower).slice(0, 6)).toEqual([
      { epoch: -1, endOffset: -1n },
      { epoch: 1, endOffset: 4n },
      { epoch: 1, endOffset: 4n },
      { epoch: 3, endOffset: 6n },
      { epoch: 4, endOffset: 10n },
      { epoch: 4, endOffset: 10n },
    ]);
    await follower.close();
  });

  it('a batch scanLogBatches doubts only for its record count is kept, as recovery keeps it, and a promoted follower appends after it', async () => {
    const follower = await openOn(new FaultyFileSystem(), followerDir);
    // 40 records cannot fit a 100-byte uncompressed payload, but framing and CRC are sound.
    const doubtful = Buffer.concat([leaderBatch(0n, 3, { records: 40 }), leaderBatch(40n, 3, { records: 2 })]);
    expect(await follower.appendAsFollower(Buffer.from(doubtful))).toEqual({ ok: true, value: { lastOffset: 41n } });

    const promoted = await follower.append(makeBatch({ records: 2 }), { leaderEpoch: 4 });
    expect(promoted).toMatchObject({ baseOffset: 42n, lastOffset: 43n });
    expect(Buffer.concat(await readAllBytes(follower)).subarray(0, doubtful.length)).toEqual(doubtful);
    expect([follower.endOffsetForEpoch(3), follower.endOffsetForEpoch(4)]).toEqual([
      { epoch: 3, endOffset: 42n },
      { epoch: 4, endOffset: 44n },
    ]);
    await follower.close();
  });

  it('batches starting past or before the log end are refused as offset_mismatch with the expected offset, writing nothing', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const follower = await openOn(fs, followerDir);
    expect((await follower.appendAsFollower(leaderBatches(0n, [1, 1]))).ok).toBe(true);

    for (const start of [7n, 3n, 0n]) {
      const refused = await expectNothingWritten(follower, fs, follower.appendAsFollower(leaderBatches(start, [1])));
      expect(refused).toMatchObject({ ok: false, error: 'offset_mismatch', expectedOffset: 6n });
    }
    await follower.close();
  });

  it('a gap between two batches of one buffer is refused as corrupt_batch, writing nothing', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const follower = await openOn(fs, followerDir);
    const gap = Buffer.concat([leaderBatch(0n, 1, { records: 3 }), leaderBatch(4n, 1, { records: 3 })]);
    const overlap = Buffer.concat([leaderBatch(0n, 1, { records: 3 }), leaderBatch(2n, 1, { records: 3 })]);
    for (const buffer of [gap, overlap]) {
      expect(await expectNothingWritten(follower, fs, follower.appendAsFollower(buffer))).toMatchObject({
        ok: false,
        error: 'corrupt_batch',
      });
    }
    expect(follower.logEndOffset).toBe(0n);
    await follower.close();
  });

  it('a bad CRC, a torn last batch, a non-v2 batch or an empty buffer is refused as corrupt_batch, writing nothing', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const follower = await openOn(fs, followerDir);
    const badCrc = leaderBatches(0n, [1, 1, 1]);
    badCrc.writeUInt8(badCrc.readUInt8(161 + 80) ^ 0xff, 161 + 80); // a payload byte of the second batch
    const torn = leaderBatches(0n, [1, 1]).subarray(0, 161 + 100);
    const oldMagic = leaderBatches(0n, [1]);
    oldMagic.writeInt8(1, 16);
    for (const buffer of [badCrc, torn, oldMagic, Buffer.alloc(0)]) {
      expect(await expectNothingWritten(follower, fs, follower.appendAsFollower(buffer))).toMatchObject({
        ok: false,
        error: 'corrupt_batch',
      });
    }
    expect(await follower.read(0n, 1000)).toEqual({ ok: true, records: [], sizeBytes: 0 });
    await follower.close();
  });

  it('an epoch older than the log latest, or decreasing within the buffer, is refused as epoch_regression', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const follower = await openOn(fs, followerDir);
    expect((await follower.appendAsFollower(leaderBatches(0n, [2, 5]))).ok).toBe(true);

    for (const buffer of [leaderBatches(6n, [4]), leaderBatches(6n, [5, 7, 6])]) {
      expect(await expectNothingWritten(follower, fs, follower.appendAsFollower(buffer))).toMatchObject({
        ok: false,
        error: 'epoch_regression',
      });
    }
    // The same epoch continues, and -1 (no epoch) starts nothing.
    expect(await follower.appendAsFollower(leaderBatches(6n, [5, -1, 5]))).toEqual({
      ok: true,
      value: { lastOffset: 14n },
    });
    expect(follower.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 15n });
    await follower.close();
  });

  it('after truncateTo the follower appends the new leader batches from the truncation point', async () => {
    const follower = await openOn(new FaultyFileSystem(), followerDir, { segmentBytes: 3 * 161 });
    // Epoch 1 wrote offsets 0-8; the follower also holds epoch 2's 9-17, which the new leader (epoch 3) never saw.
    expect((await follower.appendAsFollower(leaderBatches(0n, [1, 1, 1, 2, 2, 2]))).ok).toBe(true);
    expect(follower.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 9n });

    await follower.truncateTo(9n);
    expect(follower.latestEpoch).toBe(1);
    const fromNewLeader = leaderBatches(9n, [3, 3]);
    expect(await follower.appendAsFollower(Buffer.from(fromNewLeader))).toEqual({
      ok: true,
      value: { lastOffset: 14n },
    });

    expect(epochAnswers(follower).slice(0, 4)).toEqual([
      { epoch: -1, endOffset: -1n },
      { epoch: 1, endOffset: 9n },
      { epoch: 1, endOffset: 9n },
      { epoch: 3, endOffset: 15n },
    ]);
    const all = Buffer.concat(await readAllBytes(follower));
    expect(all.subarray(3 * 161)).toEqual(fromNewLeader);
    await follower.close();
  });

  it('follower appends issued without awaiting share one writev, and a refused one between them leaves its neighbours alone', async () => {
    const fs = new CountingFileSystem(new FaultyFileSystem());
    const follower = await openOn(fs, followerDir);
    fs.reset();
    const results = await Promise.all([
      follower.appendAsFollower(leaderBatches(0n, [1, 1])),
      follower.appendAsFollower(leaderBatches(100n, [1])),
      follower.appendAsFollower(leaderBatches(6n, [2])),
      follower.appendAsFollower(leaderBatches(9n, [1])),
      follower.appendAsFollower(leaderBatches(9n, [2, 2])),
    ]);
    expect(results).toMatchObject([
      { ok: true, value: { lastOffset: 5n } },
      { ok: false, error: 'offset_mismatch', expectedOffset: 6n },
      { ok: true, value: { lastOffset: 8n } },
      { ok: false, error: 'epoch_regression' },
      { ok: true, value: { lastOffset: 14n } },
    ]);
    expect(fs.counts).toMatchObject({ writes: 0, writevs: 1, writevBuffersMax: 3 });
    expect(parseBatches(await readAllBytes(follower)).map((b) => [b.baseOffset, b.leaderEpoch])).toEqual([
      [0n, 1],
      [3n, 1],
      [6n, 2],
      [9n, 2],
      [12n, 2],
    ]);
    await follower.close();
  });

  it('with flush.messages=1 a crash at any point keeps every acknowledged follower append and a consistent prefix', async () => {
    const leader = await leaderLog();
    const fetches = await readAllBytes(leader, 400);
    const leaderBytes = Buffer.concat(fetches);
    const leaderEpochEntries = [
      { epoch: 0, startOffset: 0n },
      { epoch: 2, startOffset: 6n },
      { epoch: 5, startOffset: 16n },
    ];
    for (let seed = 1; seed <= 15; seed++) {
      const random = new Random(seed);
      const fs = new FaultyFileSystem();
      const config = { flushMessages: 1, segmentBytes: 5 * 300 };
      const follower = await openOn(fs, followerDir, config);
      let acked = 0n;
      const appends = fetches.map((fetched) =>
        follower.appendAsFollower(Buffer.from(fetched)).then((r) => {
          if (r.ok) acked = r.value.lastOffset + 1n;
          return r;
        }),
      );
      await appends[random.int(0, appends.length - 1)];
      const ackedAtCrash = acked;
      const after = fs.crash({ random });
      await Promise.allSettled(appends);

      const reopened = await openOn(after, followerDir, config);
      expect(reopened.logEndOffset, `seed ${seed}`).toBeGreaterThanOrEqual(ackedAtCrash);
      const recovered = Buffer.concat(await readAllBytes(reopened));
      expect(recovered.equals(leaderBytes.subarray(0, recovered.length)), `seed ${seed}`).toBe(true);
      // The epoch cache describes the recovered prefix: the leader's epochs that start before its end.
      const end = reopened.logEndOffset;
      const prefixEpochs = new LeaderEpochCache(leaderEpochEntries.filter((e) => e.startOffset < end));
      for (const epoch of range(7)) {
        expect(reopened.endOffsetForEpoch(epoch), `seed ${seed} epoch ${epoch}`).toEqual(
          prefixEpochs.endOffsetFor(epoch, end),
        );
      }
      // The copy resumes from where the recovered log ends.
      if (recovered.length < leaderBytes.length) {
        const resumed = await reopened.appendAsFollower(Buffer.from(leaderBytes.subarray(recovered.length)));
        expect(resumed, `seed ${seed}`).toEqual({ ok: true, value: { lastOffset: leader.logEndOffset - 1n } });
      }
      expect(Buffer.concat(await readAllBytes(reopened)).equals(leaderBytes), `seed ${seed}`).toBe(true);
      await reopened.close();
    }
    await leader.close();
  });
});
