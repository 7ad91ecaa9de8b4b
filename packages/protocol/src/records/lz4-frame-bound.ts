/**
 * An upper bound on what an LZ4 frame decompresses to, found by walking the
 * frame and block headers without decompressing (the codec is `lz4-napi`).
 * It lets decompress() refuse decompression bombs before allocating.
 *
 * Frame grammar (little-endian):
 *   magic 04 22 4D 18 | FLG | BD | [content size u64] | [dict id u32] | HC
 *   blocks { u32 size (high bit: stored uncompressed) | data | [block checksum u32] }
 *   end mark u32 0 | [content checksum u32]
 * Skippable frames: magic 0x184D2A50..5F, u32 size, data. Frames may be concatenated.
 */

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;
/** An LZ4 block cannot expand by more than this factor: each extra length byte adds at most 255. */
const LZ4_EXPANSION_MAX = 255;

/** Block maximum sizes by the BD byte's bits 4-6 (values 4..7). */
const blockBytesMaxByCode: Readonly<Record<number, number>> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};

/** Upper bound on the decompressed size, or undefined when the frame structure is malformed. */
export function lz4FrameOutputBound(data: Buffer): number | undefined {
  let pos = 0;
  let bound = 0;
  while (pos < data.length) {
    if (data.length - pos < 4) return undefined;
    const magic = data.readUInt32LE(pos);
    pos += 4;
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (data.length - pos < 4) return undefined;
      const size = data.readUInt32LE(pos);
      pos += 4 + size;
      if (pos > data.length) return undefined;
      continue;
    }
    if (magic !== FRAME_MAGIC) return undefined;
    const frame = frameBound(data, pos);
    if (frame === undefined) return undefined;
    pos = frame.end;
    bound += frame.bound;
  }
  return bound;
}

function frameBound(data: Buffer, start: number): { end: number; bound: number } | undefined {
  let pos = start;
  if (data.length - pos < 3) return undefined;
  const flg = data[pos] ?? 0;
  const bd = data[pos + 1] ?? 0;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) return undefined;
  const blockBytesMax = blockBytesMaxByCode[(bd >> 4) & 0x07];
  if (blockBytesMax === undefined) return undefined;
  pos += 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0) + 1;
  const checksumBytes = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  let bound = 0;
  for (;;) {
    if (data.length - pos < 4) return undefined;
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
    const stored = (word & BLOCK_UNCOMPRESSED) !== 0;
    if (size > blockBytesMax || data.length - pos < size + checksumBytes) return undefined;
    bound += stored ? size : Math.min(blockBytesMax, size * LZ4_EXPANSION_MAX);
    pos += size + checksumBytes;
  }
  pos += flg & FLG_CONTENT_CHECKSUM ? 4 : 0;
  if (pos > data.length) return undefined;
  return { end: pos, bound };
}
