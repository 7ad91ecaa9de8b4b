/**
 * A partition log's producer state with its snapshot files: the table
 * PartitionLog keeps in step with its batches, and the files that spare a
 * restart from reading the whole log to rebuild it.
 *
 * `<offset>.snapshot` (20 digits, like the segments) holds the state of
 * every batch below `offset`, written atomically with `replaceFile`. The log
 * writes one when it rolls a segment (at the new segment's base, after the
 * sealed segment is fsynced, so a snapshot never covers bytes a crash could
 * lose) and when it closes (at the log end). Opening loads the newest
 * readable snapshot within [log start, log end] and replays the batch
 * headers after it (from the log start when there is none); unreadable
 * snapshots are logged, deleted and skipped, never fatal; snapshots past the
 * log end (a crash lost the tail they covered) or below the log start
 * (retention) are deleted. Truncation reloads the same way, from the newest
 * snapshot at or below the new log end. Losing a snapshot only ever costs a
 * longer replay: producers whose batches are all gone are forgotten, which
 * Kafka allows (their next batch is accepted at any sequence).
 *
 * It also keeps the log's aborted-transaction index (aborted-txn-index.ts),
 * whose entries it derives from the same batches: every reload drops the
 * entries at or after the offset it replays from and re-adds them as the
 * replay meets their abort markers.
 *
 * Owned by PartitionLog, which calls it from inside its mutation queue; an
 * I/O error rejects, and PartitionLog treats it like any failed mutation.
 */
import { join } from 'node:path';
import type { Logger } from '@runnel/common';
import { assert } from '@runnel/common';
import type { AbortedTxnIndex } from '../aborted-txn-index.ts';
import type { FileSystem } from '../file-system.ts';
import type { LogSegment } from '../log-segment.ts';
import { readWholeFile, replaceFile } from '../whole-file.ts';
import type { ClientBatchesCheck, ProducerOrigin } from './producer-checks.ts';
import type { ProducerEntry } from './producer-entry.ts';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-snapshot.ts';
import { replayProducerBatches } from './producer-state-replay.ts';
import { type CompletedTxn, ProducerStateTable, type TxnVerification } from './producer-state-table.ts';

const snapshotPattern = /^(\d{20})\.snapshot$/;
const leftoverPattern = /^\d{20}\.snapshot\.tmp$/;
/** About 200 bytes per producer: far beyond any real table, and a bound on what a damaged file can make us read. */
const snapshotBytesMax = 512 * 1024 * 1024;

export function producerSnapshotFileName(offset: bigint): string {
  return `${offset.toString().padStart(20, '0')}.snapshot`;
}

export class ProducerStateStore {
  readonly table = new ProducerStateTable();
  readonly aborted: AbortedTxnIndex;
  readonly #dir: string;
  readonly #fs: FileSystem;
  readonly #logger: Logger;
  /** Offsets of the snapshot files on disk, ascending. */
  #snapshots: bigint[];

  private constructor(dir: string, fs: FileSystem, logger: Logger, snapshots: bigint[], aborted: AbortedTxnIndex) {
    this.aborted = aborted;
    this.#dir = dir;
    this.#fs = fs;
    this.#logger = logger;
    this.#snapshots = snapshots;
  }

  /** Loads the state of the recovered `segments` (see the file comment). */
  static async open(options: {
    dir: string;
    fs: FileSystem;
    segments: readonly LogSegment[];
    logger: Logger;
    aborted: AbortedTxnIndex;
  }): Promise<ProducerStateStore> {
    const { dir, fs, logger } = options;
    const snapshots: bigint[] = [];
    for (const name of await fs.readdir(dir)) {
      // Left by a crash while writing a snapshot; the renamed files are the ones that count.
      if (leftoverPattern.test(name)) await fs.unlink(join(dir, name));
      const m = snapshotPattern.exec(name);
      if (m?.[1] !== undefined) snapshots.push(BigInt(m[1]));
    }
    snapshots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const store = new ProducerStateStore(dir, fs, logger, snapshots, options.aborted);
    await store.reload(options.segments);
    return store;
  }

  /** Snapshot offsets on disk, ascending. */
  get snapshotOffsets(): readonly bigint[] {
    return this.#snapshots;
  }

  get(producerId: bigint): ProducerEntry | undefined {
    return this.table.get(producerId);
  }

  /**
   * Applies a stored batch (see ProducerStateTable.applyStoredBatch) in the
   * segment based at `segmentBaseOffset`; an abort marker's transaction
   * enters the aborted-transaction index, durably, before this resolves.
   */
  async applyStoredBatch(buf: Buffer, pos: number, segmentBaseOffset: bigint): Promise<void> {
    const completed = this.table.applyStoredBatch(buf, pos);
    if (completed !== null) await this.#recordCompleted(segmentBaseOffset, completed);
  }

  /** First offset of the earliest open transaction; null when none is open. */
  firstUnstableOffset(): bigint | null {
    return this.table.firstUnstableOffset();
  }

  async #recordCompleted(segmentBaseOffset: bigint, txn: CompletedTxn): Promise<void> {
    if (!txn.aborted) return;
    const { producerId, firstOffset, lastOffset } = txn;
    const lastStableOffset = this.table.firstUnstableOffset() ?? lastOffset + 1n;
    await this.aborted.add(segmentBaseOffset, { producerId, firstOffset, lastOffset, lastStableOffset });
  }

  /** See ProducerStateTable.check. */
  check(buf: Buffer, nextOffset: bigint, origin: ProducerOrigin, verification?: TxnVerification): ClientBatchesCheck {
    return this.table.check(buf, nextOffset, origin, verification);
  }

  /**
   * Rebuilds the table for `segments` (after open or a truncation): the
   * newest readable snapshot in range, then the batches after it. A replay
   * that read anything ends with a snapshot at the log end, so the next
   * open need not repeat it.
   */
  async reload(segments: readonly LogSegment[]): Promise<void> {
    const first = segments[0];
    const active = segments.at(-1);
    assert(first !== undefined && active !== undefined, 'a log has a segment');
    const logStart = first.baseOffset;
    const logEnd = active.nextOffset;
    await this.#deleteWhere((offset) => offset > logEnd || offset < logStart);
    this.table.clear();
    let from = logStart;
    for (const offset of [...this.#snapshots].reverse()) {
      const loaded = await this.#read(offset);
      if (loaded !== null) {
        this.table.replace(loaded);
        from = offset;
        break;
      }
      await this.#deleteWhere((o) => o === offset);
    }
    // Entries of markers the replay will meet again, or that a lost tail took with it.
    await this.aborted.deleteBelow(logStart);
    await this.aborted.truncateFrom(from);
    const replayed =
      from < logEnd
        ? await replayProducerBatches(segments, from, this.table, (segment, txn) =>
            this.#recordCompleted(segment.baseOffset, txn),
          )
        : 0;
    if (replayed > 0) {
      this.#logger.info(
        { dir: this.#dir, fromOffset: from.toString(), batches: replayed, producers: this.table.size },
        'rebuilt producer state from the log',
      );
      await this.snapshotAt(logEnd);
    }
  }

  /** Writes the table as the snapshot at `offset` (the state of every batch below it), unless one is there. */
  async snapshotAt(offset: bigint): Promise<void> {
    if (this.#snapshots.includes(offset)) return;
    await replaceFile(
      this.#fs,
      join(this.#dir, producerSnapshotFileName(offset)),
      encodeProducerSnapshot(this.table.entries()),
    );
    this.#snapshots.push(offset);
    this.#snapshots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** After retention: snapshots below the log start can never be replayed from. */
  async deleteBelow(logStartOffset: bigint): Promise<void> {
    await this.#deleteWhere((offset) => offset < logStartOffset);
    await this.aborted.deleteBelow(logStartOffset);
  }

  /** The log was emptied: no producer state, no snapshots. */
  async reset(): Promise<void> {
    await this.#deleteWhere(() => true);
    await this.aborted.clear();
    this.table.clear();
  }

  async #read(offset: bigint): Promise<readonly ProducerEntry[] | null> {
    const name = producerSnapshotFileName(offset);
    const read = await readWholeFile(this.#fs, join(this.#dir, name), snapshotBytesMax);
    const decoded = read.ok ? decodeProducerSnapshot(read.value) : read;
    if (decoded.ok) return decoded.value;
    this.#logger.warn(
      { dir: this.#dir, snapshot: name, reason: decoded.error, detail: decoded.message },
      'ignored unreadable producer state snapshot',
    );
    return null;
  }

  async #deleteWhere(doomed: (offset: bigint) => boolean): Promise<void> {
    const keep: bigint[] = [];
    for (const offset of this.#snapshots) {
      if (!doomed(offset)) keep.push(offset);
      else if ((await this.#fs.stat(join(this.#dir, producerSnapshotFileName(offset)))) !== null) {
        await this.#fs.unlink(join(this.#dir, producerSnapshotFileName(offset)));
      }
    }
    this.#snapshots = keep;
  }
}
