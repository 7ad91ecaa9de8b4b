/**
 * The aborted transactions of one partition log, kept in memory and on disk
 * as one `<base>.txnindex` per segment (Kafka's transaction index): each
 * abort marker stored in the segment based at `base` adds one 34-byte entry
 * (version int16 = 0, producerId int64, firstOffset int64, lastOffset int64
 * = the marker's offset, lastStableOffset int64 = the LSO just after the
 * marker). read_committed fetches ask it which aborted transactions overlap
 * the offsets they return, so consumers can drop those records.
 *
 * Derived state: the producer state replay re-derives every entry whose
 * marker is at or after the offset it replays from (ProducerStateStore
 * truncates the index there first), so a torn tail, a truncation or a lost
 * snapshot never leaves an entry without its marker. An entry is written
 * (fsynced, atomically, whole file) before the marker's batch is written,
 * so no producer-state snapshot can ever cover a marker whose entry a crash
 * lost. Aborts are rare, so rewriting a segment's small file is cheap.
 *
 * Owned by PartitionLog (through ProducerStateStore), called from inside
 * its mutation queue; `overlapping` may run alongside mutations and sees
 * whole entries only.
 */
import { join } from 'node:path';
import { assert } from '@runnel/common';
import type { FileSystem } from './file-system.ts';
import { readWholeFile, replaceFile } from './whole-file.ts';

export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
  /** The offset of the abort marker. */
  readonly lastOffset: bigint;
  /** The partition's last stable offset once the marker was stored. */
  readonly lastStableOffset: bigint;
}

export const abortedTxnEntryBytes = 34;
const entryVersion = 0;
const txnIndexPattern = /^(\d{20})\.txnindex$/;
/** Far beyond any real segment's aborts; bounds what a damaged file can make us read. */
const txnIndexBytesMax = 64 * 1024 * 1024;

export function txnIndexFileName(segmentBaseOffset: bigint): string {
  return `${segmentBaseOffset.toString().padStart(20, '0')}.txnindex`;
}

export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * abortedTxnEntryBytes);
  for (const [i, entry] of entries.entries()) {
    const at = i * abortedTxnEntryBytes;
    buf.writeInt16BE(entryVersion, at);
    buf.writeBigInt64BE(entry.producerId, at + 2);
    buf.writeBigInt64BE(entry.firstOffset, at + 10);
    buf.writeBigInt64BE(entry.lastOffset, at + 18);
    buf.writeBigInt64BE(entry.lastStableOffset, at + 26);
  }
  return buf;
}

/** The whole entries of a file; a partial last entry or one of an unknown version ends it. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const entries: AbortedTxn[] = [];
  for (let at = 0; at + abortedTxnEntryBytes <= buf.length; at += abortedTxnEntryBytes) {
    if (buf.readInt16BE(at) !== entryVersion) break;
    entries.push({
      producerId: buf.readBigInt64BE(at + 2),
      firstOffset: buf.readBigInt64BE(at + 10),
      lastOffset: buf.readBigInt64BE(at + 18),
      lastStableOffset: buf.readBigInt64BE(at + 26),
    });
  }
  return entries;
}

export class AbortedTxnIndex {
  readonly #fs: FileSystem;
  readonly #dir: string;
  /** Segment base offset -> its entries in marker order. */
  readonly #segments = new Map<bigint, AbortedTxn[]>();

  private constructor(fs: FileSystem, dir: string) {
    this.#fs = fs;
    this.#dir = dir;
  }

  /** Reads every `.txnindex` in `dir`; unreadable entries are dropped (the replay re-derives what it covers). */
  static async open(fs: FileSystem, dir: string): Promise<AbortedTxnIndex> {
    const index = new AbortedTxnIndex(fs, dir);
    for (const name of await fs.readdir(dir)) {
      const m = txnIndexPattern.exec(name);
      if (m?.[1] === undefined) continue;
      const read = await readWholeFile(fs, join(dir, name), txnIndexBytesMax);
      const entries = read.ok ? decodeAbortedTxns(read.value) : [];
      if (entries.length > 0) index.#segments.set(BigInt(m[1]), entries);
      else await fs.unlink(join(dir, name));
    }
    return index;
  }

  /** Every entry, in marker order. */
  all(): AbortedTxn[] {
    const bases = [...this.#segments.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return bases.flatMap((base) => this.#segments.get(base) ?? []);
  }

  /**
   * Records an abort whose marker is stored in the segment based at
   * `segmentBaseOffset`: readers see it at once, durable on return. At once,
   * because the producer table closed the transaction in the same turn: a
   * read_committed fetch during the write would otherwise find the LSO past
   * the aborted records and no abort to skip them by.
   */
  async add(segmentBaseOffset: bigint, txn: AbortedTxn): Promise<void> {
    assert(txn.lastOffset >= segmentBaseOffset, 'an abort marker lies in its segment');
    const entries = [...(this.#segments.get(segmentBaseOffset) ?? []), txn];
    this.#segments.set(segmentBaseOffset, entries);
    await this.#write(segmentBaseOffset, entries);
  }

  /**
   * Aborted transactions that may hold records in [fetchOffset, upperBound):
   * ended at or after `fetchOffset`, begun before `upperBound`. Oldest first.
   */
  overlapping(fetchOffset: bigint, upperBound: bigint): { producerId: bigint; firstOffset: bigint }[] {
    return this.all()
      .filter((txn) => txn.lastOffset >= fetchOffset && txn.firstOffset < upperBound)
      .map((txn) => ({ producerId: txn.producerId, firstOffset: txn.firstOffset }));
  }

  /** Drops the entries of markers at or after `offset` (the log is cut there, or replay re-derives them). */
  async truncateFrom(offset: bigint): Promise<void> {
    for (const [base, entries] of [...this.#segments]) {
      const kept = entries.filter((txn) => txn.lastOffset < offset);
      if (kept.length !== entries.length) await this.#write(base, kept);
    }
  }

  /** Drops these entries (compaction removed every record of their transactions; see compaction-txns.ts). */
  async drop(txns: readonly AbortedTxn[]): Promise<void> {
    if (txns.length === 0) return;
    const gone = new Set(txns.map((txn) => `${txn.producerId}@${txn.lastOffset}`));
    for (const [base, entries] of [...this.#segments]) {
      const kept = entries.filter((txn) => !gone.has(`${txn.producerId}@${txn.lastOffset}`));
      if (kept.length !== entries.length) await this.#write(base, kept);
    }
  }

  /** Drops the files of segments based below `logStartOffset` (retention deleted them). */
  async deleteBelow(logStartOffset: bigint): Promise<void> {
    for (const base of [...this.#segments.keys()]) if (base < logStartOffset) await this.#write(base, []);
  }

  async clear(): Promise<void> {
    for (const base of [...this.#segments.keys()]) await this.#write(base, []);
  }

  async #write(base: bigint, entries: AbortedTxn[]): Promise<void> {
    const path = join(this.#dir, txnIndexFileName(base));
    if (entries.length === 0) {
      this.#segments.delete(base);
      if ((await this.#fs.stat(path)) !== null) await this.#fs.unlink(path);
      return;
    }
    await replaceFile(this.#fs, path, encodeAbortedTxns(entries));
    this.#segments.set(base, entries);
  }
}
