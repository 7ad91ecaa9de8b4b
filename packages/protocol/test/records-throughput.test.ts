import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatchSync, scanLogBatches, validateRecordBatches } from '../src/records/index.ts';

/**
 * Prints validateRecordBatches / scanLogBatches throughput on 1 MiB of
 * 16 KiB batches. Informational: it asserts only that the work was done
 * (a test never asserts on wall time).
 */
describe('record batch validation throughput', () => {
  it('validates 1 MiB of 16 KiB batches repeatedly and prints MB/s', () => {
    const random = new Random(16);
    const batches: Buffer[] = [];
    for (let i = 0; i < 64; i++) {
      // 16 records of ~1 KiB: about 16 KiB per batch, as a busy producer sends.
      const records = Array.from({ length: 16 }, () => ({ key: random.bytes(16), value: random.bytes(1000) }));
      batches.push(encodeRecordBatchSync({ baseTimestamp: 0n, records }));
    }
    const buf = Buffer.concat(batches);
    const rounds = 300;
    let records = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      const result = validateRecordBatches(buf);
      if (result.ok) records += result.value.recordCount;
    }
    const validateNs = Number(process.hrtime.bigint() - started);
    const scanStarted = process.hrtime.bigint();
    let scanned = 0;
    for (let i = 0; i < rounds; i++) scanned += scanLogBatches(buf).validBytes;
    const scanNs = Number(process.hrtime.bigint() - scanStarted);

    const mbPerS = (ns: number): string => ((buf.length * rounds) / 1e6 / (ns / 1e9)).toFixed(0);
    console.log(
      `validateRecordBatches: ${mbPerS(validateNs)} MB/s, scanLogBatches: ${mbPerS(scanNs)} MB/s ` +
        `(${(buf.length / 1024).toFixed(0)} KiB of ${batches.length} batches, ${rounds} rounds)`,
    );
    expect(records).toBe(rounds * 64 * 16);
    expect(scanned).toBe(rounds * buf.length);
  });
});
