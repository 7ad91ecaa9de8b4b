/**
 * The high watermark of every hosted partition, saved in
 * `<dataDir>/replication-offset-checkpoint` (as Kafka does) so that a
 * restarted broker neither shows consumers records that were never
 * committed (a high watermark of "the log end" could include records the
 * next leader does not have) nor forgets what was committed.
 *
 * Format: a version line, a count line, then one `<topic>-<partition> <hw>`
 * line per partition. Written to a temporary file, fsynced, then renamed,
 * so a crash leaves the old file or the new one. A missing or unreadable
 * file means "no knowledge": high watermarks start at the log start and the
 * leader's fetches move them up. Owned by PartitionManager.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@runnel/common';

export const highWatermarkCheckpointFileName = 'replication-offset-checkpoint';

interface Saved {
  readonly topic: string;
  readonly index: number;
  readonly highWatermark: bigint;
}

export class HighWatermarkCheckpoint {
  readonly #path: string;
  readonly #logger: Logger;
  #loaded = new Map<string, bigint>();
  #saving: Promise<void> = Promise.resolve();

  constructor(dataDir: string, logger: Logger) {
    this.#path = join(dataDir, highWatermarkCheckpointFileName);
    this.#logger = logger;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch {
      return;
    }
    const parsed = parseCheckpoint(text);
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

  /** Saves these partitions' high watermarks; saves run one at a time. */
  save(partitions: Iterable<Saved>): Promise<void> {
    const lines = [...partitions].map((p) => `${p.topic}-${p.index} ${p.highWatermark}`);
    const text = `0\n${lines.length}\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
    this.#saving = this.#saving.then(() => this.#write(text));
    return this.#saving;
  }

  async #write(text: string): Promise<void> {
    const tmp = `${this.#path}.tmp`;
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.#path);
    } catch (error) {
      this.#logger.error({ file: this.#path, err: String(error) }, 'could not save high-watermark checkpoint');
    }
  }
}

/** null when the text is not a checkpoint this code wrote. */
export function parseCheckpoint(text: string): Map<string, bigint> | null {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') return null;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) return null;
  const out = new Map<string, bigint>();
  for (const line of lines.slice(2)) {
    const match = /^(\S+) (\d+)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) return null;
    out.set(match[1], BigInt(match[2]));
  }
  return out;
}
