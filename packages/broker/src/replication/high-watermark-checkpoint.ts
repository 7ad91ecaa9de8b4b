/**
 * The high watermark of every hosted partition, saved in
 * `<dataDir>/replication-offset-checkpoint` (as Kafka does) so that a
 * restarted broker neither shows consumers records that were never
 * committed (a high watermark of "the log end" could include records the
 * next leader does not have) nor forgets what was committed.
 *
 * Format: a version line, a count line, then one `<topic>-<partition> <hw>`
 * line per partition, each line ending in a newline. Replaced atomically
 * through the FileSystem seam (temp file, fsync, rename, fsync of the
 * directory), so a crash leaves the old file or the new one. A missing or
 * unreadable file means "no knowledge": high watermarks start at the log
 * start and the leader's fetches move them up.
 *
 * Owned by PartitionManager. A save that fails (EIO, ENOSPC, ...) is logged
 * at error level and rejects; the previous file stays as it was, so the
 * next save simply tries again. A load that hits an I/O error (not a
 * missing or unparsable file) rejects too: the broker must not start on a
 * disk it cannot read.
 */
import { join } from 'node:path';
import type { Logger } from '@runnel/common';
import { type FileSystem, readWholeFile, replaceFile } from '@runnel/storage';

export const highWatermarkCheckpointFileName = 'replication-offset-checkpoint';

/** ~40 bytes a partition: far more partitions than one broker hosts. */
const checkpointBytesMax = 64 * 1024 * 1024;

interface Saved {
  readonly topic: string;
  readonly index: number;
  readonly highWatermark: bigint;
}

export class HighWatermarkCheckpoint {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #logger: Logger;
  #loaded = new Map<string, bigint>();
  /** The last save queued; settles (never rejects) when it is done, so saves run one at a time. */
  #saving: Promise<void> = Promise.resolve();

  constructor(fs: FileSystem, dataDir: string, logger: Logger) {
    this.#fs = fs;
    this.#path = join(dataDir, highWatermarkCheckpointFileName);
    this.#logger = logger;
  }

  async load(): Promise<void> {
    const read = await readWholeFile(this.#fs, this.#path, checkpointBytesMax).catch((error: unknown) => {
      this.#logger.error({ file: this.#path, err: String(error) }, 'could not read high-watermark checkpoint');
      throw error;
    });
    if (!read.ok && read.error === 'absent') return;
    const parsed = read.ok ? parseCheckpoint(read.value.toString('utf8')) : null;
    if (parsed === null) {
      this.#logger.warn({ file: this.#path }, 'high-watermark checkpoint unreadable; starting from the log starts');
      return;
    }
    this.#loaded = parsed;
  }

  /** The saved high watermark of `<topic>-<partition>`, or null. */
  highWatermark(key: string): bigint | null {
    return this.#loaded.get(key) ?? null;
  }

  /** Keeps `highWatermark` as the value for `key` until the next load (a partition closed and reopened in this run). */
  remember(key: string, highWatermark: bigint): void {
    this.#loaded.set(key, highWatermark);
  }

  /** Saves these partitions' high watermarks; saves run one at a time, in call order. */
  save(partitions: Iterable<Saved>): Promise<void> {
    const text = formatCheckpoint(partitions);
    const saved = this.#saving.then(() => this.#write(text));
    this.#saving = saved.catch(() => {});
    return saved;
  }

  async #write(text: string): Promise<void> {
    try {
      await replaceFile(this.#fs, this.#path, Buffer.from(text, 'utf8'));
    } catch (error: unknown) {
      this.#logger.error({ file: this.#path, err: String(error) }, 'could not save high-watermark checkpoint');
      throw error;
    }
  }
}

export function formatCheckpoint(partitions: Iterable<Saved>): string {
  const lines = [...partitions].map((p) => `${p.topic}-${p.index} ${p.highWatermark}`);
  return ['0', String(lines.length), ...lines].map((line) => `${line}\n`).join('');
}

/** null when the text is not exactly a checkpoint this code wrote (a torn or foreign file). */
export function parseCheckpoint(text: string): Map<string, bigint> | null {
  if (!text.endsWith('\n')) return null;
  const [version, count, ...rest] = text.slice(0, -1).split('\n');
  if (version !== '0' || count === undefined || !/^\d{1,9}$/.test(count) || Number(count) !== rest.length) return null;
  const out = new Map<string, bigint>();
  for (const line of rest) {
    const match = /^(\S+) (\d{1,19})$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) return null;
    out.set(match[1], BigInt(match[2]));
  }
  return out;
}
