/**
 * Record batch compression codecs, by Kafka codec id:
 *   0 none, 1 gzip (node:zlib), 2 snappy (`snappy`), 3 lz4 frame format
 *   (`lz4-napi`), 4 zstd (node:zlib).
 *
 * Snappy is written raw (what librdkafka, kafkajs and @platformatic/kafka
 * write) unless xerial framing is asked for; both are read. LZ4 is the frame
 * format only (the legacy Kafka 0.8 block framing belongs to magic 0/1).
 *
 * Failures are thrown as CompressionError (a closed `reason`), never as the
 * codec library's own errors: callers catch one class. Decompression refuses
 * output beyond `outputBytesMax`, checked before decompressing where the
 * format declares sizes (snappy, lz4) and by zlib's own limit (gzip, zstd).
 * The lz4 check uses an upper bound from the frame's block headers, so lz4
 * output just under the limit (within part of one block) may be refused.
 */
import {
  gunzip,
  gunzipSync,
  gzip,
  gzipSync,
  zstdCompress,
  zstdCompressSync,
  zstdDecompress,
  zstdDecompressSync,
} from 'node:zlib';
import { limits } from '@runnel/common';
import { compressFrame, compressFrameSync, decompressFrame, decompressFrameSync } from 'lz4-napi';
import * as snappy from 'snappy';
import { lz4FrameOutputBound } from './lz4-frame-bound.ts';
import {
  isXerialFramed,
  snappyDeclaredLength,
  XERIAL_CHUNK_BYTES,
  xerialBlocks,
  xerialFrame,
} from './snappy-xerial.ts';

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_CODEC_IDS = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const satisfies Record<CompressionCodec, number>;

const codecsById: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The codec for a batch attributes codec id, or undefined for ids 5-7 (not defined by Kafka). */
export function codecFromId(id: number): CompressionCodec | undefined {
  return codecsById[id];
}

export function codecId(codec: CompressionCodec): number {
  return COMPRESSION_CODEC_IDS[codec];
}

/** Default bound on decompressed output: no batch may inflate beyond the largest request a broker accepts. */
export const DECOMPRESSED_BYTES_MAX_DEFAULT: number = limits.requestBytesMax;

export type CompressionFailure = 'corrupt_input' | 'output_too_large';

/**
 * Thrown by decompress / decompressSync (and compress, should a codec library
 * fail). Owned by the caller; nothing is left half-done after it: the input is
 * untouched and no partial output is returned.
 */
export class CompressionError extends Error {
  override name = 'CompressionError';
  readonly reason: CompressionFailure;
  readonly codec: CompressionCodec;
  constructor(codec: CompressionCodec, reason: CompressionFailure, message: string, options?: ErrorOptions) {
    super(`${codec}: ${message}`, options);
    this.codec = codec;
    this.reason = reason;
  }
}

export interface CompressOptions {
  /** Snappy only: 'raw' (default, what modern clients write) or 'xerial' (kafka-python's framing). */
  snappyFraming?: 'raw' | 'xerial';
}

export interface DecompressOptions {
  /** Refuse to produce more than this many bytes. Default DECOMPRESSED_BYTES_MAX_DEFAULT. */
  outputBytesMax?: number;
}

export function compressSync(codec: CompressionCodec, data: Buffer, options: CompressOptions = {}): Buffer {
  try {
    switch (codec) {
      case 'none':
        return data;
      case 'gzip':
        return gzipSync(data);
      case 'snappy':
        if (options.snappyFraming === 'xerial') return xerialFrame(chunks(data).map((c) => snappy.compressSync(c)));
        return snappy.compressSync(data);
      case 'lz4':
        return compressFrameSync(data);
      case 'zstd':
        return zstdCompressSync(data);
    }
  } catch (cause) {
    throw new CompressionError(codec, 'corrupt_input', `compression failed: ${describe(cause)}`, { cause });
  }
}

export async function compress(codec: CompressionCodec, data: Buffer, options: CompressOptions = {}): Promise<Buffer> {
  try {
    switch (codec) {
      case 'none':
        return data;
      case 'gzip':
        return await zlibAsync(gzip, data, {});
      case 'snappy':
        if (options.snappyFraming === 'xerial') {
          return xerialFrame(await Promise.all(chunks(data).map((c) => snappy.compress(c))));
        }
        return await snappy.compress(data);
      case 'lz4':
        return await compressFrame(data);
      case 'zstd':
        return await zlibAsync(zstdCompress, data, {});
    }
  } catch (cause) {
    throw new CompressionError(codec, 'corrupt_input', `compression failed: ${describe(cause)}`, { cause });
  }
}

export function decompressSync(codec: CompressionCodec, data: Buffer, options: DecompressOptions = {}): Buffer {
  const outputBytesMax = options.outputBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT;
  let out: Buffer;
  try {
    switch (codec) {
      case 'none':
        out = data;
        break;
      case 'gzip':
        out = gunzipSync(data, { maxOutputLength: outputBytesMax });
        break;
      case 'snappy':
        out = Buffer.concat(
          snappyBlocks(data, outputBytesMax).map((block) => asBuffer(snappy.uncompressSync(block, { asBuffer: true }))),
        );
        break;
      case 'lz4':
        checkLz4Bound(data, outputBytesMax);
        out = decompressFrameSync(data);
        break;
      case 'zstd':
        out = zstdDecompressSync(data, { maxOutputLength: outputBytesMax });
        break;
    }
  } catch (cause) {
    throw asCompressionError(codec, cause);
  }
  return checkOutput(codec, out, outputBytesMax);
}

export async function decompress(
  codec: CompressionCodec,
  data: Buffer,
  options: DecompressOptions = {},
): Promise<Buffer> {
  const outputBytesMax = options.outputBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT;
  let out: Buffer;
  try {
    switch (codec) {
      case 'none':
        out = data;
        break;
      case 'gzip':
        out = await zlibAsync(gunzip, data, { maxOutputLength: outputBytesMax });
        break;
      case 'snappy': {
        const blocks = snappyBlocks(data, outputBytesMax);
        const parts = await Promise.all(blocks.map((block) => snappy.uncompress(block, { asBuffer: true })));
        out = Buffer.concat(parts.map(asBuffer));
        break;
      }
      case 'lz4':
        checkLz4Bound(data, outputBytesMax);
        out = await decompressFrame(data);
        break;
      case 'zstd':
        out = await zlibAsync(zstdDecompress, data, { maxOutputLength: outputBytesMax });
        break;
    }
  } catch (cause) {
    throw asCompressionError(codec, cause);
  }
  return checkOutput(codec, out, outputBytesMax);
}

/** Raw snappy blocks of `data` (one, or xerial's chunks), after checking their declared sizes against the bound. */
function snappyBlocks(data: Buffer, outputBytesMax: number): Buffer[] {
  const blocks = isXerialFramed(data) ? xerialBlocks(data) : [data];
  if (blocks === undefined) throw new CompressionError('snappy', 'corrupt_input', 'malformed xerial framing');
  let declared = 0;
  for (const block of blocks) {
    const length = snappyDeclaredLength(block);
    if (length === undefined) throw new CompressionError('snappy', 'corrupt_input', 'malformed block length');
    declared += length;
  }
  if (declared > outputBytesMax) {
    throw new CompressionError('snappy', 'output_too_large', `declares ${declared} bytes, limit ${outputBytesMax}`);
  }
  return blocks;
}

function checkLz4Bound(data: Buffer, outputBytesMax: number): void {
  const bound = lz4FrameOutputBound(data);
  if (bound === undefined) throw new CompressionError('lz4', 'corrupt_input', 'malformed frame');
  if (bound > outputBytesMax) {
    throw new CompressionError('lz4', 'output_too_large', `may inflate to ${bound} bytes, limit ${outputBytesMax}`);
  }
}

function checkOutput(codec: CompressionCodec, out: Buffer, outputBytesMax: number): Buffer {
  if (codec !== 'none' && out.length > outputBytesMax) {
    throw new CompressionError(codec, 'output_too_large', `inflated to ${out.length} bytes, limit ${outputBytesMax}`);
  }
  return out;
}

function asCompressionError(codec: CompressionCodec, cause: unknown): CompressionError {
  if (cause instanceof CompressionError) return cause;
  // zlib signals maxOutputLength with a RangeError carrying this code.
  if (cause instanceof RangeError && (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
    return new CompressionError(codec, 'output_too_large', describe(cause), { cause });
  }
  return new CompressionError(codec, 'corrupt_input', describe(cause), { cause });
}

function asBuffer(out: string | Buffer): Buffer {
  // `asBuffer: true` makes snappy return a Buffer; a string here would be a library contract change.
  if (typeof out === 'string') throw new TypeError('snappy returned a string despite asBuffer');
  return out;
}

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos < data.length; pos += XERIAL_CHUNK_BYTES)
    out.push(data.subarray(pos, pos + XERIAL_CHUNK_BYTES));
  return out;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

type ZlibCallbackFn = (
  buf: Buffer,
  options: { maxOutputLength?: number },
  callback: (error: Error | null, result: Buffer) => void,
) => void;

function zlibAsync(fn: ZlibCallbackFn, data: Buffer, options: { maxOutputLength?: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(data, options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
