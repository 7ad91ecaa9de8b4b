/**
 * Snappy framing helpers. The codec itself is the `snappy` package; this file
 * only reads and writes the framing around raw snappy blocks.
 *
 * Xerial framing (written by kafka-python and old Java clients, read by all):
 *   magic    82 53 4E 41 50 50 59 00
 *   version  int32 (1)
 *   compat   int32 (1)
 *   chunks   { int32 length, raw snappy block } until the end
 *
 * A raw snappy block starts with its uncompressed length as an unsigned
 * little-endian base-128 varint, which lets us refuse decompression bombs
 * before decompressing.
 */

export const XERIAL_MAGIC: Buffer = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = XERIAL_MAGIC.length + 8;
const XERIAL_VERSION = 1;
const XERIAL_COMPAT_VERSION = 1;
/** Uncompressed bytes per xerial chunk, the xerial library's default block size. */
export const XERIAL_CHUNK_BYTES = 32 * 1024;

/**
 * True when `data` begins with the xerial magic. A raw snappy stream cannot:
 * those bytes would decode as a copy before any literal.
 */
export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_MAGIC.length && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** The raw snappy blocks inside a xerial frame (views, no copy), or undefined when the framing is malformed. */
export function xerialBlocks(data: Buffer): Buffer[] | undefined {
  if (data.length < XERIAL_HEADER_BYTES || !isXerialFramed(data)) return undefined;
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_BYTES;
  while (pos < data.length) {
    if (data.length - pos < 4) return undefined;
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) return undefined;
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

/** Wraps raw snappy blocks in a xerial frame. */
export function xerialFrame(blocks: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, XERIAL_MAGIC.length);
  header.writeInt32BE(XERIAL_COMPAT_VERSION, XERIAL_MAGIC.length + 4);
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** The uncompressed length a raw snappy block declares, or undefined when its preamble is malformed. */
export function snappyDeclaredLength(block: Buffer): number | undefined {
  let length = 0;
  // The preamble is a uint32: at most five 7-bit groups.
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i] ?? 0;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length <= 0xffffffff ? length : undefined;
  }
  return undefined;
}
