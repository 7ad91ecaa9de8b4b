/**
 * Test doubles for the coordinator runtime: an in-memory GroupStore whose
 * writes can be made to fail or to wait, and timers that fire only when
 * the test advances a ManualClock.
 */
import { err, type ManualClock, ok } from '@runnel/common';
import type { GroupTimers } from '../src/groups/group-timers.ts';
import type {
  GroupMetadataValue,
  GroupStore,
  OffsetsWriteError,
  OffsetsWriteResult,
  StoreResult,
  TopicPartitionOffset,
  TxnProducer,
} from '../src/groups/types.ts';

export class FakeStore implements GroupStore {
  readonly groups = new Map<string, GroupMetadataValue | null>();
  readonly offsetWrites: {
    groupId: string;
    offsets: readonly TopicPartitionOffset[];
    transaction: TxnProducer | null;
    baseOffset: bigint;
  }[] = [];
  failWith: OffsetsWriteError | null = null;
  /** The log end of the (one) partition: each record takes an offset. */
  logEnd = 0n;

  async writeGroup(groupId: string, value: GroupMetadataValue | null): Promise<StoreResult> {
    if (this.failWith !== null)
      return err(this.failWith === 'invalid_producer_epoch' ? 'not_coordinator' : this.failWith);
    this.groups.set(groupId, value);
    this.logEnd++;
    return ok(undefined);
  }

  async writeOffsets(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    transaction: TxnProducer | null,
  ): Promise<OffsetsWriteResult> {
    if (this.failWith !== null) return err(this.failWith);
    const baseOffset = this.logEnd;
    this.logEnd += BigInt(offsets.length);
    this.offsetWrites.push({ groupId, offsets, transaction, baseOffset });
    return ok({ baseOffset });
  }
}

export class ManualTimers implements GroupTimers {
  readonly #clock: ManualClock;
  #timers: { atMs: number; fire: () => void; live: boolean }[] = [];

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  schedule(delayMs: number, fire: () => void): () => void {
    const timer = { atMs: this.#clock.nowMs() + Math.max(0, delayMs), fire, live: true };
    this.#timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time forward, firing each due timer at its own time, earliest first. */
  advance(ms: number): void {
    const endMs = this.#clock.nowMs() + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      const due = this.#timers.filter((t) => t.atMs <= endMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (due === undefined) break;
      due.live = false;
      this.#clock.advance(Math.max(0, due.atMs - this.#clock.nowMs()));
      due.fire();
    }
    this.#clock.advance(endMs - this.#clock.nowMs());
  }
}

/** Lets resolved store promises run their continuations. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
