/**
 * Test batches: a valid v2 header (correct length and CRC32C) around a dummy
 * payload. Storage never decodes records, so the payload need not be real.
 */
import { crc32c } from '@runnel/protocol';
import type { FileSystem } from '../src/file-system.ts';
import { readAt } from '../src/file-system.ts';

export interface BatchSpec {
  records?: number;
  timestampMs?: bigint;
  payloadBytes?: number;
  /** Fills the payload, so batches can be told apart. */
  fill?: number;
}

export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const payloadBytes = spec.payloadBytes ?? 100;
  const ts = spec.timestampMs ?? 1_700_000_000_000n;
  const buf = Buffer.alloc(61 + payloadBytes, spec.fill ?? 0x61);
  buf.writeBigInt64BE(0n, 0);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(-1, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(records - 1, 23);
  buf.writeBigInt64BE(ts, 27);
  buf.writeBigInt64BE(ts, 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(records, 57);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}

export interface ParsedBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  leaderEpoch: number;
  maxTimestampMs: bigint;
  attributes: number;
  sizeBytes: number;
  crcValid: boolean;
  fill: number | undefined;
}

/** Splits raw log bytes into batches, checking each CRC. */
export function parseBatches(chunks: readonly Buffer[]): ParsedBatch[] {
  const buf = Buffer.concat(chunks);
  const out: ParsedBatch[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const size = 12 + buf.readInt32BE(pos + 8);
    const baseOffset = buf.readBigInt64BE(pos);
    out.push({
      baseOffset,
      lastOffset: baseOffset + BigInt(buf.readInt32BE(pos + 23)),
      leaderEpoch: buf.readInt32BE(pos + 12),
      maxTimestampMs: buf.readBigInt64BE(pos + 35),
      attributes: buf.readInt16BE(pos + 21),
      sizeBytes: size,
      crcValid: crc32c(buf.subarray(pos + 21, pos + size)) === buf.readUInt32BE(pos + 17),
      fill: buf[pos + 61],
    });
    pos += size;
  }
  return out;
}

/** Whole file content through a FileSystem. */
export async function readWholeFile(fs: FileSystem, path: string): Promise<Buffer> {
  const size = (await fs.stat(path))?.sizeBytes ?? 0;
  const file = await fs.open(path);
  try {
    return await readAt(file, 0, size);
  } finally {
    await file.close();
  }
}
