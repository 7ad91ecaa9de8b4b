/**
 * One segment of a partition log: `<base>.log` (record batches back to back)
 * with its sparse `.index` and `.timeindex`, both mirrored in memory.
 *
 * Owned by PartitionLog, which serialises every mutation (append, truncate,
 * seal, close, delete); reads may run concurrently with them and only ever
 * see fully written batches. An I/O error from a mutation leaves the segment
 * in an unknown state: the owner stops using the log and a reopen recovers it.
 *
 * Descriptors come from a HandleCache (handle-cache.ts): opening an existing
 * segment opens nothing but a short read of its indexes; the log file is
 * opened on first read or write and may be closed again while idle.
 */
import { join } from 'node:path';
import { assert } from '@runnel/common';
import { BASE_OFFSET_OFFSET, BATCH_LENGTH_OFFSET, LOG_OVERHEAD, RECORD_BATCH_HEADER_BYTES } from '@runnel/protocol';
import { allocateReadBuffer, type FileHandle, type FileSystem, type ReadBuffer, readAt } from './file-system.ts';
import { type HandleCache, type LazyFile, unboundedHandleCache } from './handle-cache.ts';
import { type AppendedBatch, type LogBatch, readLogBatch } from './log-batch.ts';
import { OffsetIndex } from './offset-index.ts';
import { TimeIndex } from './time-index.ts';
import { firstRecordAtOrAfter, type TimestampLookup } from './timestamp-lookup.ts';

export interface BatchLocation {
  position: number;
  summary: LogBatch;
}

/** Index entries are buffered and written once this many are pending. */
const pendingIndexEntriesMax = 64;

export function segmentFileName(baseOffset: bigint, suffix: '.log' | '.index' | '.timeindex'): string {
  return `${baseOffset.toString().padStart(20, '0')}${suffix}`;
}

export class LogSegment {
  readonly baseOffset: bigint;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly #fs: FileSystem;
  readonly #logPath: string;
  readonly #log: LazyFile;
  readonly #indexIntervalBytes: number;
  #sizeBytes: number;
  #nextOffset: bigint;
  #maxTimestampMs = -1n;
  #offsetOfMaxTimestamp = 0;
  #bytesSinceIndexEntry = 0;
  /** Wall-clock ms of the first append since this segment became active; segment.ms counts from here. */
  rollBaseMs: number | null = null;
  #users = 0;
  #closed = false;
  #idle: (() => void) | null = null;

  private constructor(
    fs: FileSystem,
    logPath: string,
    log: LazyFile,
    baseOffset: bigint,
    sizeBytes: number,
    offsetIndex: OffsetIndex,
    timeIndex: TimeIndex,
    indexIntervalBytes: number,
  ) {
    this.#fs = fs;
    this.#logPath = logPath;
    this.#log = log;
    this.baseOffset = baseOffset;
    this.#sizeBytes = sizeBytes;
    this.#nextOffset = baseOffset;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.#indexIntervalBytes = indexIntervalBytes;
  }

  /**
   * A segment's files, created if the log file is missing (a new segment).
   * An existing segment's log is not opened here (recovery or the first
   * read does that). Its state is not trusted until recovery has run.
   */
  static async open(
    fs: FileSystem,
    dir: string,
    baseOffset: bigint,
    indexIntervalBytes: number,
    handles: HandleCache = unboundedHandleCache(),
  ): Promise<LogSegment> {
    const logPath = join(dir, segmentFileName(baseOffset, '.log'));
    const stat = await fs.stat(logPath);
    const log = handles.file(fs, logPath);
    const create = stat === null;
    if (create) await log.touch();
    const offsetIndex = await OffsetIndex.open(fs, join(dir, segmentFileName(baseOffset, '.index')), handles, create);
    const timeIndex = await TimeIndex.open(fs, join(dir, segmentFileName(baseOffset, '.timeindex')), handles, create);
    return new LogSegment(
      fs,
      logPath,
      log,
      baseOffset,
      stat?.sizeBytes ?? 0,
      offsetIndex,
      timeIndex,
      indexIntervalBytes,
    );
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }
  /** One past the last offset in this segment. */
  get nextOffset(): bigint {
    return this.#nextOffset;
  }
  /** Largest batch maxTimestamp in the segment, -1 when none. */
  get maxTimestampMs(): bigint {
    return this.#maxTimestampMs;
  }

  /**
   * Writes `chunks` (whole, already stamped batches; the callers' buffers,
   * not copied) back to back at the end of the log in one write or writev
   * call, then indexes `batches`, whose bufferPosition counts from the start
   * of the first chunk. Nothing is visible to readers until the write has
   * completed.
   */
  async append(chunks: readonly Buffer[], batches: readonly AppendedBatch[]): Promise<void> {
    assert(!this.#closed, 'append to a closed segment');
    const first = chunks[0];
    assert(first !== undefined, 'append of no chunks');
    const start = this.#sizeBytes;
    let length = 0;
    for (const chunk of chunks) length += chunk.length;
    assert(start + length <= 0x7fffffff, 'segment positions must fit int32');
    if (chunks.length === 1) await this.#log.write(first, start);
    else await this.#log.writev(chunks, start);
    for (const batch of batches) this.indexBatch(batch, start + batch.bufferPosition);
    this.#sizeBytes = start + length;
    if (this.offsetIndex.file.pendingCount + this.timeIndex.file.pendingCount >= pendingIndexEntriesMax) {
      await this.persistIndexes();
    }
  }

  /**
   * Records a batch at `position` in the in-memory state and the sparse
   * indexes. Used by append and by recovery's scan, so both build the same
   * indexes.
   */
  indexBatch(batch: LogBatch, position: number): void {
    assert(batch.baseOffset === this.#nextOffset, `batch at ${batch.baseOffset} but expected ${this.#nextOffset}`);
    const relOffset = Number(batch.baseOffset - this.baseOffset);
    if (batch.maxTimestampMs > this.#maxTimestampMs) {
      this.#maxTimestampMs = batch.maxTimestampMs;
      this.#offsetOfMaxTimestamp = relOffset;
    }
    if (this.#bytesSinceIndexEntry > this.#indexIntervalBytes) {
      this.offsetIndex.append(relOffset, position);
      this.timeIndex.maybeAppend(this.#maxTimestampMs, this.#offsetOfMaxTimestamp);
      this.#bytesSinceIndexEntry = 0;
    }
    this.#bytesSinceIndexEntry += batch.sizeBytes;
    this.#nextOffset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
  }

  /** Recovery: restart the scan state at a trusted point (everything before it is accounted for). */
  resetScanState(state: {
    position: number;
    nextOffset: bigint;
    maxTimestampMs: bigint;
    offsetOfMaxTimestamp: number;
  }) {
    this.#sizeBytes = state.position;
    this.#nextOffset = state.nextOffset;
    this.#maxTimestampMs = state.maxTimestampMs;
    this.#offsetOfMaxTimestamp = state.offsetOfMaxTimestamp;
    this.#bytesSinceIndexEntry = 0;
  }

  /** Recovery: a scan accepted bytes up to `sizeBytes`. */
  setScannedSize(sizeBytes: number): void {
    this.#sizeBytes = sizeBytes;
  }

  /** Recovery: trust a sealed segment's indexes without scanning. */
  restoreSealed(sizeBytes: number, nextOffset: bigint): void {
    const last = this.timeIndex.last();
    this.#sizeBytes = sizeBytes;
    this.#nextOffset = nextOffset;
    this.#maxTimestampMs = last?.timestampMs ?? -1n;
    this.#offsetOfMaxTimestamp = last?.relOffset ?? 0;
  }

  /** The log file; recovery reads it in large chunks. */
  get logFile(): FileHandle {
    return this.#log;
  }

  async truncateLogFile(sizeBytes: number): Promise<void> {
    await this.#log.truncate(sizeBytes);
    this.#sizeBytes = sizeBytes;
  }

  /** Adds the final time index entry so the last entry is the segment's largest timestamp. */
  markLargestTimestamp(): void {
    this.timeIndex.maybeAppend(this.#maxTimestampMs, this.#offsetOfMaxTimestamp);
  }

  async persistIndexes(): Promise<void> {
    await this.offsetIndex.file.persist();
    await this.timeIndex.file.persist();
  }

  /** fsync of the log data only (indexes are rebuilt from it when needed). A closed segment has nothing to sync. */
  async syncLog(): Promise<void> {
    if (!this.#acquire()) return;
    try {
      await this.#log.sync();
    } finally {
      this.#release();
    }
  }

  /** Makes log and indexes durable; used when sealing and closing. */
  async syncAll(): Promise<void> {
    this.markLargestTimestamp();
    await this.offsetIndex.file.sync();
    await this.timeIndex.file.sync();
    await this.#log.sync();
  }

  /**
   * The first batch whose last offset is >= `offset`, found from the index
   * floor by reading batch headers only; null when there is none.
   */
  async findBatch(offset: bigint): Promise<BatchLocation | null> {
    const rel = offset <= this.baseOffset ? 0 : Number(offset - this.baseOffset);
    return this.#scanHeaders(
      this.offsetIndex.floor(rel).position,
      (s) => s.baseOffset + BigInt(s.lastOffsetDelta) >= offset,
    );
  }

  /**
   * The first record with a timestamp >= `timestampMs`, or null: the time
   * index and batch headers lead to the first batch that reaches it, and
   * only that batch is decoded (timestamp-lookup.ts).
   */
  async findRecordByTimestamp(timestampMs: bigint): Promise<TimestampLookup | null> {
    const floor = this.timeIndex.floor(timestampMs);
    let from = this.offsetIndex.floor(floor?.relOffset ?? 0).position;
    for (;;) {
      const location = await this.#scanHeaders(from, (s) => s.maxTimestampMs >= timestampMs);
      if (location === null) return null;
      const batch = await readAt(this.#log, location.position, location.summary.sizeBytes);
      const found = await firstRecordAtOrAfter(batch, timestampMs);
      if (found !== null) return found;
      from = location.position + location.summary.sizeBytes;
    }
  }

  /**
   * What readBatches returns for the batch holding `offset` (null when there
   * is none below `maxOffset`), usually in one read instead of a header read
   * and a data read: the window starts at the offset index's floor, which is
   * the batch itself whenever the consumer asks for a batch's base offset
   * and batches are larger than index.interval.bytes (each then has an
   * entry), and at most about that many bytes before it otherwise. A batch
   * that does not lie within the window with all readBatches would return
   * after it (far from the floor, or larger than `maxBytes`) is read again
   * from its own position.
   */
  async readFrom(
    offset: bigint,
    maxBytes: number,
    maxOffset: bigint,
    allocate: ReadBuffer = allocateReadBuffer,
  ): Promise<Buffer | null> {
    const rel = offset <= this.baseOffset ? 0 : Number(offset - this.baseOffset);
    const floor = this.offsetIndex.floor(rel);
    const slack = floor.relOffset === rel ? 0 : this.#indexIntervalBytes;
    const bound = this.#readBound(maxOffset);
    const buf = await readAt(
      this.#log,
      floor.position,
      Math.max(0, Math.min(bound, floor.position + maxBytes + slack) - floor.position),
      allocate,
    );
    let start = 0;
    for (;;) {
      if (start + RECORD_BATCH_HEADER_BYTES > buf.length)
        return this.#readFromScan(offset, maxBytes, maxOffset, allocate);
      const summary = readLogBatch(buf, start);
      if (summary.baseOffset + BigInt(summary.lastOffsetDelta) >= offset) {
        if (summary.baseOffset >= maxOffset) return null;
        const wanted = Math.min(bound, floor.position + start + Math.max(maxBytes, summary.sizeBytes));
        if (floor.position + buf.length < wanted) {
          return this.readBatches({ position: floor.position + start, summary }, maxBytes, maxOffset, allocate);
        }
        return buf.subarray(start, start + wholeBatchesBytes(buf.subarray(start), maxBytes, maxOffset));
      }
      start += summary.sizeBytes;
    }
  }

  /**
   * Whole batches from `location` on, in one read: at least the first batch,
   * then as many as fit in `maxBytes`, stopping before any based at or after
   * `maxOffset`. The returned buffer is owned by the caller.
   */
  async readBatches(
    location: BatchLocation,
    maxBytes: number,
    maxOffset: bigint,
    allocate: ReadBuffer = allocateReadBuffer,
  ): Promise<Buffer> {
    const { position, summary } = location;
    const windowEnd = Math.min(this.#readBound(maxOffset), position + Math.max(maxBytes, summary.sizeBytes));
    const buf = await readAt(this.#log, position, Math.max(0, windowEnd - position), allocate);
    // Short only if a truncation raced this read; the caller then sees no batches.
    return buf.subarray(0, wholeBatchesBytes(buf, maxBytes, maxOffset));
  }

  /** Drops batches from the one containing `offset` on; returns whether anything was dropped. */
  async truncateFrom(offset: bigint): Promise<BatchLocation | null> {
    const location = await this.findBatch(offset);
    if (location === null) return null;
    const rel = Number(location.summary.baseOffset - this.baseOffset);
    this.offsetIndex.truncateFrom(rel);
    this.timeIndex.truncateFrom(rel);
    await this.truncateLogFile(location.position);
    return location;
  }

  /**
   * Keeps the log file's descriptor open until close, whatever the handle
   * budget: called before another file is renamed over this one (a
   * compaction swap), so reads in flight finish on these bytes.
   */
  async holdOpen(): Promise<void> {
    if (!this.#closed) await this.#log.hold();
  }

  /** Runs `fn` while the segment is kept open; false when it is already closed. */
  async withOpen<T>(fn: () => Promise<T>): Promise<{ open: true; value: T } | { open: false }> {
    if (!this.#acquire()) return { open: false };
    try {
      return { open: true, value: await fn() };
    } finally {
      this.#release();
    }
  }

  /** Closes the files once in-flight reads and syncs are done. `sync` makes everything durable first. */
  async close(sync: boolean): Promise<void> {
    if (this.#closed) return;
    if (sync) await this.syncAll();
    else await this.persistIndexes();
    this.#closed = true;
    if (this.#users > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.#log.close();
    await this.offsetIndex.file.close();
    await this.timeIndex.file.close();
  }

  /** Closes the file handles, writing nothing (a failed log directory); errors are ignored. */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#users > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    for (const file of [this.#log, this.offsetIndex.file, this.timeIndex.file]) await file.close().catch(() => {});
  }

  /** Closes and removes the segment's files (log first, so a crash leaves only orphan indexes). */
  async delete(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#users > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      await this.#log.close();
      await this.offsetIndex.file.close();
      await this.timeIndex.file.close();
    }
    await this.#fs.unlink(this.#logPath);
    // An index is created by its first persist: a segment that never got one has no file.
    for (const path of [this.offsetIndex.file.path, this.timeIndex.file.path]) {
      if ((await this.#fs.stat(path)) !== null) await this.#fs.unlink(path);
    }
  }

  /** Where reads for batches below `maxOffset` may stop: the log's end, or the first index entry at or past it. */
  #readBound(maxOffset: bigint): number {
    let bound = this.#sizeBytes;
    if (maxOffset < this.#nextOffset) {
      // Batches from the first index entry at or past maxOffset on are all excluded.
      const i = this.offsetIndex.floorIndex(Number(maxOffset - this.baseOffset) - 1) + 1;
      if (i < this.offsetIndex.count) bound = Math.min(bound, this.offsetIndex.entry(i).position);
    }
    return bound;
  }

  /** readFrom's slow path: the batch's header found by header reads, then its data read. */
  async #readFromScan(
    offset: bigint,
    maxBytes: number,
    maxOffset: bigint,
    allocate: ReadBuffer,
  ): Promise<Buffer | null> {
    const location = await this.findBatch(offset);
    if (location === null || location.summary.baseOffset >= maxOffset) return null;
    return this.readBatches(location, maxBytes, maxOffset, allocate);
  }

  async #scanHeaders(from: number, stop: (s: LogBatch) => boolean): Promise<BatchLocation | null> {
    const header = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES);
    for (let position = from; position < this.#sizeBytes; ) {
      const n = await this.#log.read(header, 0, header.length, position);
      assert(n === header.length, `short header read at ${position} of ${this.#logPath}`);
      const summary = readLogBatch(header, 0);
      if (stop(summary)) return { position, summary };
      position += summary.sizeBytes;
    }
    return null;
  }

  #acquire(): boolean {
    if (this.#closed) return false;
    this.#users++;
    return true;
  }

  #release(): void {
    this.#users--;
    if (this.#users === 0 && this.#idle !== null) {
      this.#idle();
      this.#idle = null;
    }
  }
}

/**
 * Bytes of the whole batches at the start of `buf`: at least the first
 * (when whole), then as many as fit in `maxBytes`, none based at or after
 * `maxOffset`.
 */
function wholeBatchesBytes(buf: Buffer, maxBytes: number, maxOffset: bigint): number {
  let end = 0;
  while (end + RECORD_BATCH_HEADER_BYTES <= buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(end + BATCH_LENGTH_OFFSET);
    if (end + size > buf.length || buf.readBigInt64BE(end + BASE_OFFSET_OFFSET) >= maxOffset) break;
    if (end > 0 && end + size > maxBytes) break;
    end += size;
  }
  return end;
}
