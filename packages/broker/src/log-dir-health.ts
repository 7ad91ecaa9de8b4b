/**
 * The health of the broker's log directory (log.dirs; Runnel has one):
 * Kafka's log-dir failure handling, adapted so the directory comes back
 * without a restart.
 *
 * - A storage fault (an errno from a file-system call: ENOSPC, EIO, EROFS,
 *   EDQUOT, ...) in any partition log takes the directory offline: every
 *   partition it holds stops serving (KAFKA_STORAGE_ERROR), its logs are
 *   abandoned (handles closed, nothing written), and the controller hears
 *   of it in the next heartbeat so it can move leadership to other ISR
 *   replicas. Kafka halts a broker whose last log dir failed; Runnel keeps
 *   answering (health endpoints, metadata, other brokers' partitions).
 * - While offline, a probe runs every `probeIntervalMs`: write and fsync a
 *   small file in the directory, then delete it. When that succeeds the
 *   logs are reopened from disk with the unclean-shutdown recovery (which
 *   cuts whatever a failed write left half done) and the directory is
 *   online again. A reopen that faults again leaves it offline for the
 *   next probe. Before the first probe of an outage, then every
 *   log.retention.check.interval.ms, and whenever new metadata arrives (an
 *   operator may have lowered retention.ms or retention.bytes to free
 *   space), `freeSpace` runs retention on the logs as they are on disk:
 *   deleting old segments needs no space, so a full disk can free itself.
 *
 * Owned by PartitionManager. Decisions (what counts as a fault) are pure
 * functions here; the timer and callbacks are thin wiring.
 */
import { join } from 'node:path';
import type { Logger, Timers } from '@runnel/common';
import { deleteSegmentsPastRetention, type FileSystem, type LogConfig } from '@runnel/storage';

export const logDirProbeFileName = '.runnel-log-dir-probe';

/** Whether `error` is the disk failing (an errno code from a system call), not a bug in our code. */
export function isStorageFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // Node's errno codes are E followed by capitals (ENOSPC, EIO); its own codes (ERR_ASSERTION, ...) have an underscore.
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/** The errno code to log and count by, or 'unknown'. */
export function faultCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unknown';
}

export interface LogDirHealthOptions {
  dir: string;
  fs: FileSystem;
  logger: Logger;
  timers: Timers;
  probeIntervalMs: number;
  /** freeSpace runs on the first probe of an outage and then every this many probes (log.retention.check.interval.ms). */
  retentionEveryProbes: number;
  /** Abandons every log of the directory; called once per failure, before probing starts. */
  abandonLogs: () => Promise<void>;
  /** Runs retention on the logs as they are on disk (the directory is still offline); errors are logged by it. */
  freeSpace: () => Promise<void>;
  /** Reopens the logs after a successful probe; resolves false when that faulted again. */
  reopenLogs: () => Promise<boolean>;
  /** Told on every change (true: offline), e.g. to count it and to report to the controller. */
  onChange?: (offline: boolean) => void;
  /** Told of every storage fault reported, with its errno code. */
  onFault?: (code: string) => void;
}

export class LogDirHealth {
  readonly #options: LogDirHealthOptions;
  #offline = false;
  #timer: { cancel(): void } | null = null;
  #probing = false;
  #closed = false;
  /** Faults seen while the directory was already offline (logged once per outage, not per call). */
  #suppressed = 0;
  readonly #seen = new WeakSet<object>();
  #freeSpaceDue = false;
  /** Probes since the outage began. */
  #probes = 0;

  constructor(options: LogDirHealthOptions) {
    this.#options = options;
  }

  get offline(): boolean {
    return this.#offline;
  }

  /**
   * Reports an error from a partition log (or a file of the directory).
   * A storage fault takes the directory offline; returns whether the
   * directory is offline now (the caller then answers KAFKA_STORAGE_ERROR).
   */
  fault(error: unknown, where: Record<string, unknown>): boolean {
    if (!isStorageFault(error)) return this.#offline;
    // The log reports its poisoning error, and the call it rejected reports it again: count it once.
    if (this.#seen.has(error as object)) return this.#offline;
    this.#seen.add(error as object);
    const code = faultCode(error);
    this.#options.onFault?.(code);
    if (this.#offline) {
      this.#suppressed++;
      return true;
    }
    this.#offline = true;
    this.#suppressed = 0;
    this.#probes = 0;
    this.#options.logger.error(
      { ...where, dir: this.#options.dir, code, err: error instanceof Error ? error.message : String(error) },
      'log directory offline: its partitions answer KAFKA_STORAGE_ERROR until a probe finds it writable',
    );
    this.#options.onChange?.(true);
    void this.#options
      .abandonLogs()
      .catch((e: unknown) => this.#options.logger.error({ err: String(e) }, 'could not abandon the failed logs'))
      .finally(() => this.#schedule());
    return true;
  }

  /** Stops probing (broker shutdown). */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  /**
   * One probe round now (the timer's; tests; new metadata with
   * `freeSpace`). Resolves true once the directory is online.
   */
  async probeNow(options: { freeSpace?: boolean } = {}): Promise<boolean> {
    if (!this.#offline) return true;
    if (this.#probing) {
      // The round running now may have read the old retention settings: the next one frees space first.
      if (options.freeSpace === true) this.#freeSpaceDue = true;
      return false;
    }
    this.#probing = true;
    try {
      const due = this.#probes++ % this.#options.retentionEveryProbes === 0 || this.#freeSpaceDue;
      if (due || options.freeSpace === true) {
        this.#freeSpaceDue = false;
        await this.#options.freeSpace();
      }
      if (!(await this.#writable())) return false;
      if (!(await this.#options.reopenLogs())) return false;
      this.#offline = false;
      this.#options.logger.warn(
        { dir: this.#options.dir, faultsWhileOffline: this.#suppressed },
        'log directory online again: its logs were reopened with recovery',
      );
      this.#options.onChange?.(false);
      return true;
    } finally {
      this.#probing = false;
    }
  }

  #schedule(): void {
    if (this.#closed || !this.#offline || this.#timer !== null) return;
    this.#timer = this.#options.timers.setTimeout(() => {
      this.#timer = null;
      void this.probeNow()
        .catch((e: unknown) => this.#options.logger.error({ err: String(e) }, 'log directory probe failed'))
        .finally(() => this.#schedule());
    }, this.#options.probeIntervalMs);
  }

  /** Writes and fsyncs a small file, then removes it: what a produce needs from the directory, in miniature. */
  async #writable(): Promise<boolean> {
    const { fs, dir } = this.#options;
    const path = join(dir, logDirProbeFileName);
    try {
      const file = await fs.open(path);
      try {
        await file.write(Buffer.alloc(4096, 0x70), 0);
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.unlink(path);
      return true;
    } catch (error: unknown) {
      this.#options.logger.debug({ dir, code: faultCode(error) }, 'log directory probe: still not writable');
      // A probe that got its file written but not removed leaves 4 KiB; the next one reuses it.
      return false;
    }
  }
}

/**
 * Offline retention over the logs of a failed directory (storage's
 * deleteSegmentsPastRetention: from the files, writing nothing). A log that
 * cannot be read is skipped (logged at debug: the directory is failing).
 */
export async function retainOfflineLogs(
  logs: readonly { topic: string; partition: number; dir: string; config: LogConfig }[],
  options: { fs: FileSystem; nowMs: number; logger: Logger },
): Promise<void> {
  for (const { topic, partition, dir, config } of logs) {
    try {
      const r = await deleteSegmentsPastRetention({ dir, config, fs: options.fs, nowMs: options.nowMs });
      if (r.deletedSegments > 0) {
        options.logger.info({ topic, partition, ...r }, 'retention deleted segments of an offline log');
      }
    } catch (error) {
      options.logger.debug({ topic, partition, err: String(error) }, 'offline retention failed');
    }
  }
}
