/**
 * The controller's committed metadata log in a `level` database.
 *
 *   key   = offset as 8-byte big-endian unsigned (so key order = offset order)
 *   value = encodeMetadataRecord(record)
 *
 * One admin operation's records are written as one atomic batch with
 * sync: true; when that write resolves the records are committed and will
 * be replayed after any crash, including kill -9. Offsets are dense from 0.
 */
import { mkdir } from 'node:fs/promises';
import { assert } from '@runnel/common';
import type { MetadataRecord } from '@runnel/metadata';
import { decodeMetadataRecord, encodeMetadataRecord } from '@runnel/metadata';
import { Level } from 'level';

export function offsetKey(offset: bigint): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeBigUInt64BE(offset);
  return key;
}

/**
 * Owned by one Controller. After a failed append the log's state on disk is
 * unknown; the owner must stop using it and reopen.
 */
export class MetadataLog {
  readonly #db: Level<Buffer, Buffer>;
  #nextOffset: bigint;

  private constructor(db: Level<Buffer, Buffer>, nextOffset: bigint) {
    this.#db = db;
    this.#nextOffset = nextOffset;
  }

  /**
   * Opens (creating if needed) the log under `dir` and reads back every
   * record. A record that does not decode, or a gap in the offsets, means
   * the log is damaged: opening fails loudly instead of serving a wrong image.
   */
  static async open(dir: string): Promise<{ log: MetadataLog; records: MetadataRecord[] }> {
    await mkdir(dir, { recursive: true });
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const records: MetadataRecord[] = [];
    try {
      let expected = 0n;
      for await (const [key, value] of db.iterator()) {
        assert(key.length === 8, `metadata log key of ${key.length} bytes`);
        const offset = key.readBigUInt64BE();
        assert(offset === expected, `metadata log has offset ${offset} where ${expected} was expected`);
        const decoded = decodeMetadataRecord(value);
        assert(
          decoded.ok,
          `metadata log record at ${offset}: ${decoded.ok ? '' : `${decoded.error} ${decoded.message}`}`,
        );
        records.push(decoded.value);
        expected++;
      }
      return { log: new MetadataLog(db, expected), records };
    } catch (e: unknown) {
      await db.close();
      throw e;
    }
  }

  /** Offset the next appended record gets. */
  get nextOffset(): bigint {
    return this.#nextOffset;
  }

  /** Durably appends `records` as one atomic batch; resolves to the offset of the last one. */
  async append(records: readonly MetadataRecord[]): Promise<bigint> {
    assert(records.length > 0, 'empty append');
    const first = this.#nextOffset;
    const ops = records.map((record, i) => ({
      type: 'put' as const,
      key: offsetKey(first + BigInt(i)),
      value: encodeMetadataRecord(record),
    }));
    await this.#db.batch(ops, { sync: true });
    this.#nextOffset = first + BigInt(records.length);
    return this.#nextOffset - 1n;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
