/**
 * One partition replica hosted by this broker: its log, its high watermark
 * and the fetchers waiting for new data. With a single replica (this issue)
 * the high watermark is the log end offset once an append has completed.
 *
 * Owned by PartitionManager, which opens and closes it as metadata changes.
 * Handlers may call append/read; they never close it.
 */
import type { PartitionLog } from '@runnel/storage';

export type AppendListener = () => void;

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  leader: number;
  /** Offsets below this are committed and visible to consumers. */
  highWatermark: bigint;
  readonly #listeners = new Set<AppendListener>();
  #closed = false;

  constructor(options: {
    topic: string;
    index: number;
    topicId: string;
    log: PartitionLog;
    leaderEpoch: number;
    replicas: readonly number[];
    isr: readonly number[];
    leader: number;
  }) {
    this.topic = options.topic;
    this.index = options.index;
    this.topicId = options.topicId;
    this.log = options.log;
    this.leaderEpoch = options.leaderEpoch;
    this.replicas = options.replicas;
    this.isr = options.isr;
    this.leader = options.leader;
    this.highWatermark = options.log.logEndOffset;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Appends validated batches as leader; resolves once they are in the log (see storage's durability notes). */
  async appendAsLeader(
    batches: Buffer,
    recordCount: number,
  ): Promise<{ baseOffset: bigint; lastOffset: bigint; logAppendTimeMs: bigint }> {
    const result = await this.log.append(batches, { leaderEpoch: this.leaderEpoch, recordCount });
    // Single replica: the ISR is just us, so this append is committed once the log says it is done
    // (written, or fsynced under flush.messages=1). Later appends may already be in the log but not
    // yet done, so the watermark moves to the end of this append, not to the log end.
    const end = result.lastOffset + 1n;
    if (end > this.highWatermark) this.highWatermark = end;
    this.#notify();
    return result;
  }

  /** Registers a one-shot interest in the next append (long-poll fetch). */
  onNextAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markClosed(): void {
    this.#closed = true;
    this.#notify();
  }

  #notify(): void {
    if (this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}
