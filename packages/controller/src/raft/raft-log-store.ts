/**
 * The controller's Raft log, hard state, membership and latest snapshot in
 * a `level` database, behind the RaftStorage interface the Raft core reads.
 * Reads are synchronous, from a full in-memory copy loaded at open (the core
 * cannot await); writes go through one at a time, each as one atomic level
 * batch, and reach memory only after the batch is written. Layout:
 * raft-store-codec.ts.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from '@runnel/common';
import { AssertionError } from '@runnel/common';
import type { ConfState, Entry, HardState, RaftStorage, Ready, Snapshot } from '@runnel/raft';
import { Level } from 'level';
import { findLevelDbDamage } from './leveldb-file-check.ts';
import type { RaftLogImage } from './raft-log-image.ts';
import { loadRaftLogImage } from './raft-store-load.ts';
import { classifyLevelOpenError, RaftStoreOpenError } from './raft-store-open-error.ts';
import type { WritePlan } from './raft-store-writes.ts';
import { planCompact, planConfState, planCreateSnapshot, planReady, planRejoining } from './raft-store-writes.ts';

export interface RaftLogStoreOptions {
  /** Directory of the level database; created if missing. One node, one directory. */
  readonly dir: string;
  readonly logger: Logger;
}

/**
 * Owned by the controller's Raft driver, which is its only writer. The Raft
 * core reads it between writes; entries and snapshots it returns are shared
 * with the store and must not be mutated. After any failed write the state
 * on disk is unknown: every later call (reads included) throws and the
 * driver must exit and reopen, which reloads what actually reached the disk.
 */
export class RaftLogStore implements RaftStorage {
  readonly #db: Level<Buffer, Buffer>;
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #image: RaftLogImage;
  /** Tail of the write queue; never rejects (failures are recorded in #failure). */
  #queue: Promise<void> = Promise.resolve();
  #failure: { op: string; error: unknown } | null = null;
  #closed = false;

  private constructor(db: Level<Buffer, Buffer>, dir: string, logger: Logger, image: RaftLogImage) {
    this.#db = db;
    this.#dir = dir;
    this.#logger = logger;
    this.#image = image;
  }

  /**
   * Opens (creating if needed) the store under `dir`, loads it and checks
   * it: LevelDB's files first (their checksums, leveldb-file-check.ts,
   * since LevelDB itself would drop a damaged log block silently), then
   * every value's checksum and the log's structure (raft-store-load.ts).
   * Rejects with RaftStoreOpenError ('corrupt' or 'locked') when the store
   * cannot be trusted or another process holds it.
   */
  static async open(options: RaftLogStoreOptions): Promise<RaftLogStore> {
    const { dir } = options;
    const logger = options.logger.child({ component: 'raft-log-store', dir });
    await mkdir(dir, { recursive: true });
    const damage = await findLevelDbDamage(dir);
    if (damage !== null) {
      throw new RaftStoreOpenError('corrupt', dir, `${damage.file}: ${damage.problem}`, undefined, damage.file);
    }
    const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (e: unknown) {
      throw classifyLevelOpenError(dir, e);
    }
    let loaded: Awaited<ReturnType<typeof loadRaftLogImage>>;
    try {
      loaded = await loadRaftLogImage(db);
    } catch (e: unknown) {
      await db.close();
      throw classifyLevelOpenError(dir, e);
    }
    if (!loaded.ok) {
      await db.close();
      throw new RaftStoreOpenError('corrupt', dir, loaded.message ?? loaded.error);
    }
    const image = loaded.value;
    logger.info(
      {
        firstIndex: image.firstIndex,
        lastIndex: image.lastIndex(),
        term: image.hardState.term,
        commit: image.hardState.commit,
        snapshotIndex: image.snapshot.metadata.index,
        rejoining: image.rejoining,
      },
      'raft store opened',
    );
    return new RaftLogStore(db, dir, logger, image);
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    this.#assertUsable();
    return { hardState: this.#image.hardState, confState: this.#image.confState() };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    this.#assertUsable();
    return this.#image.slice(lo, hi, maxBytes);
  }

  term(index: number): number {
    this.#assertUsable();
    return this.#image.term(index);
  }

  firstIndex(): number {
    this.#assertUsable();
    return this.#image.firstIndex;
  }

  lastIndex(): number {
    this.#assertUsable();
    return this.#image.lastIndex();
  }

  snapshot(): Snapshot {
    this.#assertUsable();
    return this.#image.snapshot;
  }

  /**
   * Makes the snapshot, entries and hard state of `ready` durable as one
   * atomic batch (fsynced when ready.mustSync: Raft must not answer a vote
   * or an append before that), then shows them to readers. A snapshot
   * replaces the log up to its index; an entry at an index already in the
   * log replaces that entry and everything after it.
   */
  persist(ready: Ready): Promise<void> {
    return this.#write('persist', () => ({ plan: planReady(this.#image, ready), result: undefined }));
  }

  /** Drops entries up to `index`, which the stored snapshot must cover. */
  compact(index: number): Promise<void> {
    return this.#write('compact', () => ({ plan: planCompact(this.#image, index), result: undefined }));
  }

  /**
   * Stores the application's state at `index` (committed and still in the
   * log) as the newest snapshot. Entries stay until compact(), so a lagging
   * follower can still catch up from the log.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    return this.#write('create-snapshot', () => {
      const { plan, snapshot } = planCreateSnapshot(this.#image, index, confState, data);
      return { plan, result: snapshot };
    });
  }

  /** Saves the membership the application has applied; initialState() returns it after a restart. */
  saveConfState(confState: ConfState): Promise<void> {
    return this.#write('save-conf-state', () => ({ plan: planConfState(this.#image, confState), result: undefined }));
  }

  /** True while this node, restarted on an empty store, has not yet copied the log from a leader. */
  get rejoining(): boolean {
    this.#assertUsable();
    return this.#image.rejoining;
  }

  /** Durably sets (or clears) the rejoining mark; see `rejoining`. */
  setRejoining(rejoining: boolean): Promise<void> {
    return this.#write('set-rejoining', () => ({ plan: planRejoining(this.#image, rejoining), result: undefined }));
  }

  /** Waits for queued writes, then closes the database; later calls throw. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#db.close();
  }

  /** Queues one write; it plans against the image as left by the writes before it. */
  #write<T>(op: string, prepare: () => { plan: WritePlan; result: T }): Promise<T> {
    this.#assertUsable();
    const run = this.#queue.then(async () => {
      this.#assertUsable();
      const { plan, result } = prepare();
      if (plan.ops.length > 0) await this.#db.batch(plan.ops, { sync: plan.sync });
      plan.apply();
      return result;
    });
    this.#queue = run.then(
      () => {},
      (error: unknown) => this.#fail(op, error),
    );
    return run;
  }

  #fail(op: string, error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = { op, error };
    this.#logger.error({ op, err: error }, 'raft store write failed; the store refuses further calls');
  }

  #assertUsable(): void {
    if (this.#closed) throw new AssertionError(`the Raft store in ${this.#dir} was used after close()`);
    if (this.#failure !== null) {
      const { op, error } = this.#failure;
      const reason = error instanceof Error ? error.message : String(error);
      throw new AssertionError(
        `the Raft store in ${this.#dir} failed a ${op} (${reason}); its disk state is unknown, so the driver must exit and reopen it`,
      );
    }
  }
}
