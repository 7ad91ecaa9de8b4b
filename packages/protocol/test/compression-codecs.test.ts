import { gzipSync } from 'node:zlib';
import { Random } from '@runnel/common';
import { compressFrameSync } from 'lz4-napi';
import * as snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import type { CompressionCodec } from '../src/records/index.ts';
import {
  COMPRESSION_CODEC_IDS,
  CompressionError,
  codecFromId,
  compress,
  compressSync,
  decompress,
  decompressSync,
} from '../src/records/index.ts';

const codecs: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];

/** Xerial framing built by hand around raw snappy blocks: magic, version 1, compat 1, {int32 length, block}. */
function xerialByHand(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(XERIAL_MAGIC), Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function failureOf(fn: () => unknown): CompressionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CompressionError) return error;
    throw new Error(`expected CompressionError, got ${String(error)}`);
  }
  throw new Error('expected CompressionError, nothing was thrown');
}

describe('compression codecs', () => {
  it('codec ids are Kafka ids 0-4 and ids 5-7 map to no codec', () => {
    expect(COMPRESSION_CODEC_IDS).toEqual({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
    expect(codecs.map((_, id) => codecFromId(id))).toEqual(codecs);
    expect([5, 6, 7].map(codecFromId)).toEqual([undefined, undefined, undefined]);
  });

  for (const codec of codecs) {
    it(`${codec}: sync and async round-trip empty, small, random and repetitive data`, async () => {
      const random = new Random(0xc0dec + COMPRESSION_CODEC_IDS[codec]);
      const inputs = [Buffer.alloc(0), Buffer.from('x'), random.bytes(100_000), Buffer.alloc(300_000, 'abc')];
      for (const input of inputs) {
        expect(decompressSync(codec, compressSync(codec, input)).equals(input)).toBe(true);
        expect((await decompress(codec, await compress(codec, input))).equals(input)).toBe(true);
      }
    });
  }

  it('snappy writes raw blocks by default, readable by the snappy library itself', () => {
    const input = Buffer.from('raw snappy as librdkafka and kafkajs write it');
    const out = compressSync('snappy', input);
    expect(out.subarray(0, 8).equals(Buffer.from(XERIAL_MAGIC))).toBe(false);
    expect(snappy.uncompressSync(out, { asBuffer: true })).toEqual(input);
  });

  it('snappy xerial framing built by hand around raw blocks decodes, sync and async', async () => {
    const first = Buffer.from('first chunk of a kafka-python batch, '.repeat(20));
    const second = Buffer.from('second chunk');
    const framed = xerialByHand([snappy.compressSync(first), snappy.compressSync(second)]);
    const expected = Buffer.concat([first, second]);
    expect(decompressSync('snappy', framed).equals(expected)).toBe(true);
    expect((await decompress('snappy', framed)).equals(expected)).toBe(true);
  });

  it('snappy with snappyFraming xerial writes the xerial magic and 32 KiB chunks that round-trip', () => {
    const input = new Random(7).bytes(100_000);
    const framed = compressSync('snappy', input, { snappyFraming: 'xerial' });
    expect([...framed.subarray(0, 8)]).toEqual(XERIAL_MAGIC);
    expect(framed.readInt32BE(8)).toBe(1);
    expect(decompressSync('snappy', framed).equals(input)).toBe(true);
  });

  it('xerial framing with a chunk length past the end is corrupt_input', () => {
    const framed = xerialByHand([snappy.compressSync(Buffer.from('abc'))]);
    framed.writeInt32BE(1000, 16);
    expect(failureOf(() => decompressSync('snappy', framed)).reason).toBe('corrupt_input');
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`${codec}: garbage input throws CompressionError corrupt_input, sync and async`, async () => {
      const garbage = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(failureOf(() => decompressSync(codec, garbage)).reason).toBe('corrupt_input');
      await expect(decompress(codec, garbage)).rejects.toBeInstanceOf(CompressionError);
    });

    it(`${codec}: output beyond outputBytesMax throws output_too_large, sync and async`, async () => {
      const bomb = compressSync(codec, Buffer.alloc(2_000_000));
      const error = failureOf(() => decompressSync(codec, bomb, { outputBytesMax: 100_000 }));
      expect(error.reason).toBe('output_too_large');
      await expect(decompress(codec, bomb, { outputBytesMax: 100_000 })).rejects.toMatchObject({
        reason: 'output_too_large',
      });
      // lz4's pre-decompression bound may overshoot by part of one block, hence the slack.
      expect(decompressSync(codec, bomb, { outputBytesMax: 2_100_000 }).length).toBe(2_000_000);
    });
  }

  it('snappy refuses a block whose declared length exceeds the bound before decompressing it', () => {
    // Preamble claims 0xFFFFFFF bytes; the body is nonsense the codec never sees.
    const block = Buffer.from([0xff, 0xff, 0xff, 0x7f, 0x00, 0x01]);
    expect(failureOf(() => decompressSync('snappy', block, { outputBytesMax: 1024 })).reason).toBe('output_too_large');
  });

  it('lz4 frames from the library with checksums decode, and a truncated frame is corrupt_input', () => {
    const input = Buffer.from('lz4 frame with block and content checksums '.repeat(100));
    const frame = compressFrameSync(input, { blockChecksums: true, contentChecksum: true });
    expect(decompressSync('lz4', frame).equals(input)).toBe(true);
    expect(failureOf(() => decompressSync('lz4', frame.subarray(0, frame.length - 6))).reason).toBe('corrupt_input');
  });

  it('gzip accepts a stream produced by another gzip writer', () => {
    const input = Buffer.from('gzip written elsewhere');
    expect(decompressSync('gzip', gzipSync(input, { level: 9 })).equals(input)).toBe(true);
  });
});
