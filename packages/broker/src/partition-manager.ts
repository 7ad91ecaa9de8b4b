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
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Logger } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import { PartitionLog } from '@runnel/storage';
import type { BrokerConfig } from './config.ts';
import { logConfigFor } from './log-config.ts';
import { Partition } from './partition.ts';

const partitionMetadataFile = 'partition.metadata';

interface Desired {
  topic: string;
  index: number;
  topicId: string;
  replicas: readonly number[];
  isr: readonly number[];
  leader: number;
  leaderEpoch: number;
}

export class PartitionManager {
  readonly #config: BrokerConfig;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #partitions = new Map<string, Partition>();
  #latest: MetadataImage | null = null;
  #chain: Promise<void> = Promise.resolve();
  #firstReconcile = true;
  #closed = false;

  constructor(options: { config: BrokerConfig; logger: Logger; clock: Clock }) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#clock = options.clock;
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

  /** Queues reconciliation with a newly committed image. */
  apply(image: MetadataImage): void {
    this.#latest = image;
    this.#chain = this.#chain.then(() => this.#reconcileLatest());
  }

  /** Resolves once every image handed to apply() so far has been reconciled. */
  settled(): Promise<void> {
    return this.#chain;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain;
    for (const p of this.#partitions.values()) {
      p.markClosed();
      await p.log.close();
    }
    this.#partitions.clear();
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

  async #reconcileLatest(): Promise<void> {
    const image = this.#latest;
    if (image === null || this.#closed) return;
    this.#latest = null;
    const desired = this.#desired(image);
    if (this.#firstReconcile) {
      this.#firstReconcile = false;
      await this.#removeStrayDirectories(desired);
    }
    for (const [key, partition] of this.#partitions) {
      const want = desired.get(key);
      if (want === undefined || want.topicId !== partition.topicId) {
        this.#partitions.delete(key);
        partition.markClosed();
        await partition.log.delete();
        this.#logger.info({ topic: partition.topic, partition: partition.index }, 'partition removed');
      }
    }
    for (const [key, want] of desired) {
      const existing = this.#partitions.get(key);
      if (existing !== undefined) {
        existing.leader = want.leader;
        existing.leaderEpoch = want.leaderEpoch;
        existing.isr = want.isr;
        existing.replicas = want.replicas;
        continue;
      }
      await this.#open(image, key, want);
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
          replicas: p.replicas,
          isr: p.isr,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
        });
      }
    }
    return desired;
  }

  async #open(image: MetadataImage, key: string, want: Desired): Promise<void> {
    const dir = join(this.#config.dataDir, key);
    try {
      const onDisk = await readTopicId(dir);
      if (onDisk !== null && onDisk !== want.topicId) {
        // A directory left by an earlier topic of the same name.
        await rm(dir, { recursive: true, force: true });
      }
      await mkdir(dir, { recursive: true });
      if (onDisk !== want.topicId)
        await writeFile(join(dir, partitionMetadataFile), `version: 0\ntopic_id: ${want.topicId}\n`);
      const overrides = image.configOverrides('topic', want.topic);
      const log = await PartitionLog.open({
        dir,
        config: logConfigFor(overrides, this.#config),
        clock: this.#clock,
        logger: this.#logger.child({ topic: want.topic, partition: want.index }),
      });
      this.#partitions.set(key, new Partition({ ...want, log }));
    } catch (error) {
      this.#logger.error(
        { topic: want.topic, partition: want.index, err: error instanceof Error ? error.message : String(error) },
        'could not open partition log',
      );
    }
  }

  async #removeStrayDirectories(desired: Map<string, Desired>): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.#config.dataDir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const dir = join(this.#config.dataDir, entry);
      const topicId = await readTopicId(dir);
      if (topicId === null) continue;
      if (desired.get(entry)?.topicId === topicId) continue;
      this.#logger.info({ dir: entry }, 'deleting log of a topic that no longer exists');
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function readTopicId(dir: string): Promise<string | null> {
  try {
    const text = await readFile(join(dir, partitionMetadataFile), 'utf8');
    const match = /topic_id:\s*(\S+)/.exec(text);
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}
