/**
 * The log of one partition replica: a directory of segments named by base
 * offset. Appends take already-validated record batches and assign offsets;
 * reads return raw batch bytes; retention and truncation drop whole
 * segments or a tail.
 *
 * Durability: append resolves once write(2) is done (survives a process kill,
 * not a power cut) unless flush.messages / flush.ms ask for an fsync, which
 * the append then waits for; concurrent appends share fsyncs (group commit).
 * Appends queued behind a running write are written together, with one
 * writev per segment (see append-group.ts). Follower appends
 * (appendAsFollower) keep the leader's offsets and epochs and join the same
 * groups. close() leaves a clean-shutdown marker so the next open can skip
 * rescanning the active segment. The
 * leader epoch cache (leader-epoch-cache.ts) follows appends, truncation and
 * retention, and is checkpointed whenever it changes.
 *
 * Owned by the broker's partition (one instance per directory). Mutations
 * (append, roll, flush, retention, truncate, close) run one at a time in call
 * order; reads run alongside them. Returned buffers belong to the caller.
 * After an I/O error in a mutation the log refuses further work (every call
 * rejects with that error): close it and open it again, and recovery repairs
 * the tail.
 */
import type { Clock, Logger } from '@runnel/common';
import { assert, createLogger, ok, systemClock } from '@runnel/common';
import { type AbortedTxn, AbortedTxnIndex } from './aborted-txn-index.ts';
import {
  AppendGroup,
  type AppendOutcome,
  type AppendResult,
  AppendRun,
  type AppendSource,
  checkClientTurn,
  type PendingAppend,
  placeAppend,
  recordCountOf,
} from './append-group.ts';
import { writeCleanShutdownMarker } from './clean-shutdown.ts';
import {
  type CleanerCheckpoint,
  commitSwap,
  completeSwap,
  discardStaging,
  readCleanerCheckpoint,
  writeCleanerCheckpoint,
} from './compaction-files.ts';
import { lastRecordsOf } from './compaction-txns.ts';
import { ControlBatchIndex } from './control-batch-index.ts';
import { type FileSystem, nodeFileSystem, type ReadBuffer } from './file-system.ts';
import { checkFollowerBatches, type FollowerAppendResult } from './follower-batches.ts';
import { GroupCommit } from './group-commit.ts';
import { type HandleCache, unboundedHandleCache } from './handle-cache.ts';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.ts';
import { writeLeaderEpochCheckpoint } from './leader-epoch-checkpoint.ts';
import { openLeaderEpochCache } from './leader-epoch-recovery.ts';
import { type CompactionResult, stageCompactionPass } from './log-cleaner.ts';
import { assertValidLogConfig, type LogConfig } from './log-config.ts';
import { openLogDirectory } from './log-directory.ts';
import { LogSegment } from './log-segment.ts';
import { openingLogStart, readLogStartCheckpoint, writeLogStartCheckpoint } from './log-start-checkpoint.ts';
import type { ProducerAppendError, ProducerOrigin } from './producer-state/producer-checks.ts';
import type { ProducerEntry } from './producer-state/producer-entry.ts';
import { ProducerStateStore } from './producer-state/producer-state-store.ts';
import type { TxnVerification, VerificationGuard } from './producer-state/producer-state-table.ts';
import { recoverActiveSegment, recoverSealedSegment } from './segment-recovery.ts';
import { segmentContaining, segmentsPastRetention } from './segment-selection.ts';
import type { TimestampLookup } from './timestamp-lookup.ts';

export interface PartitionLogOptions {
  dir: string;
  config: LogConfig;
  fs?: FileSystem;
  clock?: Clock;
  logger?: Logger;
  /**
   * The descriptor budget this log's segment files share with others (one
   * per process, see handle-cache.ts); by default one of its own, unbounded.
   */
  handles?: HandleCache;
  /**
   * Told once, with the error, when an I/O error poisons the log (see
   * below): the broker takes the log directory offline. Must not throw.
   */
  onFailure?: (error: unknown) => void;
}

export type { AppendResult } from './append-group.ts';

/**
 * A client's append: written (`duplicate` false), or already stored by an
 * earlier append of the same batches (`duplicate` true: the original
 * offsets, nothing written), or refused by the producer checks.
 */
export type ClientAppendResult =
  | { ok: true; value: AppendResult & { duplicate: boolean } }
  | { ok: false; error: ProducerAppendError; message: string };

export type ReadResult =
  | { ok: true; records: Buffer[]; sizeBytes: number }
  | { ok: false; error: 'offset_out_of_range' };

export class PartitionLog {
  readonly dir: string;
  #config: LogConfig;
  readonly #fs: FileSystem;
  readonly #handles: HandleCache;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Sorted by base offset; never empty; the last one is active. */
  #segments: LogSegment[];
  readonly #epochs: LeaderEpochCache;
  /** Producer state of every batch placed so far (applied as each append gets its offsets, in offset order). */
  readonly #producers: ProducerStateStore;
  #queue: Promise<unknown> = Promise.resolve();
  /** The append group queued last and not started yet: new appends join it. Null once it starts or any other mutation queues. */
  #openGroup: AppendGroup | null = null;
  readonly #groupCommit: GroupCommit;
  readonly #unsynced = new Set<LogSegment>();
  #unflushedRecords = 0;
  #lastFlushMs: number;
  #failure: unknown = null;
  readonly #onFailure: (error: unknown) => void;
  #closed = false;
  /** Offsets below this are compacted, with the earliest horizon of a kept tombstone (-1 when none). */
  #cleaner: CleanerCheckpoint;
  #compaction: Promise<CompactionResult> | null = null;
  /** Where the control batches lie, learnt per segment on demand (consumer lag counts data records only). */
  readonly #controls = new ControlBatchIndex();
  /** A log start DeleteRecords moved past the first segment's base (checkpointed); the base when it is higher. */
  #raisedLogStart: bigint;

  private constructor(
    options: Required<Omit<PartitionLogOptions, 'onFailure'>> & Pick<PartitionLogOptions, 'onFailure'>,
    segments: LogSegment[],
    epochs: LeaderEpochCache,
    producers: ProducerStateStore,
    cleaner: CleanerCheckpoint,
    raisedLogStart: bigint,
  ) {
    this.dir = options.dir;
    this.#raisedLogStart = raisedLogStart;
    this.#config = options.config;
    this.#fs = options.fs;
    this.#handles = options.handles;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onFailure = options.onFailure ?? (() => {});
    this.#segments = segments;
    this.#epochs = epochs;
    this.#producers = producers;
    this.#cleaner = cleaner;
    this.#lastFlushMs = this.#clock.monotonicMs();
    this.#groupCommit = new GroupCommit(() => this.#syncUnsynced());
  }

  /** The settings in force (see reconfigure). */
  get config(): LogConfig {
    return this.#config;
  }

  /**
   * Replaces the settings while the log runs (a topic's config or a dynamic
   * broker default changed). Retention, rolling and flushing read them on
   * their next decision; segments already open keep their index interval.
   */
  reconfigure(config: LogConfig): void {
    assertValidLogConfig(config);
    this.#config = config;
  }

  /** Opens the log in `dir` (created if missing), recovering any torn or corrupt tail. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    assertValidLogConfig(options.config);
    const full = {
      dir: options.dir,
      config: options.config,
      fs: options.fs ?? nodeFileSystem,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? createLogger({ name: 'storage' }),
      handles: options.handles ?? unboundedHandleCache(),
      ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    };
    const segments = await openLogDirectory(full);
    for (const segment of segments) segment.rollBaseMs = null;
    const last = segments.at(-1);
    if (last !== undefined && last.sizeBytes > 0) last.rollBaseMs = full.clock.nowMs();
    const epochs = await openLeaderEpochCache({ dir: full.dir, fs: full.fs, segments, logger: full.logger });
    const aborted = await AbortedTxnIndex.open(full.fs, full.dir);
    const producers = await ProducerStateStore.open({
      dir: full.dir,
      fs: full.fs,
      segments,
      logger: full.logger,
      aborted,
    });
    const cleaner = (await readCleanerCheckpoint(full.fs, full.dir)) ?? { cleanedOffset: -1n, deleteHorizonMs: -1n };
    // A crash between a truncation and its checkpoint update leaves it past the log end.
    const logEnd = segments.at(-1)?.nextOffset ?? 0n;
    if (cleaner.cleanedOffset > logEnd) cleaner.cleanedOffset = logEnd;
    const firstBase = segments[0]?.baseOffset ?? 0n;
    const logStart = openingLogStart(await readLogStartCheckpoint(full.fs, full.dir), firstBase, logEnd);
    return new PartitionLog(full, segments, epochs, producers, cleaner, logStart);
  }

  /** Offsets below this are gone: deleted by retention, or below a DeleteRecords (advanceLogStart). */
  get logStartOffset(): bigint {
    const base = this.#first().baseOffset;
    if (this.#raisedLogStart <= base) return base;
    return this.#raisedLogStart;
  }

  get logEndOffset(): bigint {
    return this.#active().nextOffset;
  }

  get sizeBytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /** The newest leader epoch that appended to this log (it may still be writing its first batch); -1 if none. */
  get latestEpoch(): number {
    return this.#epochs.latestEpoch;
  }

  /** Producers this log holds state for (idempotent and transactional ones). */
  get producerCount(): number {
    return this.#producers.table.size;
  }

  /** Every producer this log holds state for (DescribeProducers, metrics); entries are immutable. */
  producers(): IterableIterator<ProducerEntry> {
    return this.#producers.table.entries();
  }

  /** What this log knows of one producer: what its next batch is checked against. */
  /**
   * KIP-890: the guard for verifying `producerId`'s transaction with its
   * coordinator before its first transactional batch here; null when its
   * transaction is already open here at `producerEpoch` (no verification
   * needed).
   */
  verificationGuard(producerId: bigint, producerEpoch: number): VerificationGuard | null {
    return this.#producers.table.verificationGuard(producerId, producerEpoch);
  }

  producer(producerId: bigint): ProducerEntry | undefined {
    return this.#producers.get(producerId);
  }

  /**
   * First offset of the earliest open transaction in the log (what holds
   * back the last stable offset); null when no transaction is open.
   */
  get firstUnstableOffset(): bigint | null {
    return this.#producers.firstUnstableOffset();
  }

  /**
   * The last stable offset a read_committed consumer may read below, given
   * the partition's high watermark: below it every transaction is decided
   * and its marker replicated (ProducerStateTable.lastStableOffset). Also
   * where the table forgets ended transactions below `highWatermark`: the
   * broker's partition calls it whenever its high watermark moves.
   */
  lastStableOffset(highWatermark: bigint): bigint {
    return this.#producers.table.lastStableOffset(highWatermark);
  }

  /**
   * Aborted transactions that may hold records in [fetchOffset, upperBound)
   * (Fetch's abortedTransactions for read_committed), oldest first.
   */
  abortedTransactions(fetchOffset: bigint, upperBound: bigint): { producerId: bigint; firstOffset: bigint }[] {
    this.#checkUsable();
    return this.#producers.aborted.overlapping(fetchOffset, upperBound);
  }

  /**
   * How many offsets of [from, to) control batches (transaction markers)
   * take, so a lag of `to - from` can count data records only. Clamped to
   * the log; reads no record bytes once each segment's markers are known
   * (see control-batch-index.ts). The active segment's first walk runs in
   * the mutation queue, so appends wait for it once per segment.
   */
  controlRecordsBetween(from: bigint, to: bigint): Promise<bigint> {
    this.#checkUsable();
    const start = from > this.logStartOffset ? from : this.logStartOffset;
    return this.#controls.countBetween(
      () => this.#segments,
      start,
      to,
      (scan) => this.#serially(scan),
    );
  }

  /** OffsetForLeaderEpoch (KIP-101) against this log; (-1, -1n) below the earliest epoch it knows. */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    this.#checkUsable();
    return this.#epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  /**
   * Appends already-validated batches (one Buffer of >= 1 whole v2 batches),
   * assigning offsets from logEndOffset by rewriting each batch's baseOffset
   * and partitionLeaderEpoch in place; with LogAppendTime also maxTimestamp,
   * the timestamp-type attribute and the CRC. No copy: the buffer itself
   * goes to write(2), or to one writev with the appends queued alongside it.
   */
  async append(batches: Buffer, opts: { leaderEpoch: number; recordCount?: number }): Promise<AppendResult> {
    const source = {
      origin: 'leader',
      leaderEpoch: opts.leaderEpoch,
      recordCount: opts.recordCount,
      producerChecks: null,
    } as const;
    const appended = await this.#enqueue(batches, source);
    assert(appended.written, 'an unchecked leader append is never refused');
    if (appended.sync) await this.#groupCommit.request();
    return appended.result;
  }

  /**
   * `append` for a producer's batches (a Produce request): on its turn, just
   * before offsets are given, they are checked against the producer state
   * of everything before them (producer-state/producer-checks.ts). A
   * refusal writes nothing. A duplicate writes nothing either and resolves
   * with the original offsets once the appends queued before it (which
   * hold the original when it was still being written) are written.
   * `origin: 'coordinator'` is for batches a coordinator writes for a
   * producer (transactional offset commits): no sequences, so only the
   * epoch and transaction checks apply (see producer-checks.ts).
   * `verification` (KIP-890 part 1): a transactional batch that would open
   * its producer's transaction needs the guard of a verification that still
   * holds (`verificationGuard`).
   */
  async appendFromClient(
    batches: Buffer,
    opts: {
      leaderEpoch: number;
      recordCount?: number;
      origin?: ProducerOrigin;
      verification?: TxnVerification | undefined;
    },
  ): Promise<ClientAppendResult> {
    const source = {
      origin: 'leader',
      leaderEpoch: opts.leaderEpoch,
      recordCount: opts.recordCount,
      producerChecks: opts.origin ?? 'client',
      verification: opts.verification,
    } as const;
    const appended = await this.#enqueue(batches, source);
    if ('producerRefusal' in appended) return { ok: false, ...appended.producerRefusal };
    if ('duplicate' in appended) {
      if (appended.sync) await this.#groupCommit.request();
      return ok({ ...appended.duplicate, duplicate: true });
    }
    assert(appended.written, 'a leader append is refused only by its producer checks');
    if (appended.sync) await this.#groupCommit.request();
    return ok({ ...appended.result, duplicate: false });
  }

  /**
   * Appends batches copied from the leader (replication), keeping their
   * offsets and partitionLeaderEpoch byte for byte: nothing is rewritten.
   * They must start at the log end (as it stands on their turn, after the
   * appends queued before them) and be whole, CRC-valid, contiguous, with
   * epochs that never go back; otherwise nothing is written and the refusal
   * says why (see follower-batches.ts). New epochs enter the leader epoch
   * cache, checkpointed before the write. Grouping, indexes and durability
   * are those of `append`.
   */
  async appendAsFollower(batches: Buffer): Promise<FollowerAppendResult> {
    this.#checkUsable();
    const checked = checkFollowerBatches(batches);
    if (!checked.ok) return checked;
    const appended = await this.#enqueue(batches, { origin: 'follower', checked: checked.value });
    if ('refusal' in appended) return appended.refusal;
    assert(appended.written, 'a follower append is never checked as a client append');
    if (appended.sync) await this.#groupCommit.request();
    return ok({ lastOffset: appended.result.lastOffset });
  }

  /** Joins the open append group, or opens one queued behind every earlier mutation. */
  #enqueue(batches: Buffer, source: AppendSource): Promise<AppendOutcome> {
    let joined = this.#openGroup?.join(batches, source) ?? null;
    if (joined === null) {
      const group = new AppendGroup();
      const write = () => {
        // Started, the group takes no more appends; dropped here, its entries (and the request
        // buffers their batches are views of, often a whole ~1 MB Produce frame) go once written
        // instead of staying with an idle partition until its next append: 1,000 partitions held
        // ~1 GB that way after one burst of produce (BENCHMARKS.md, Scale).
        if (this.#openGroup === group) this.#openGroup = null;
        return this.#writeGroup(group.start());
      };
      this.#serially(write).catch((error: unknown) => group.fail(error));
      this.#openGroup = group;
      joined = group.join(batches, source);
      assert(joined !== null, 'a new append group takes its first append');
    }
    return joined;
  }

  /**
   * Whole batches from the one containing `offset`, up to `maxBytes` (but at
   * least one batch), none based at or after `maxOffset` (default: the log
   * end). Reads come from one segment, usually in one read from the offset
   * index's floor (see LogSegment.readFrom); `allocate` gives the memory.
   */
  async read(offset: bigint, maxBytes: number, maxOffset?: bigint, allocate?: ReadBuffer): Promise<ReadResult> {
    this.#checkUsable();
    if (offset < this.logStartOffset || offset > this.logEndOffset) return { ok: false, error: 'offset_out_of_range' };
    const limit = maxOffset === undefined || maxOffset > this.logEndOffset ? this.logEndOffset : maxOffset;
    if (offset >= limit) return { ok: true, records: [], sizeBytes: 0 };
    for (let attempt = 0; ; attempt++) {
      const segment = segmentContaining(this.#segments, offset);
      const read = await segment.withOpen(() => segment.readFrom(offset, maxBytes, limit, allocate));
      if (read.open) {
        if (read.value === null || read.value.length === 0) return empty();
        return { ok: true, records: [read.value], sizeBytes: read.value.length };
      }
      // A segment deleted by retention or truncation since the lookup: its offsets are gone.
      if (offset < this.logStartOffset) return { ok: false, error: 'offset_out_of_range' };
      // One replaced by its compacted copy: read that (a swap happens at most once per pass).
      if (attempt >= 2 || offset >= this.logEndOffset || segmentContaining(this.#segments, offset) === segment) {
        return empty();
      }
    }
  }

  /** Earliest batch with maxTimestamp >= `timestampMs` (Kafka ListOffsets), at batch granularity; null if none. */
  async offsetForTimestamp(timestampMs: bigint): Promise<TimestampLookup | null> {
    this.#checkUsable();
    for (const listed of [...this.#segments]) {
      // A segment swapped for its compacted copy meanwhile is looked up in the copy.
      const segment = this.#segments.find((s) => s.baseOffset === listed.baseOffset) ?? listed;
      if (segment.maxTimestampMs < timestampMs) continue;
      const found = await segment.withOpen(() => segment.findRecordByTimestamp(timestampMs));
      if (found.open && found.value !== null) return found.value;
    }
    return null;
  }

  /** The first record carrying the log's largest timestamp (ListOffsets -3, KIP-734), or null in an empty log. */
  async maxTimestampRecord(): Promise<TimestampLookup | null> {
    this.#checkUsable();
    let max = -1n;
    for (const segment of this.#segments) if (segment.maxTimestampMs > max) max = segment.maxTimestampMs;
    return max < 0n ? null : this.offsetForTimestamp(max);
  }

  /** Each segment's base offset and largest record timestamp, oldest first (ListOffsets v0). */
  segmentTimes(): { baseOffset: bigint; maxTimestampMs: bigint }[] {
    return this.#segments.map((s) => ({ baseOffset: s.baseOffset, maxTimestampMs: s.maxTimestampMs }));
  }

  /** The leader epoch that wrote `offset` (the newest epoch starting at or before it), -1 when unknown. */
  epochAt(offset: bigint): number {
    this.#checkUsable();
    let epoch = -1;
    for (const entry of this.#epochs.entries()) if (entry.startOffset <= offset) epoch = entry.epoch;
    return epoch;
  }

  /** fsyncs everything appended so far (log data and indexes). */
  async flush(): Promise<void> {
    await this.#serially(() => this.#active().persistIndexes());
    await this.#groupCommit.request();
  }

  /** Starts a new segment (no-op when the active one is empty). */
  async roll(): Promise<void> {
    await this.#serially(() => this.#roll());
  }

  /**
   * Deletes whole segments, oldest first, never the active one: those whose
   * largest timestamp is older than retention.ms, then while the log would
   * still exceed retention.bytes without them. Segments without timestamps
   * are kept by time. Advances logStartOffset.
   */
  async applyRetention(): Promise<{ deletedSegments: number }> {
    return this.#serially(async () => {
      const deletedSegments = segmentsPastRetention(this.#segments, this.#config, BigInt(this.#clock.nowMs()));
      for (let i = 0; i < deletedSegments; i++) await this.#deleteOldest();
      if (deletedSegments > 0) {
        await this.#checkpointEpochsIf(this.#epochs.truncateFromStart(this.logStartOffset));
        // The table keeps their producers (as Kafka does); their snapshots can never be replayed from again.
        await this.#producers.deleteBelow(this.#first().baseOffset);
        this.#logger.info(
          { dir: this.dir, deletedSegments, logStartOffset: this.logStartOffset.toString() },
          'retention deleted segments',
        );
      }
      return { deletedSegments };
    });
  }

  /**
   * DeleteRecords (Kafka's log start increment): offsets below `offset`
   * (at most the log end) are no longer served. The new start is
   * checkpointed before it takes effect, so it survives a crash; then whole
   * segments below it are deleted (never the active one), as retention
   * would. A start at or below the current one changes nothing. Returns
   * the log start after the call.
   */
  advanceLogStart(offset: bigint): Promise<bigint> {
    return this.#serially(async () => {
      if (offset <= this.logStartOffset) return this.logStartOffset;
      assert(offset <= this.logEndOffset, 'the log start cannot pass the log end');
      await writeLogStartCheckpoint(this.#fs, this.dir, offset);
      this.#raisedLogStart = offset;
      let deletedSegments = 0;
      for (let next = this.#segments[1]; next !== undefined && next.baseOffset <= offset; next = this.#segments[1]) {
        await this.#deleteOldest();
        deletedSegments++;
      }
      await this.#checkpointEpochsIf(this.#epochs.truncateFromStart(offset));
      // By segment: the first segment's batches above the new start still need their aborted-transaction entries.
      if (deletedSegments > 0) await this.#producers.deleteBelow(this.#first().baseOffset);
      this.#logger.info({ dir: this.dir, deletedSegments, logStartOffset: offset.toString() }, 'log start advanced');
      return offset;
    });
  }

  /**
   * One compaction pass (cleanup.policy=compact; see log-cleaner.ts for what
   * is cleaned and compaction-records.ts for what survives): keeps each
   * key's latest record in the sealed segments below `highWatermark`,
   * offsets unchanged. The cleaning runs alongside appends and reads; only
   * the swap of the cleaned segments is a mutation in the queue. A call
   * while a pass runs joins it. Reads of a swapped segment are retried on
   * its copy. An I/O error while staging rejects and leaves the log as it
   * was; one during the swap poisons the log (reopen completes the swap).
   */
  compact(opts: { highWatermark: bigint }): Promise<CompactionResult> {
    this.#checkUsable();
    this.#compaction ??= this.#compactOnce(opts.highWatermark).finally(() => {
      this.#compaction = null;
    });
    return this.#compaction;
  }

  async #compactOnce(highWatermark: bigint): Promise<CompactionResult> {
    const nowMs = BigInt(this.#clock.nowMs());
    // Taken between mutations: an abort's index entry is written (awaited) after the producer table
    // closes its transaction, and a pass that saw the one without the other would take aborted
    // records for committed ones (and let them shadow an older committed value).
    const log = await this.#serially(async () => ({
      segments: [...this.#segments],
      firstUnstableOffset: this.#producers.firstUnstableOffset(),
      aborted: this.#producers.aborted.all(),
      lastRecords: lastRecordsOf(this.#producers.table.entries()),
    }));
    const staged = await stageCompactionPass({
      fs: this.#fs,
      dir: this.dir,
      ...log,
      config: this.#config,
      cleanedOffset: this.#cleaner.cleanedOffset,
      deleteHorizonMs: this.#cleaner.deleteHorizonMs,
      highWatermark,
      nowMs,
    });
    if (!staged.ok) return { ran: false, reason: staged.reason };
    if (this.#closed) return { ran: false, reason: 'log_changed' };
    const swapped = await this.#serially(() =>
      this.#swapCleaned(staged.plan.segments, staged.stats.deleteHorizonMs, staged.unneededAborts),
    );
    if (!swapped) return { ran: false, reason: 'log_changed' };
    this.#logger.info(
      {
        dir: this.dir,
        segments: staged.stats.segments,
        bytesBefore: staged.stats.bytesBefore,
        bytesAfter: staged.stats.bytesAfter,
        recordsRemoved: staged.stats.recordsRemoved,
        tombstonesRemoved: staged.stats.tombstonesRemoved,
        abortedRecordsRemoved: staged.stats.abortedRecordsRemoved,
        markersRemoved: staged.stats.markersRemoved,
        cleanedOffset: staged.stats.cleanedOffset.toString(),
      },
      'compacted partition log',
    );
    return { ran: true, ...staged.stats };
  }

  /**
   * Replaces `old` (consecutive sealed segments) with their staged copies:
   * commit marker, renames, then the in-memory list; false (nothing
   * swapped) when retention or truncation removed any of them meanwhile.
   */
  async #swapCleaned(
    old: readonly LogSegment[],
    deleteHorizonMs: bigint,
    unneededAborts: readonly AbortedTxn[],
  ): Promise<boolean> {
    const start = this.#segments.indexOf(old[0] as LogSegment);
    const still = start >= 0 && old.every((segment, i) => this.#segments[start + i] === segment);
    const after = this.#segments[start + old.length];
    if (!still || after === undefined) {
      await discardStaging(this.#fs, this.dir);
      return false;
    }
    // Before the swap: no batch of these transactions is in the old segments either (compaction-txns.ts).
    await this.#producers.aborted.drop(unneededAborts);
    // In-flight reads must finish on the old bytes: their descriptors may not be closed and reopened by path now.
    for (const segment of old) await segment.holdOpen();
    await commitSwap(
      this.#fs,
      this.dir,
      old.map((s) => s.baseOffset),
    );
    await completeSwap(this.#fs, this.dir);
    const fresh: LogSegment[] = [];
    for (const [i, segment] of old.entries()) {
      const copy = await LogSegment.open(
        this.#fs,
        this.dir,
        segment.baseOffset,
        this.#config.indexIntervalBytes,
        this.#handles,
      );
      const report = await recoverSealedSegment(copy, old[i + 1]?.baseOffset ?? after.baseOffset);
      assert(report.defect === null, `compacted segment ${segment.baseOffset} failed its check: ${report.defect}`);
      fresh.push(copy);
    }
    this.#segments.splice(start, old.length, ...fresh);
    // In-flight reads finish on the old files (still open, renamed over); later ones find the copies.
    for (const segment of old) await segment.close(false);
    const cleaner = { cleanedOffset: fresh.at(-1)?.nextOffset ?? this.#cleaner.cleanedOffset, deleteHorizonMs };
    await writeCleanerCheckpoint(this.#fs, this.dir, cleaner);
    this.#cleaner = cleaner;
    return true;
  }

  /** After truncation: offsets past the new log end are no longer clean (new batches may land there). */
  async #clampCleanedOffset(): Promise<void> {
    if (this.#cleaner.cleanedOffset <= this.logEndOffset) return;
    this.#cleaner = { ...this.#cleaner, cleanedOffset: this.logEndOffset };
    await writeCleanerCheckpoint(this.#fs, this.dir, this.#cleaner);
  }

  /**
   * Drops every batch at or after `offset` (a whole batch if `offset` falls
   * inside it, so the log end becomes that batch's base). Below the log
   * start, empties the log and restarts it at `offset`. Durable on return.
   */
  async truncateTo(offset: bigint): Promise<void> {
    await this.#serially(async () => {
      if (offset >= this.logEndOffset) {
        // Nothing to cut from the log, but an epoch entry may start at the end with no batch
        // behind it (written before a batch that never landed): it goes too.
        await this.#checkpointEpochsIf(this.#epochs.truncateFromEnd(offset));
        return;
      }
      if (offset <= this.logStartOffset) {
        await this.#restartAt(offset);
        return;
      }
      while (this.#active().baseOffset >= offset) {
        const dropped = this.#segments.pop();
        assert(dropped !== undefined && this.#segments.length > 0, 'truncation would drop every segment');
        this.#unsynced.delete(dropped);
        await dropped.delete();
      }
      const active = this.#active();
      await active.truncateFrom(offset);
      this.#controls.forget(active);
      // Rebuild the in-memory tail state (largest timestamp, index cadence) from what is left.
      await recoverActiveSegment(active);
      await active.syncAll();
      active.rollBaseMs = active.sizeBytes > 0 ? this.#clock.nowMs() : null;
      // After the log: a crash in between leaves extra entries, which open cuts to the log end.
      await this.#checkpointEpochsIf(this.#epochs.truncateFromEnd(this.logEndOffset));
      await this.#clampCleanedOffset();
      // The cut batches' producer state goes with them: rebuilt from the newest snapshot at or below the new end.
      await this.#producers.reload(this.#segments);
    });
  }

  /**
   * Empties the log and restarts it at `offset`, which may lie beyond the
   * log end: a follower whose whole log is behind the leader's log start
   * continues from there. Durable on return.
   */
  async resetTo(offset: bigint): Promise<void> {
    assert(offset >= 0n, 'log offsets are never negative');
    await this.#serially(() => this.#restartAt(offset));
  }

  async #restartAt(offset: bigint): Promise<void> {
    // Snapshots first: a crash in between leaves the old log without them, never them without their log.
    await this.#producers.reset();
    const old = this.#segments;
    for (const segment of old) this.#unsynced.delete(segment);
    for (const segment of old) await segment.delete();
    const fresh = await LogSegment.open(this.#fs, this.dir, offset, this.#config.indexIntervalBytes, this.#handles);
    this.#segments = [fresh];
    // A start raised earlier may lie past the new one; the checkpoint must not resurrect it on open.
    if (this.#raisedLogStart > offset) await writeLogStartCheckpoint(this.#fs, this.dir, offset);
    this.#raisedLogStart = offset;
    await this.#checkpointEpochsIf(this.#epochs.clear());
    await this.#clampCleanedOffset();
  }

  /** Makes everything durable and closes the files. The log is unusable afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#serially(async () => {
      this.#closed = true;
      for (const segment of this.#segments) await segment.close(true);
      await writeLeaderEpochCheckpoint(this.#fs, this.dir, this.#epochs.entries());
      // After the segments are synced: the next open starts from here instead of replaying the active segment.
      await this.#producers.snapshotAt(this.logEndOffset);
      const active = this.#active();
      await writeCleanShutdownMarker(this.#fs, this.dir, {
        activeBaseOffset: active.baseOffset,
        activeSizeBytes: active.sizeBytes,
        logEndOffset: active.nextOffset,
      });
    });
  }

  /**
   * Forgets producers idle for `expirationMs` (Kafka's
   * producer.id.expiration.ms) with no open transaction; returns how many.
   */
  expireProducers(expirationMs: number): Promise<number> {
    return this.#serially(async () => this.#producers.table.expire(BigInt(this.#clock.nowMs()), expirationMs));
  }

  /**
   * Closes the file handles of a log whose directory failed, writing
   * nothing (no fsync, index or checkpoint write, no clean-shutdown
   * marker: the disk may be full or failing), poisoned or not. The next
   * open runs the unclean recovery, which cuts whatever a failed write left
   * half done. Waits for the mutation running now; errors closing are
   * ignored (the handles are gone either way).
   */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    // Calls still queued (and any later one) reject with this rather than find the log closed.
    this.#failure ??= new Error(`partition log ${this.dir} was abandoned: its log directory failed`);
    this.#closed = true;
    this.#openGroup = null;
    await this.#queue;
    for (const segment of this.#segments) await segment.abandon();
  }

  /** Closes the log and removes its directory. */
  async delete(): Promise<void> {
    if (!this.#closed) {
      await this.#serially(async () => {
        this.#closed = true;
        for (const segment of this.#segments) await segment.close(false);
      });
    }
    await this.#fs.rmrf(this.dir);
  }

  /**
   * Stamps (or, for follower appends, checks) a group of queued appends in
   * call order and writes them with one write call per segment: a roll
   * between two of them splits the group, and the appends before it are
   * settled once their write is done. A refused follower append is settled
   * at once and leaves the offsets where they were.
   */
  async #writeGroup(entries: readonly PendingAppend[]): Promise<void> {
    const run = new AppendRun();
    const duplicates: { entry: PendingAppend; duplicate: AppendResult }[] = [];
    let nextOffset = this.logEndOffset;
    for (const entry of entries) {
      const nowMs = this.#clock.nowMs();
      const stampMs = this.#config.messageTimestampType === 'LogAppendTime' ? BigInt(nowMs) : null;
      const checked = checkClientTurn(entry, nextOffset, stampMs, this.#producers);
      if (checked !== null) {
        if ('duplicate' in checked) duplicates.push({ entry, duplicate: checked.duplicate });
        else entry.settle(checked.refused);
        continue;
      }
      const placed = placeAppend(entry, nextOffset, this.#epochs.latestEpoch, stampMs);
      if ('refusal' in placed) {
        entry.settle({ written: false, refusal: placed.refusal });
        continue;
      }
      // Once per leadership change, and before the write: the log never holds an epoch the checkpoint lacks.
      let epochsChanged = false;
      for (const { epoch, startOffset } of placed.epochStarts) {
        if (epoch > this.#epochs.latestEpoch) epochsChanged = this.#epochs.assign(epoch, startOffset) || epochsChanged;
      }
      await this.#checkpointEpochsIf(epochsChanged);
      nextOffset = placed.result.lastOffset + 1n;
      if (this.#rollDue(run.bytes, entry.batches.length, nextOffset, nowMs)) {
        await this.#writeRun(run);
        await this.#roll();
      }
      this.#active().rollBaseMs ??= nowMs;
      // After any roll (whose snapshot covers only what is below the new segment), before the next placement.
      // An abort marker's index entry is durable before the marker is written (see aborted-txn-index.ts).
      for (const batch of placed.summaries) {
        await this.#producers.applyStoredBatch(entry.batches, batch.bufferPosition, this.#active().baseOffset);
        this.#controls.recordStored(this.#active(), entry.batches, batch.bufferPosition);
      }
      run.add(entry, placed.summaries, placed.result);
    }
    await this.#writeRun(run);
    // Each original was placed before its duplicate, so it is written by now.
    const sync = this.#config.flushMessages <= 1;
    for (const { entry, duplicate } of duplicates) entry.settle({ written: false, duplicate, sync });
  }

  /** Writes the run to the active segment, then settles its appends in order, each with its own flush decision. */
  async #writeRun(run: AppendRun): Promise<void> {
    if (run.entries.length === 0) return;
    const active = this.#active();
    await active.append(run.chunks, run.batches);
    this.#unsynced.add(active);
    for (const { entry, result } of run.entries) {
      this.#unflushedRecords += recordCountOf(entry, result);
      entry.settle({ written: true, result, sync: this.#flushDue() });
    }
    run.clear();
  }

  /** Whether the next append must go to a new segment, with `pendingBytes` not yet written to the active one. */
  #rollDue(pendingBytes: number, appendBytes: number, nextOffset: bigint, nowMs: number): boolean {
    const active = this.#active();
    const sizeBytes = active.sizeBytes + pendingBytes;
    if (sizeBytes === 0) return false;
    const full = sizeBytes + appendBytes > this.#config.segmentBytes;
    const old = active.rollBaseMs !== null && nowMs - active.rollBaseMs > this.#config.segmentMs;
    const offsetsOverflow = nextOffset - 1n - active.baseOffset > 0x7fffffffn;
    return full || old || offsetsOverflow;
  }

  async #roll(): Promise<void> {
    const active = this.#active();
    if (active.sizeBytes === 0) return;
    // Sealing syncs the old segment, so a crash can only ever lose a tail of the newest segment.
    await active.syncAll();
    this.#unsynced.delete(active);
    // The state of every batch below the new segment, all of them now durable.
    await this.#producers.snapshotAt(active.nextOffset);
    const next = await LogSegment.open(
      this.#fs,
      this.dir,
      active.nextOffset,
      this.#config.indexIntervalBytes,
      this.#handles,
    );
    this.#segments.push(next);
    this.#logger.debug({ dir: this.dir, baseOffset: next.baseOffset.toString() }, 'rolled segment');
  }

  async #deleteOldest(): Promise<void> {
    const oldest = this.#segments.shift();
    assert(oldest !== undefined && this.#segments.length > 0, 'retention must keep the active segment');
    this.#unsynced.delete(oldest);
    await oldest.delete();
  }

  async #checkpointEpochsIf(changed: boolean): Promise<void> {
    if (changed) await writeLeaderEpochCheckpoint(this.#fs, this.dir, this.#epochs.entries());
  }

  #flushDue(): boolean {
    const nowMs = this.#clock.monotonicMs();
    if (this.#unflushedRecords < this.#config.flushMessages && nowMs - this.#lastFlushMs < this.#config.flushMs) {
      return false;
    }
    this.#unflushedRecords = 0;
    this.#lastFlushMs = nowMs;
    return true;
  }

  async #syncUnsynced(): Promise<void> {
    const segments = [...this.#unsynced];
    this.#unsynced.clear();
    try {
      for (const segment of segments) await segment.syncLog();
    } catch (error: unknown) {
      this.#poison(error);
      throw error;
    }
  }

  /** Runs a mutation after every earlier one; a failure poisons the log. Later appends queue behind it. */
  #serially<T>(fn: () => Promise<T>): Promise<T> {
    this.#openGroup = null;
    const run = this.#queue.then(async () => {
      this.#checkUsable();
      try {
        return await fn();
      } catch (error: unknown) {
        this.#poison(error);
        throw error;
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #poison(error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#onFailure(error);
  }

  #checkUsable(): void {
    if (this.#failure !== null) throw this.#failure;
    assert(!this.#closed, `partition log ${this.dir} is closed`);
  }

  #first(): LogSegment {
    const first = this.#segments[0];
    assert(first !== undefined, 'a log always has a segment');
    return first;
  }

  #active(): LogSegment {
    const active = this.#segments.at(-1);
    assert(active !== undefined, 'a log always has a segment');
    return active;
  }
}

function empty(): ReadResult {
  return { ok: true, records: [], sizeBytes: 0 };
}
