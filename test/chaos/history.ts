/**
 * What a chaos run observed, as plain data for the checker: every send
 * attempt with its outcome, every record a consumer read, and the final
 * full read of every partition taken after the cluster healed.
 *
 * Values are unique integers chosen by the workload, so a value names one
 * send attempt; offsets are bigint like every Kafka int64.
 */

/** How one send ended, as the producer saw it. */
export type SendOutcome =
  | { kind: 'acked'; partition: number; offset: bigint }
  /** The client got a definite error: the write should not have happened (but a retried attempt may have landed). */
  | { kind: 'failed'; error: string }
  /** Timeout or broken connection: the write may or may not have happened. */
  | { kind: 'unknown'; error: string };

export interface SendAttempt {
  value: number;
  /** The partition the producer aimed at. */
  partition: number;
  outcome: SendOutcome;
  /**
   * The producer session that sent it (one client instance, one producer id
   * when idempotent): the unit within which acknowledged order is checked.
   */
  producer?: string;
}

/** One record seen at (partition, offset), by a consumer or the final read. */
export interface ReadRecord {
  partition: number;
  offset: bigint;
  value: number;
}

export interface History {
  sends: readonly SendAttempt[];
  /** Records the consumers read while faults were active. */
  reads: readonly ReadRecord[];
  /** Every record of every partition from offset 0, read after healing. */
  finalRead: readonly ReadRecord[];
}

/**
 * Collects a run's history while producers and consumers append to it.
 * Owned by the runner; the arrays only grow, and `snapshot()` hands the
 * checker copies so later appends cannot change a verdict.
 */
export class HistoryRecorder {
  readonly #sends: SendAttempt[] = [];
  readonly #reads: ReadRecord[] = [];
  readonly #finalRead: ReadRecord[] = [];
  #acks = 0;

  send(attempt: SendAttempt): void {
    this.#sends.push(attempt);
    if (attempt.outcome.kind === 'acked') this.#acks++;
  }

  read(record: ReadRecord): void {
    this.#reads.push(record);
  }

  final(record: ReadRecord): void {
    this.#finalRead.push(record);
  }

  get ackCount(): number {
    return this.#acks;
  }

  get readCount(): number {
    return this.#reads.length;
  }

  snapshot(): History {
    return { sends: [...this.#sends], reads: [...this.#reads], finalRead: [...this.#finalRead] };
  }
}
