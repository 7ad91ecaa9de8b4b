/**
 * Keeps the partitions hosted on this broker in line with the metadata
 * image: opens a log for every partition that names this broker as a
 * replica, closes and deletes the logs of topics that were removed, and
 * updates leader, epoch and ISR as they change.
 *
 * Images are reconciled one at a time, in the order they were committed;
 * `settled()` resolves once the latest image has been applied (CreateTopics
 * waits for it so the new partitions are writable when the client hears
 * back). Owned by Broker. A log that fails to open is logged and left
 * closed; its partition answers as unavailable.
 *
 * A storage fault in any log takes the log directory offline
 * (log-dir-health.ts): every partition is closed and its log abandoned,
 * images are only recorded, and once a probe finds the directory writable
 * the latest image is reconciled again, which reopens every log with
 * recovery. Until then handlers answer KAFKA_STORAGE_ERROR (`logDirOffline`).
 */
import { join } from 'node:path';
import type { Clock, Logger, Timers } from '@runnel/common';
import { systemTimers } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import {
  type FileSystem,
  HandleCache,
  nodeFileSystem,
  PartitionLog,
  readWholeFile,
  replaceFile,
} from '@runnel/storage';
import type { BrokerConfig } from './config.ts';
import { sameLogConfig, TopicLogConfigs } from './log-config.ts';
import { isStorageFault, LogDirHealth, retainOfflineLogs } from './log-dir-health.ts';
import { readOpenFilesLimit, segmentFilesBudget } from './open-files-budget.ts';
import {
  formatPartitionMetadata,
  logDirectoryAction,
  type OnDiskTopicId,
  parsePartitionMetadata,
  partitionMetadataFile,
} from './partition-metadata-file.ts';
import { HighWatermarkCheckpoint } from './replication/high-watermark-checkpoint.ts';
import { Partition } from './replication/partition.ts';
import { type PartitionRole, type PartitionState, samePartitionState } from './replication/partition-api.ts';
import { defaultReplicaLagTimeMaxMs as defaultLagTimeMaxMs } from './replication/replica-tracker.ts';

/** `version: 0` and a topic id are about 60 bytes. */
const partitionMetadataBytesMax = 4096;

interface Desired {
  topic: string;
  index: number;
  topicId: string;
  state: PartitionState;
}

/** What PartitionManager needs from replication: role changes go through it. */
export interface ReplicationHooks {
  applyState(partition: Partition, state: PartitionState): Promise<void>;
  remove(partition: Partition): Promise<void>;
}

/**
 * Told after a partition changed role (leader, follower, none), or stayed
 * leader under a new leader epoch; `after` is 'none' when it was removed.
 * Runs inside reconciliation: it must not block or throw.
 */
export type RoleChangeListener = (partition: Partition, before: PartitionRole, after: PartitionRole) => void;

export class PartitionManager {
  readonly #config: BrokerConfig;
  readonly #logConfigs: TopicLogConfigs;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #fs: FileSystem;
  readonly #timers: Timers;
  /** The descriptor budget every partition log's segment files share. */
  readonly #handles: HandleCache;
  readonly #limitedFs: FileSystem;
  #warnedOverBudget = false;
  readonly #partitions = new Map<string, Partition>();
  /** The same partitions by `${topicId}:${index}` (replication addresses them by topic id). */
  readonly #byTopicId = new Map<string, Partition>();
  readonly #checkpoint: HighWatermarkCheckpoint;
  readonly #onRoleChange: RoleChangeListener | undefined;
  #replication: ReplicationHooks | null = null;
  #latest: MetadataImage | null = null;
  #chain: Promise<void> = Promise.resolve();
  /** Stray directories are deleted once, after the broker has caught up with committed metadata. */
  #sweep: 'wait' | 'due' | 'done' = 'wait';
  #current: MetadataImage | null = null;
  #closed = false;
  readonly #health: LogDirHealth;
  /** Between abandoning the logs of a failed directory and reopening them: reconciliation opens nothing. */
  #logsAbandoned = false;
  /** Storage faults met while opening logs (a reopen that faulted leaves the directory offline). */
  #openFaults = 0;

  constructor(options: {
    config: BrokerConfig;
    logger: Logger;
    clock: Clock;
    /** Every partition file goes through it: logs, partition.metadata, the high-watermark checkpoint. */
    fs?: FileSystem;
    /** Default: the event loop's. */
    timers?: Timers;
    onRoleChange?: RoleChangeListener;
    /** Told when the log directory goes offline (true) or comes back (false). */
    onLogDirChange?: (offline: boolean) => void;
    /** Told of every storage fault reported, with its errno code (metrics). */
    onStorageFault?: (code: string) => void;
  }) {
    this.#config = options.config;
    this.#logConfigs = new TopicLogConfigs(options.config);
    this.#onRoleChange = options.onRoleChange;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#fs = options.fs ?? nodeFileSystem;
    this.#timers = options.timers ?? systemTimers;
    const openFilesLimit = readOpenFilesLimit();
    const handlesMax = segmentFilesBudget(options.config.logOpenFilesMax, openFilesLimit);
    this.#handles = new HandleCache({ handlesMax, logger: options.logger });
    this.#limitedFs = this.#handles.limit(this.#fs);
    options.logger.info({ segmentFilesMax: handlesMax, openFilesLimit }, 'segment file budget');
    this.#checkpoint = new HighWatermarkCheckpoint(this.#fs, options.config.dataDir, options.logger);
    this.#health = new LogDirHealth({
      dir: options.config.dataDir,
      fs: this.#fs,
      logger: options.logger,
      timers: this.#timers,
      probeIntervalMs: options.config.logDirProbeIntervalMs,
      retentionEveryProbes: Math.max(
        1,
        Math.ceil(options.config.logRetentionCheckIntervalMs / options.config.logDirProbeIntervalMs),
      ),
      abandonLogs: () => this.#serially(() => this.#abandonAll()),
      freeSpace: () => this.#serially(() => this.#retainOffline()),
      reopenLogs: () => this.#serially(() => this.#reopenAll()),
      ...(options.onLogDirChange === undefined ? {} : { onChange: options.onLogDirChange }),
      ...(options.onStorageFault === undefined ? {} : { onFault: options.onStorageFault }),
    });
  }

  /** Whether the log directory is offline: hosted partitions answer KAFKA_STORAGE_ERROR. */
  get logDirOffline(): boolean {
    return this.#health.offline;
  }

  /** 1 while the log directory is offline (a gauge, and what heartbeats report). */
  get offlineLogDirCount(): number {
    return this.#health.offline ? 1 : 0;
  }

  /**
   * Reports an error a partition call threw: a storage fault takes the log
   * directory offline. True when the directory is offline (the caller
   * answers KAFKA_STORAGE_ERROR); false for any other error (a bug: rethrow).
   */
  storageFault(error: unknown, where: { topic: string; partition: number }): boolean {
    if (isStorageFault(error)) return this.#health.fault(error, where);
    // A log abandoned under a call rejects with its own error: still the failed directory's doing.
    return this.#health.offline;
  }

  /** One probe of an offline log directory now (tests); true once it is online. */
  probeLogDir(): Promise<boolean> {
    return this.#health.probeNow();
  }

  /** Runs `fn` after the reconciliations queued so far, whether or not they failed. */
  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The directory failed: close every partition and abandon its log (nothing is written to the failing disk). */
  async #abandonAll(): Promise<void> {
    this.#logsAbandoned = true;
    for (const [key, p] of [...this.#partitions]) {
      this.#partitions.delete(key);
      this.#byTopicId.delete(`${p.topicId}:${p.index}`);
      // The reopened partition starts from the high watermark it had, not an older saved one.
      this.#checkpoint.remember(key, p.highWatermark);
      await this.#replication?.remove(p);
      const before = p.role;
      p.markClosed();
      this.#onRoleChange?.(p, before, 'none');
      await p.log.abandon();
    }
  }

  /** Reopens every hosted log (with recovery) by reconciling the latest image; false when that faulted again. */
  async #reopenAll(): Promise<boolean> {
    this.#logsAbandoned = false;
    this.#openFaults = 0;
    this.#latest = this.#current;
    await this.#reconcileLatest();
    if (this.#openFaults === 0) return true;
    await this.#abandonAll();
    return false;
  }

  /** Retention on the abandoned logs, from their files (a full disk cannot open them: opening writes). */
  async #retainOffline(): Promise<void> {
    const image = this.#current;
    if (image === null) return;
    const logs = [...this.#desired(image).values()].map((want) => ({
      topic: want.topic,
      partition: want.index,
      dir: join(this.#config.dataDir, PartitionManager.key(want.topic, want.index)),
      config: this.#logConfigs.get(image, want.topic),
    }));
    await retainOfflineLogs(logs, { fs: this.#fs, nowMs: this.#clock.nowMs(), logger: this.#logger });
  }

  /** Wires replication in; until then partitions only take their state (tests without replication). */
  setReplication(replication: ReplicationHooks): void {
    this.#replication = replication;
  }

  /** Reads the high watermarks saved by the previous run; call before the first image. */
  async loadCheckpoint(): Promise<void> {
    await this.#checkpoint.load();
  }

  /** Saves every partition's high watermark (periodically and at close). */
  async saveCheckpoint(): Promise<void> {
    // Offline, the partitions are closed: saving now would forget every high watermark.
    if (this.#logsAbandoned) return;
    try {
      await this.#checkpoint.save(this.#partitions.values());
    } catch (error) {
      // A checkpoint the directory cannot take is a failure of the directory, as in Kafka.
      this.#health.fault(error, { file: 'replication-offset-checkpoint' });
      throw error;
    }
  }

  byTopicId(topicId: string, index: number): Partition | undefined {
    return this.#byTopicId.get(`${topicId}:${index}`);
  }

  static key(topic: string, index: number): string {
    return `${topic}-${index}`;
  }

  get(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(PartitionManager.key(topic, index));
  }

  all(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  get count(): number {
    return this.#partitions.size;
  }

  /** The segment file budget and how it is used (metrics, tests). */
  get segmentFiles(): HandleCache {
    return this.#handles;
  }

  /** Queues reconciliation with a newly committed image. */
  apply(image: MetadataImage): void {
    this.#latest = image;
    this.#current = image;
    this.#chain = this.#chain.then(() => this.#reconcileLatest());
    // Offline, a lowered retention.ms or retention.bytes is how an operator frees a full disk: apply it now.
    if (this.#health.offline) void this.#health.probeNow({ freeSpace: true });
  }

  /**
   * The image is now complete (the controller unfenced us, or the channel
   * delivered its whole backlog): directories of partitions that are not in
   * it belong to deleted topics and may go. Never earlier: a partial image
   * just after a restart lacks topics that still exist.
   */
  allowStraySweep(): void {
    if (this.#sweep !== 'wait') return;
    this.#sweep = 'due';
    if (this.#current !== null) this.apply(this.#current);
  }

  /** Resolves once every image handed to apply() so far has been reconciled. */
  settled(): Promise<void> {
    return this.#chain;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#health.close();
    await this.#chain;
    for (const p of this.#partitions.values()) await this.#replication?.remove(p);
    try {
      await this.saveCheckpoint();
    } finally {
      // A failed save (logged by the checkpoint) still fails close(), but never leaves a log open.
      for (const p of this.#partitions.values()) {
        p.markClosed();
        await p.log.close();
      }
      this.#partitions.clear();
      this.#byTopicId.clear();
    }
  }

  /** Deletes old segments of every partition per its retention settings. */
  async applyRetention(): Promise<number> {
    let deleted = 0;
    for (const p of [...this.#partitions.values()]) {
      if (p.closed) continue;
      const r = await p.log.applyRetention();
      deleted += r.deletedSegments;
    }
    return deleted;
  }

  /**
   * Forgets, in every partition, the producers idle for
   * producer.id.expiration.ms with no open transaction (Kafka's expiry);
   * returns how many went. A failure is logged and the others go on.
   */
  async expireProducers(): Promise<number> {
    let removed = 0;
    for (const p of [...this.#partitions.values()]) {
      if (p.closed) continue;
      try {
        removed += await p.log.expireProducers(this.#config.producerIdExpirationMs);
      } catch (error) {
        this.#logger.error({ topic: p.topic, partition: p.index, err: String(error) }, 'producer expiry failed');
      }
    }
    return removed;
  }

  /**
   * Compacts every partition whose cleanup.policy includes compact (the
   * others answer not_compacted at once), below each one's high watermark:
   * records above it may still be truncated away and must not hide older
   * values. A failure is logged; the log repairs itself on reopen.
   */
  async compact(): Promise<{ compacted: number; recordsRemoved: number }> {
    let compacted = 0;
    let recordsRemoved = 0;
    for (const p of [...this.#partitions.values()]) {
      if (p.closed) continue;
      try {
        const r = await p.log.compact({ highWatermark: p.highWatermark });
        if (!r.ran) continue;
        compacted++;
        recordsRemoved += r.recordsRemoved + r.tombstonesRemoved;
        this.#logger.info(
          {
            topic: p.topic,
            partition: p.index,
            ...r,
            cleanedOffset: String(r.cleanedOffset),
            deleteHorizonMs: String(r.deleteHorizonMs),
          },
          'compacted partition log',
        );
      } catch (error) {
        this.#logger.error({ topic: p.topic, partition: p.index, err: String(error) }, 'compaction failed');
      }
    }
    return { compacted, recordsRemoved };
  }

  async #reconcileLatest(): Promise<void> {
    const image = this.#latest;
    if (image === null || this.#closed || this.#logsAbandoned) return;
    this.#latest = null;
    const desired = this.#desired(image);
    this.#logConfigs.retain(new Set([...desired.values()].map((d) => d.topic)));
    if (this.#sweep === 'due') {
      this.#sweep = 'done';
      await this.#removeStrayDirectories(desired);
    }
    for (const [key, partition] of this.#partitions) {
      const want = desired.get(key);
      if (want === undefined || want.topicId !== partition.topicId) {
        this.#partitions.delete(key);
        this.#byTopicId.delete(`${partition.topicId}:${partition.index}`);
        await this.#replication?.remove(partition);
        const before = partition.role;
        partition.markClosed();
        this.#onRoleChange?.(partition, before, 'none');
        await partition.log.delete();
        this.#logger.info({ topic: partition.topic, partition: partition.index }, 'partition removed');
      }
    }
    for (const [key, want] of desired) {
      const existing = this.#partitions.get(key);
      if (existing !== undefined) {
        // A topic config or a dynamic broker default changed: the running log takes it now.
        const config = this.#logConfigs.get(image, want.topic);
        if (!sameLogConfig(existing.log.config, config)) {
          existing.log.reconfigure(config);
          this.#logger.info({ topic: want.topic, partition: want.index }, 'log config changed');
        }
        // Leaders always re-apply: a changed min.insync.replicas reaches their tracker this way.
        if (existing.role === 'leader' || !samePartitionState(existing.state, want.state)) {
          await this.#applyState(existing, want.state);
        }
        continue;
      }
      const opened = await this.#open(image, key, want);
      if (opened !== null) await this.#applyState(opened, want.state);
    }
  }

  async #applyState(partition: Partition, state: PartitionState): Promise<void> {
    const before = partition.role;
    const epochBefore = partition.leaderEpoch;
    if (this.#replication !== null) await this.#replication.applyState(partition, state);
    else partition.applyState(state, { lagTimeMaxMs: defaultLagTimeMaxMs });
    const after = partition.role;
    if (before !== after || (after === 'leader' && partition.leaderEpoch !== epochBefore)) {
      this.#onRoleChange?.(partition, before, after);
    }
  }

  #desired(image: MetadataImage): Map<string, Desired> {
    const nodeId = this.#config.nodeId;
    const desired = new Map<string, Desired>();
    for (const name of image.topicNames()) {
      const topic = image.topic(name);
      if (topic === undefined) continue;
      for (const p of topic.partitions) {
        const index = p.partition;
        if (!p.replicas.includes(nodeId)) continue;
        desired.set(PartitionManager.key(name, index), {
          topic: name,
          index,
          topicId: topic.topicId,
          state: {
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
            replicas: p.replicas,
            isr: p.isr,
            addingReplicas: p.addingReplicas,
          },
        });
      }
    }
    return desired;
  }

  async #open(image: MetadataImage, key: string, want: Desired): Promise<Partition | null> {
    const dir = join(this.#config.dataDir, key);
    try {
      const onDisk = await readTopicId(this.#fs, dir);
      const exists = (await this.#fs.stat(dir))?.isDirectory === true;
      const action = logDirectoryAction(onDisk, exists, want.topicId);
      if (action === 'refuse') {
        const reason = onDisk.kind === 'unreadable' ? onDisk.reason : '';
        this.#logger.error(
          { topic: want.topic, partition: want.index, dir: key, reason },
          'partition.metadata is unreadable; the log stays closed',
        );
        return null;
      }
      if (action === 'replace') {
        // Never served: another topic's log, or one whose deletion a crash cut short.
        this.#logger.info(
          {
            topic: want.topic,
            partition: want.index,
            found: onDisk.kind === 'id' ? onDisk.topicId : null,
            topicId: want.topicId,
          },
          'deleting a log that belongs to no current topic of this name',
        );
        await this.#fs.rmrf(dir);
      }
      if (action !== 'open') {
        await this.#fs.mkdirp(dir);
        // Before the log's first file: a directory with log files always names its topic.
        await replaceFile(
          this.#fs,
          join(dir, partitionMetadataFile),
          Buffer.from(formatPartitionMetadata(want.topicId), 'utf8'),
        );
      }
      const log = await PartitionLog.open({
        dir,
        config: this.#logConfigs.get(image, want.topic),
        // Every file a log opens counts against the budget, its checkpoints and snapshots too.
        fs: this.#limitedFs,
        clock: this.#clock,
        logger: this.#logger.child({ topic: want.topic, partition: want.index }),
        handles: this.#handles,
        onFailure: (error) => this.#health.fault(error, { topic: want.topic, partition: want.index }),
      });
      const partition = new Partition({
        topic: want.topic,
        index: want.index,
        topicId: want.topicId,
        log,
        nodeId: this.#config.nodeId,
        state: { ...want.state, leader: -1 },
        // The checkpoint is keyed by name: a saved value belongs to this log only if the log was kept.
        highWatermark: action === 'open' ? (this.#checkpoint.highWatermark(key) ?? 0n) : 0n,
        clock: this.#clock,
        timers: this.#timers,
      });
      this.#partitions.set(key, partition);
      if (!this.#warnedOverBudget && this.#partitions.size > this.#handles.handlesMax) {
        this.#warnedOverBudget = true;
        this.#logger.warn(
          { partitions: this.#partitions.size, segmentFilesMax: this.#handles.handlesMax },
          'more partitions than the segment file budget (log.open.files.max): idle partitions close their files and reopen them when used; raise the open-files limit (ulimit -n) for fewer reopens',
        );
      }
      this.#byTopicId.set(`${want.topicId}:${want.index}`, partition);
      return partition;
    } catch (error) {
      this.#logger.error(
        { topic: want.topic, partition: want.index, err: error instanceof Error ? error.message : String(error) },
        'could not open partition log',
      );
      if (isStorageFault(error)) {
        this.#openFaults++;
        this.#health.fault(error, { topic: want.topic, partition: want.index });
      }
      return null;
    }
  }

  /** Stray directories only cost disk: a failure is logged and reconciliation goes on. */
  async #removeStrayDirectories(desired: Map<string, Desired>): Promise<void> {
    try {
      for (const entry of await this.#fs.readdir(this.#config.dataDir)) {
        const dir = join(this.#config.dataDir, entry);
        if ((await this.#fs.stat(dir))?.isDirectory !== true) continue;
        const onDisk = await readTopicId(this.#fs, dir);
        // Directories without a readable id may be anyone's; a desired partition's is settled by #open.
        if (onDisk.kind !== 'id') continue;
        if (desired.get(entry)?.topicId === onDisk.topicId) continue;
        this.#logger.info({ dir: entry }, 'deleting log of a topic that no longer exists');
        await this.#fs.rmrf(dir);
      }
    } catch (error) {
      this.#logger.error({ err: String(error) }, 'could not delete the logs of removed topics');
    }
  }
}

/** What `dir`'s partition.metadata says. I/O errors reject. */
async function readTopicId(fs: FileSystem, dir: string): Promise<OnDiskTopicId> {
  const read = await readWholeFile(fs, join(dir, partitionMetadataFile), partitionMetadataBytesMax);
  if (!read.ok) return read.error === 'absent' ? { kind: 'absent' } : { kind: 'unreadable', reason: 'oversized' };
  return parsePartitionMetadata(read.value.toString('utf8'));
}
