/**
 * Checks the checksums of a LevelDB directory's files before LevelDB opens
 * it. LevelDB can do this itself (`paranoid_checks`, `verify_checksums`),
 * but classic-level 3 (what `level` runs on) passes neither option through,
 * and without them LevelDB's recovery drops a damaged write-ahead-log block
 * with only a line in its own LOG file: the store then opens as an older,
 * self-consistent state (the issue that asked for this saw 60 metadata
 * records become 6). So the store reads the files first and refuses.
 *
 * Formats (LevelDB's documented on-disk formats, doc/log_format.md and
 * doc/table_format.md):
 *   log / MANIFEST  32 KiB blocks of records: u32 masked CRC32C (of type +
 *                   payload), u16 length, u8 type, payload; a block tail of
 *                   fewer than 7 bytes is padding.
 *   table (.ldb)    blocks, each followed by u8 compression type and u32
 *                   masked CRC32C (of contents + type); the 48-byte footer
 *                   holds the metaindex and index block handles (varint64
 *                   offset, varint64 size) and a magic number; the index
 *                   block's values are the data blocks' handles.
 * All fixed-width integers little-endian.
 *
 * What a crash legitimately leaves is accepted: LevelDB only appends, so a
 * log may end inside a record (torn tail) or, on some filesystems, in zeros.
 * Anything else that fails a check is damage.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@runnel/protocol';
import { uncompressSync } from 'snappy';

/** One damaged file: which, and what is wrong with it. */
export interface FileDamage {
  readonly file: string;
  readonly problem: string;
}

const logBlockBytes = 32 * 1024;
const logHeaderBytes = 7;
const tableFooterBytes = 48;
const tableTrailerBytes = 5;
const tableMagic = 0xdb4775248b80fb57n;
const maskDelta = 0xa282ead8;

/** The first damaged file in `dir` (logs, manifests, tables), or null when every checksum holds. */
export async function findLevelDbDamage(dir: string): Promise<FileDamage | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return null; // A store that does not exist yet has nothing to check.
  }
  for (const name of names) {
    const kind = fileKind(name);
    if (kind === null) continue;
    const file = join(dir, name);
    const bytes = await readFile(file);
    const problem = kind === 'log' ? checkLogFile(bytes) : checkTableFile(bytes);
    if (problem !== null) return { file, problem };
  }
  return null;
}

function fileKind(name: string): 'log' | 'table' | null {
  if (/^\d+\.log$/.test(name) || /^MANIFEST-\d+$/.test(name)) return 'log';
  if (/^\d+\.(ldb|sst)$/.test(name)) return 'table';
  return null;
}

/** LevelDB stores CRCs rotated and offset, so a CRC of data holding CRCs stays meaningful. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - maskDelta) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + maskDelta) >>> 0;
}

/** A description of the first damaged record of a log-format file, or null. */
export function checkLogFile(bytes: Buffer): string | null {
  let at = 0;
  while (at < bytes.length) {
    const blockLeft = logBlockBytes - (at % logBlockBytes);
    if (blockLeft < logHeaderBytes) {
      at += blockLeft;
      continue;
    }
    // A header or record cut off by the end of the file is a write a crash interrupted.
    if (bytes.length - at < logHeaderBytes) return null;
    const length = bytes.readUInt16LE(at + 4);
    const type = bytes[at + 6] ?? 0;
    if (at + logHeaderBytes + length > bytes.length && logHeaderBytes + length <= blockLeft) return null;
    const problem =
      logHeaderBytes + length > blockLeft
        ? `a record length of ${length} runs past its block`
        : type < 1 || type > 4
          ? `unknown record type ${type}`
          : unmaskCrc(bytes.readUInt32LE(at)) !== crc32c(bytes.subarray(at + 6, at + logHeaderBytes + length))
            ? 'checksum mismatch'
            : null;
    if (problem !== null) {
      // Zeros to the end: space a crash left allocated but unwritten.
      return allZero(bytes, at) ? null : `${problem} in the record at byte ${at}`;
    }
    at += logHeaderBytes + length;
  }
  return null;
}

/** A description of the first damaged block of a table file, or null. */
export function checkTableFile(bytes: Buffer): string | null {
  if (bytes.length < tableFooterBytes) return `${bytes.length} bytes, too short for a table footer`;
  const footer = bytes.subarray(bytes.length - tableFooterBytes);
  if (footer.readBigUInt64LE(tableFooterBytes - 8) !== tableMagic) return 'the footer has no table magic number';
  const cursor = { at: 0 };
  const metaindex = readHandle(footer, cursor);
  const index = readHandle(footer, cursor);
  if (metaindex === null || index === null) return 'the footer holds no valid block handles';
  const metaProblem = checkBlock(bytes, metaindex, 'the metaindex block');
  if (metaProblem !== null) return metaProblem;
  const indexProblem = checkBlock(bytes, index, 'the index block');
  if (indexProblem !== null) return indexProblem;
  const contents = blockContents(bytes, index);
  if (typeof contents === 'string') return `the index block ${contents}`;
  const handles = blockValues(contents);
  if (handles === null) return 'the index block does not parse';
  for (const value of handles) {
    const handle = readHandle(value, { at: 0 });
    if (handle === null) return 'the index block holds an invalid block handle';
    const problem = checkBlock(bytes, handle, `the data block at byte ${handle.offset}`);
    if (problem !== null) return problem;
  }
  return null;
}

interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

function checkBlock(bytes: Buffer, handle: BlockHandle, what: string): string | null {
  const end = handle.offset + handle.size + tableTrailerBytes;
  if (end > bytes.length - tableFooterBytes) return `${what} runs past the end of the file`;
  const stored = unmaskCrc(bytes.readUInt32LE(handle.offset + handle.size + 1));
  const actual = crc32c(bytes.subarray(handle.offset, handle.offset + handle.size + 1));
  return stored === actual ? null : `checksum mismatch in ${what}`;
}

/** The block's contents, uncompressed; a string saying why not. */
function blockContents(bytes: Buffer, handle: BlockHandle): Buffer | string {
  const raw = bytes.subarray(handle.offset, handle.offset + handle.size);
  const type = bytes[handle.offset + handle.size];
  if (type === 0) return raw;
  if (type !== 1) return `has unknown compression type ${type}`;
  try {
    const out = uncompressSync(raw);
    return typeof out === 'string' ? Buffer.from(out) : out;
  } catch {
    return 'does not decompress';
  }
}

/** The values of a block's entries (shared, non-shared, value length varints; key delta; value), or null. */
function blockValues(block: Buffer): Buffer[] | null {
  if (block.length < 4) return null;
  const restarts = block.readUInt32LE(block.length - 4);
  const entriesEnd = block.length - 4 - 4 * restarts;
  if (entriesEnd < 0) return null;
  const values: Buffer[] = [];
  const cursor = { at: 0 };
  while (cursor.at < entriesEnd) {
    const shared = readVarint(block, cursor);
    const nonShared = readVarint(block, cursor);
    const valueLength = readVarint(block, cursor);
    if (shared === null || nonShared === null || valueLength === null) return null;
    const valueStart = cursor.at + nonShared;
    cursor.at = valueStart + valueLength;
    if (cursor.at > entriesEnd) return null;
    values.push(block.subarray(valueStart, cursor.at));
  }
  return values;
}

function readHandle(bytes: Buffer, cursor: { at: number }): BlockHandle | null {
  const offset = readVarint(bytes, cursor);
  const size = readVarint(bytes, cursor);
  return offset === null || size === null ? null : { offset, size };
}

/** An unsigned LEB128 varint below 2^53, or null when it overruns or is too long. */
function readVarint(bytes: Buffer, cursor: { at: number }): number | null {
  let value = 0;
  for (let shift = 0; shift < 53; shift += 7) {
    const byte = bytes[cursor.at];
    if (byte === undefined) return null;
    cursor.at++;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  return null;
}

function allZero(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
