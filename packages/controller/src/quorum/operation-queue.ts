/**
 * The active controller's admin operations, in arrival order. Each
 * operation is a pure computation against the metadata image
 * (`(image) => { records, value }`, usually one of logic/*); those that
 * queue up while an entry is being committed are computed one after the
 * other against a draft image (the applied image plus the records of the
 * operations before them) and share the next Raft entry. One entry is in
 * flight at a time, so the draft always starts from what is applied and
 * each operation's records get the offsets the state machine gives them.
 *
 * Owned by QuorumController. An operation answers once its records are
 * committed and applied (with the offset of its last record, so a broker
 * can wait for its metadata stream to reach it), or NOT_CONTROLLER when
 * this node is not the active controller or loses leadership first. A
 * computation that throws is a bug: its caller's promise rejects and the
 * other operations of the batch go on.
 */
import type { Clock } from '@runnel/common';
import type { MetadataImage, MetadataRecord } from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import type { ControllerAnswer, ControllerLeaderHint } from '@runnel/rpc';
import { answer, notController } from '@runnel/rpc';
import { NotControllerError } from './raft-driver.ts';

/** What an operation computes: the records to commit and the value to answer with. */
export interface Computed<T> {
  readonly records: MetadataRecord[];
  readonly value: T;
}

export type Compute<T> = (image: MetadataImage) => Computed<T>;

export interface OperationQueueOptions {
  /** The applied image. */
  readonly image: () => MetadataImage;
  readonly isActive: () => boolean;
  /** Commits one entry; rejects with NotControllerError when this node cannot. */
  readonly propose: (records: readonly MetadataRecord[]) => Promise<bigint>;
  readonly leaderHint: () => ControllerLeaderHint;
  readonly clock: Clock;
  /** Told how long each operation took from arrival to commit; must not throw. */
  readonly committed?: (operation: string, seconds: number) => void;
}

interface QueuedOp {
  readonly operation: string;
  readonly compute: Compute<unknown>;
  readonly resolve: (answer: ControllerAnswer<unknown>) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedMs: number;
}

/** Admin operations folded into one Raft entry at most. */
const opsPerEntryMax = 256;

export class OperationQueue {
  readonly #options: OperationQueueOptions;
  readonly #queue: QueuedOp[] = [];
  #running: Promise<void> | null = null;

  constructor(options: OperationQueueOptions) {
    this.#options = options;
  }

  /** Queues `compute` to run against the latest image as the active controller; answers after its commit. */
  submit<T>(operation: string, compute: Compute<T>): Promise<ControllerAnswer<T>> {
    return new Promise<ControllerAnswer<T>>((resolve, reject) => {
      this.#queue.push({
        operation,
        queuedMs: this.#options.clock.monotonicMs(),
        compute,
        resolve: resolve as (answer: ControllerAnswer<unknown>) => void,
        reject,
      });
      this.#running ??= this.#run().finally(() => {
        this.#running = null;
      });
    });
  }

  /** Resolves once every queued operation has answered. */
  async drained(): Promise<void> {
    while (this.#running !== null) await this.#running.catch(() => undefined);
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, opsPerEntryMax);
      if (!this.#options.isActive()) {
        const reply = notController(this.#options.leaderHint());
        for (const op of batch) op.resolve(reply);
        continue;
      }
      await this.#commit(batch);
    }
  }

  async #commit(batch: readonly QueuedOp[]): Promise<void> {
    let draft = this.#options.image();
    const records: MetadataRecord[] = [];
    const outcomes: { op: QueuedOp; value: unknown; lastOffset: bigint }[] = [];
    for (const op of batch) {
      try {
        const out = op.compute(draft);
        if (out.records.length > 0) {
          draft = replayBatch(draft, out.records, draft.lastOffset + BigInt(out.records.length));
          records.push(...out.records);
        }
        outcomes.push({ op, value: out.value, lastOffset: draft.lastOffset });
      } catch (error) {
        op.reject(error);
      }
    }
    if (records.length > 0) {
      try {
        await this.#options.propose(records);
      } catch (error) {
        const reply = notController(this.#options.leaderHint());
        for (const o of outcomes) {
          if (error instanceof NotControllerError) o.op.resolve(reply);
          else o.op.reject(error);
        }
        return;
      }
    }
    const now = this.#options.clock.monotonicMs();
    for (const o of outcomes) {
      if (records.length > 0) this.#options.committed?.(o.op.operation, (now - o.op.queuedMs) / 1000);
      o.op.resolve(answer(o.value, o.lastOffset));
    }
  }
}
