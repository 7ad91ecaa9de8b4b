/**
 * Storage throughput on a real disk: appends 16 KiB batches (32 appends in
 * flight), then reads the whole log back in 1 MiB fetches, and prints MB/s;
 * then the time to reopen it after a clean close, and without the
 * clean-shutdown marker (full recovery of the active segment).
 * Default config (no fsync) and flush.messages=1 (group-committed fsync).
 *
 *   node packages/storage/bench/append-read.ts [totalMiB] [dir]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { silentLogger } from '@runnel/common';
import { defaultLogConfig, type LogConfig, PartitionLog } from '../src/index.ts';

const batchBytes = 16 * 1024;
const inFlight = 32;
const totalMiB = Number(process.argv[2] ?? 256);
const root = process.argv[3] ?? tmpdir();

function batchTemplate(): Buffer {
  const buf = Buffer.alloc(batchBytes, 0x5a);
  buf.writeInt32BE(batchBytes - 12, 8);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(99, 23); // 100 records
  buf.writeBigInt64BE(BigInt(Date.now()), 27);
  buf.writeBigInt64BE(BigInt(Date.now()), 35);
  buf.writeInt32BE(100, 57);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}

async function run(label: string, config: Partial<LogConfig>, mib: number): Promise<void> {
  const dir = await mkdtemp(join(root, 'runnel-bench-'));
  try {
    const log = await PartitionLog.open({ dir, config: { ...defaultLogConfig, ...config }, logger: silentLogger() });
    const template = batchTemplate();
    const slots = Array.from({ length: inFlight }, () => Buffer.from(template));
    const batches = Math.floor((mib * 1024 * 1024) / batchBytes);
    let started = 0;
    const t0 = performance.now();
    await Promise.all(
      slots.map(async (slot) => {
        while (started < batches) {
          started++;
          await log.append(slot, { leaderEpoch: 0, recordCount: 100 });
        }
      }),
    );
    const appendMs = performance.now() - t0;
    const t1 = performance.now();
    let bytes = 0;
    for (let offset = 0n; offset < log.logEndOffset; ) {
      const read = await log.read(offset, 1024 * 1024);
      if (!read.ok || read.records.length === 0) throw new Error(`read stalled at ${offset}`);
      bytes += read.sizeBytes;
      const last = read.records.at(-1);
      if (last === undefined) throw new Error('no records');
      // Next offset: after the last batch returned.
      let pos = 0;
      let next = offset;
      while (pos < last.length) {
        next = last.readBigInt64BE(pos) + BigInt(last.readInt32BE(pos + 23)) + 1n;
        pos += 12 + last.readInt32BE(pos + 8);
      }
      offset = next;
    }
    const readMs = performance.now() - t1;
    const total = batches * batchBytes;
    const segments = log.segmentCount;
    await log.close();
    // Every batch has the same timestamp (like the broker bench), so the full recovery rescans the whole active segment.
    const cleanOpenMs = await timedReopen(dir, config);
    await rm(join(dir, '.clean-shutdown'));
    const fullOpenMs = await timedReopen(dir, config);
    const mbps = (n: number, ms: number) => (n / 1e6 / (ms / 1000)).toFixed(0);
    console.log(
      `${label}: ${(total / 1024 / 1024).toFixed(0)} MiB in ${batches} x 16 KiB batches, ${segments} segments | ` +
        `append ${mbps(total, appendMs)} MB/s (${((batches / appendMs) * 1000).toFixed(0)} batches/s) | ` +
        `read ${mbps(bytes, readMs)} MB/s | ` +
        `reopen after clean close ${cleanOpenMs.toFixed(1)} ms, without the marker ${fullOpenMs.toFixed(1)} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens and closes the log, returning how long the open (recovery included) took. */
async function timedReopen(dir: string, config: Partial<LogConfig>): Promise<number> {
  const t0 = performance.now();
  const log = await PartitionLog.open({ dir, config: { ...defaultLogConfig, ...config }, logger: silentLogger() });
  const ms = performance.now() - t0;
  await log.close();
  return ms;
}

await run('default (no fsync)', { segmentBytes: 128 * 1024 * 1024 }, totalMiB);
await run('flush.messages=1 (group commit)', { segmentBytes: 128 * 1024 * 1024, flushMessages: 1 }, totalMiB / 4);
