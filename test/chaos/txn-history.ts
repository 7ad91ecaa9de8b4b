/**
 * What a transactional chaos run observed, as plain data for the
 * transactional checker (txn-checker.ts): every transaction a producer ran
 * (its writes, the input offsets it committed, how it ended), every record a
 * read_committed consumer returned, the final read_committed read of every
 * partition after healing, and the copier group's committed offsets then.
 *
 * Two workloads share it. Transactional list-append: each transaction
 * appends fresh write ids to a few partitions. Read-process-write copier:
 * each transaction consumes input records, writes one output record per
 * input record (its `source` names the input write it copies) and commits
 * the input offsets with sendOffsetsToTransaction.
 *
 * Write ids are unique integers across the whole run, chosen by the driver,
 * so an id names one write of one transaction. Partitions are named
 * `<topic>/<partition>`. Offsets are bigint like every Kafka int64.
 */

/** How a transaction ended, as the producer saw it. */
export type TxnOutcome =
  /** EndTxn(commit) succeeded: every write is acknowledged and must be read exactly once. */
  | 'committed'
  /** The driver aborted it and EndTxn(abort) succeeded, or it failed before any commit was asked for. */
  | 'aborted'
  /** Commit asked for, answer never came (timeout, broken connection, fenced after asking). */
  | 'unknown';

export interface TxnWrite {
  id: number;
  /** `<topic>/<partition>`. */
  partition: string;
  /** The offset the Produce acknowledgement gave, when it came. */
  ackedOffset?: bigint;
  /** For the copier: the id of the input write this record copies. */
  source?: number;
}

export interface TxnOp {
  /** Unique per transaction. */
  txn: string;
  /**
   * The transactional id. The driver runs one producer per transactional id,
   * and starts a transaction only after the previous one ended, so the
   * order of a producer's transactions in `History.txns` is their real order.
   */
  producer: string;
  /** In the order they were sent. */
  writes: readonly TxnWrite[];
  /** For the copier: the input positions committed with this transaction (the next offset to read, as Kafka commits them). */
  offsets?: readonly { partition: string; offset: bigint }[];
  outcome: TxnOutcome;
  /** Wall-clock start and end (ms) and the error that ended it, for post-mortems only: the checker ignores them. */
  startMs?: number;
  endMs?: number;
  error?: string;
}

/** One record seen at (partition, offset) by a read_committed consumer or the final read. */
export interface TxnRead {
  /**
   * The reader session: one consumer instance between two seeks. Within a
   * session, reads of one partition are in the order the consumer returned them.
   */
  reader: string;
  partition: string;
  offset: bigint;
  id: number;
  source?: number;
}

export interface TxnHistory {
  txns: readonly TxnOp[];
  /** Records read_committed consumers returned while faults were active, in the order returned. */
  reads: readonly TxnRead[];
  /** Every partition of every topic from offset 0 to its end, read_committed, after healing. */
  finalRead: readonly TxnRead[];
  /** The copier group's committed offsets after healing (empty when the copier did not run). */
  committedOffsets: readonly { partition: string; offset: bigint }[];
}
