/**
 * Damage to LevelDB's own files under the Raft store: bad bytes in the
 * write-ahead log or in a table. LevelDB (as `level` opens it, without
 * paranoid checks) drops a damaged log block silently and opens an older
 * state; the store must refuse instead, naming the file.
 */
import { cp, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@runnel/common';
import { crc32c } from '@runnel/protocol';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkLogFile, maskCrc, unmaskCrc } from '../src/raft/leveldb-file-check.ts';
import { RaftLogStore } from '../src/raft/raft-log-store.ts';
import { RaftStoreOpenError } from '../src/raft/raft-store-open-error.ts';
import { entryRange, ready } from './fixtures/raft-readies.ts';

let root: string;
let dir: string;
const entriesWritten = 60;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'runnel-raft-files-'));
  dir = join(root, 'raft');
  // 60 entries, one Ready each (one log record each), as a controller writes them.
  const store = await RaftLogStore.open({ dir, logger: silentLogger() });
  for (const e of entryRange(1, entriesWritten, 1)) {
    await store.persist(ready({ entries: [e], hardState: { term: 1, vote: 1, commit: e.index } }));
  }
  await store.close();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fileEnding(suffix: string): Promise<string> {
  const name = (await readdir(dir)).find((n) => n.endsWith(suffix));
  expect(name, `a ${suffix} file in the store`).toBeDefined();
  return join(dir, name ?? '');
}

/** Overwrites 64 bytes at `at` with 0xab, as a failing disk or a stray write would. */
async function damage(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.alloc(64, 0xab), 0, 64, at);
  } finally {
    await handle.close();
  }
}

async function openError(): Promise<RaftStoreOpenError> {
  const opened = await RaftLogStore.open({ dir, logger: silentLogger() }).then(
    async (store) => {
      const last = store.lastIndex();
      await store.close();
      return last;
    },
    (e: unknown) => e,
  );
  expect(opened).toBeInstanceOf(RaftStoreOpenError);
  return opened as RaftStoreOpenError;
}

/** How many entry keys LevelDB alone serves from a copy of the damaged store. */
async function entriesLevelDbServes(): Promise<number> {
  const copy = join(root, 'copy');
  await cp(dir, copy, { recursive: true });
  const db = new Level<Buffer, Buffer>(copy, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  let count = 0;
  for await (const key of db.keys()) if (key[0] === 0x10) count++;
  await db.close();
  return count;
}

describe('RaftLogStore refuses a store whose LevelDB files are damaged', () => {
  it('64 bad bytes in the write-ahead log: LevelDB alone would open a shortened log; the store refuses naming the file', async () => {
    const wal = await fileEnding('.log');
    expect((await stat(wal)).size).toBeGreaterThan(2000);
    await damage(wal, 500);
    // The reason for the check: LevelDB drops the damaged block and opens with fewer entries.
    expect(await entriesLevelDbServes()).toBeLessThan(entriesWritten);
    const error = await openError();
    expect(error.reason).toBe('corrupt');
    expect(error.file).toBe(wal);
    expect(error.detail).toMatch(/^.*\.log: checksum mismatch in the record at byte \d+$/);
    expect(error.message).toContain(`${wal}: checksum mismatch`);
    expect(error.message).toContain(`move ${dir} aside`);
  });

  it('bad bytes in a table file are refused naming the table', async () => {
    // Enough writes to flush the memtable into a table (4 MiB write buffer).
    const store = await RaftLogStore.open({ dir, logger: silentLogger() });
    const big = new Uint8Array(64 * 1024).fill(7);
    for (let index = entriesWritten + 1; index <= entriesWritten + 80; index++) {
      await store.persist(
        ready({
          entries: [{ index, term: 1, type: 'normal', data: big }],
          hardState: { term: 1, vote: 1, commit: index },
        }),
      );
    }
    await store.close();
    const table = await fileEnding('.ldb');
    await damage(table, 1000);
    const error = await openError();
    expect(error.file).toBe(table);
    expect(error.detail).toContain('checksum mismatch in the data block');
  });

  it('a log that ends inside a record (a crash mid-append) or in zeros is not damage', () => {
    const payload = Buffer.from('a record');
    const record = Buffer.alloc(7 + payload.length);
    record.writeUInt16LE(payload.length, 4);
    record[6] = 1;
    payload.copy(record, 7);
    record.writeUInt32LE(maskCrc(crc32c(record.subarray(6))), 0);
    expect(unmaskCrc(maskCrc(0x12345678))).toBe(0x12345678);
    expect(checkLogFile(record)).toBeNull();
    expect(checkLogFile(Buffer.concat([record, record.subarray(0, 10)]))).toBeNull();
    expect(checkLogFile(Buffer.concat([record, Buffer.alloc(100)]))).toBeNull();
    const flipped = Buffer.concat([record, record]);
    flipped[flipped.length - 1] = 0;
    expect(checkLogFile(flipped)).toBe(`checksum mismatch in the record at byte ${record.length}`);
  });
});
