/**
 * The producer state of one partition log: producer id -> ProducerEntry,
 * read from batch headers only (the one exception: a transaction marker's
 * coordinator epoch, read from its single control record).
 *
 * Owned by PartitionLog (through ProducerStateStore), which keeps it equal
 * to what its batches say: each stored batch is applied once, in offset
 * order, whoever wrote it (this broker as leader, a copy from the leader,
 * recovery replaying the log). Leader appends are checked first
 * (producer-checks.ts). Callers get entries, which are immutable.
 */
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  decodeRecordBatchesSync,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
} from '@runnel/protocol';
import {
  type ClientBatchesCheck,
  checkClientBatches,
  type PlacedProducerBatch,
  type ProducerOrigin,
} from './producer-checks.ts';
import { emptyEntry, type ProducerBatch, type ProducerEntry, withDataBatch, withMarker } from './producer-entry.ts';

/** The producer fields of the batch header at `pos`; null for a batch without a producer id. */
export function producerBatchAt(buf: Buffer, pos: number): ProducerBatch | null {
  const producerId = buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET);
  if (producerId < 0n) return null;
  return {
    producerId,
    epoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    maxTimestampMs: buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET),
    transactional: (buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & ATTRIBUTE_TRANSACTIONAL) !== 0,
  };
}

export function isControlBatchAt(buf: Buffer, pos: number): boolean {
  return (buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) !== 0;
}

/** A transaction a marker just ended: [firstOffset, lastOffset = the marker's offset]. */
export interface CompletedTxn {
  readonly producerId: bigint;
  /** The transaction's first offset; the marker's own when the state knew of no open transaction. */
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly aborted: boolean;
}

export class ProducerStateTable {
  readonly #entries = new Map<bigint, ProducerEntry>();
  /**
   * Producer id -> first offset of its open transaction, for the producers
   * that have one: kept beside #entries so the last stable offset (asked on
   * every fetch) looks at open transactions only, not every producer.
   */
  readonly #openTxns = new Map<bigint, bigint>();
  /**
   * KIP-890 part 1: producer id -> the guard of a verification with the
   * transaction coordinator in progress or done, for producers with no
   * open transaction here. Dropped when the producer's transaction opens
   * or closes, so a verification that a marker overtook no longer admits
   * the batch it was made for. Memory only, like Kafka's.
   */
  readonly #guards = new Map<bigint, VerificationGuard>();
  /**
   * Transactions a marker ended, in marker order, until the high watermark
   * passes the marker (Kafka's unreplicated transactions): until then they
   * still hold the last stable offset. The table closes a transaction
   * before its abort's index entry is durable (an awaited write) and before
   * the marker is written or replicated; a read_committed fetch in that
   * window would otherwise be given the aborted records as stable with no
   * aborted transaction to drop them by.
   */
  readonly #ending: { firstOffset: bigint; lastOffset: bigint }[] = [];

  get size(): number {
    return this.#entries.size;
  }

  get(producerId: bigint): ProducerEntry | undefined {
    return this.#entries.get(producerId);
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.#entries.values();
  }

  /**
   * Kafka's checks for a client's batches (whole, validated, no control
   * batch) about to be stored from `nextOffset` on. Reads headers only;
   * allocates nothing for batches without a producer id.
   */
  check(
    buf: Buffer,
    nextOffset: bigint,
    origin: ProducerOrigin = 'client',
    verification?: TxnVerification,
  ): ClientBatchesCheck {
    if (!hasProducerId(buf)) return { kind: 'append' };
    const placed: PlacedProducerBatch[] = [];
    let offset = nextOffset;
    for (let pos = 0; pos < buf.length; pos += LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET)) {
      const batch = producerBatchAt(buf, pos) ?? anonymousBatch;
      placed.push({ ...batch, firstOffset: offset });
      offset += BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET)) + 1n;
    }
    const verified =
      verification === undefined
        ? undefined
        : (id: bigint) => verification.guard !== null && this.#guards.get(id) === verification.guard;
    return checkClientBatches((id) => this.#entries.get(id), placed, origin, verified);
  }

  /**
   * The guard a Produce carries through its verification with the
   * coordinator: the one already started for this producer, or a new one.
   * Null when the producer has a transaction open here at `producerEpoch`
   * (no verification needed: its batches join that transaction). A batch
   * of a later epoch belongs to a later transaction (transaction version 2
   * raises the epoch at every end), so it is verified even while the
   * earlier one's marker has not arrived yet.
   */
  verificationGuard(producerId: bigint, producerEpoch: number): VerificationGuard | null {
    const entry = this.#entries.get(producerId);
    if (entry?.currentTxnFirstOffset != null && entry.epoch === producerEpoch) return null;
    let guard = this.#guards.get(producerId);
    if (guard === undefined) {
      guard = new VerificationGuard(producerId);
      this.#guards.set(producerId, guard);
    }
    return guard;
  }

  /**
   * Takes the stored batch at `pos` of `buf` (its baseOffset final) as
   * replication does: no checks. A control batch must be whole in `buf`;
   * the transaction it ends is returned (null for data batches).
   */
  applyStoredBatch(buf: Buffer, pos: number): CompletedTxn | null {
    const producerId = buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET);
    if (producerId < 0n) return null;
    const firstOffset = buf.readBigInt64BE(pos + BASE_OFFSET_OFFSET);
    const entry = this.#entries.get(producerId) ?? emptyEntry(producerId);
    if (!isControlBatchAt(buf, pos)) {
      const batch = producerBatchAt(buf, pos);
      if (batch !== null) this.#set(withDataBatch(entry, batch, firstOffset));
      return null;
    }
    // A control batch emptied by compaction no longer says anything (as in Kafka).
    if (buf.readInt32BE(pos + RECORD_COUNT_OFFSET) === 0) return null;
    // A marker ends whatever transaction a verification in progress was for.
    this.#guards.delete(producerId);
    const sizeBytes = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    const marker = readMarker(buf.subarray(pos, pos + sizeBytes));
    if (entry.currentTxnFirstOffset !== null) {
      this.#ending.push({ firstOffset: entry.currentTxnFirstOffset, lastOffset: firstOffset });
    }
    this.#set(
      withMarker(entry, {
        epoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
        timestampMs: buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET),
        coordinatorEpoch: marker.coordinatorEpoch,
      }),
    );
    return {
      producerId,
      firstOffset: entry.currentTxnFirstOffset ?? firstOffset,
      lastOffset: firstOffset,
      aborted: marker.type === 'abort',
    };
  }

  /**
   * First offset of the earliest open transaction, null when none is open:
   * the last stable offset is never above it. Looks at open transactions
   * only (a handful), however many idempotent producers the table holds.
   */
  firstUnstableOffset(): bigint | null {
    let first: bigint | null = null;
    for (const txn of this.#openTxns.values()) if (first === null || txn < first) first = txn;
    return first;
  }

  /**
   * The last stable offset under `highWatermark`: held back to the first
   * offset of the earliest open transaction, and of the earliest ended one
   * whose marker is at or above the high watermark (not known replicated).
   * Forgets ended transactions whose markers are below it: high watermarks
   * only grow between truncations, and a truncation rebuilds the table.
   */
  lastStableOffset(highWatermark: bigint): bigint {
    while ((this.#ending[0]?.lastOffset ?? highWatermark) < highWatermark) this.#ending.shift();
    let stable = highWatermark;
    const open = this.firstUnstableOffset();
    if (open !== null && open < stable) stable = open;
    for (const txn of this.#ending) if (txn.firstOffset < stable) stable = txn.firstOffset;
    return stable;
  }

  /**
   * Forgets producers idle for `expirationMs` or longer (by their last
   * batch's timestamp) with no open transaction, as Kafka's
   * producer.id.expiration.ms does. Returns how many went.
   */
  expire(nowMs: bigint, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.currentTxnFirstOffset === null && nowMs - entry.lastTimestampMs >= BigInt(expirationMs)) {
        this.#entries.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Replaces the whole table (a loaded snapshot). */
  replace(entries: Iterable<ProducerEntry>): void {
    this.clear();
    for (const entry of entries) this.#set(entry);
  }

  clear(): void {
    this.#entries.clear();
    this.#openTxns.clear();
    this.#guards.clear();
    this.#ending.length = 0;
  }

  /** Every change of an entry goes through here, so #openTxns (and #guards) follow #entries. */
  #set(entry: ProducerEntry): void {
    const before = this.#entries.get(entry.producerId);
    if ((before?.currentTxnFirstOffset ?? null) !== entry.currentTxnFirstOffset) this.#guards.delete(entry.producerId);
    this.#entries.set(entry.producerId, entry);
    if (entry.currentTxnFirstOffset === null) this.#openTxns.delete(entry.producerId);
    else this.#openTxns.set(entry.producerId, entry.currentTxnFirstOffset);
  }
}

/**
 * One verification of a producer's transaction with its coordinator
 * (KIP-890 part 1): an append that would open the producer's transaction
 * here must carry the guard the table still holds for it.
 */
export class VerificationGuard {
  readonly producerId: bigint;

  constructor(producerId: bigint) {
    this.producerId = producerId;
  }
}

/**
 * How a client's append is verified: undefined when the caller does not
 * verify (verification switched off, a coordinator's own write); else the
 * guard it verified with (null: none — a batch opening a transaction is
 * then refused).
 */
export interface TxnVerification {
  readonly guard: VerificationGuard | null;
}

/** Stands for a batch without a producer id among idempotent ones. */
const anonymousBatch: ProducerBatch = {
  producerId: -1n,
  epoch: -1,
  baseSequence: -1,
  lastOffsetDelta: 0,
  maxTimestampMs: -1n,
  transactional: false,
};

function hasProducerId(buf: Buffer): boolean {
  for (let pos = 0; pos < buf.length; pos += LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET)) {
    if (buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET) >= 0n) return true;
  }
  return false;
}

/**
 * A transaction marker's one control record: key (version int16, type
 * int16: 0 abort, 1 commit), value (version int16, coordinatorEpoch int32).
 * A coordinator epoch it cannot read is null and the marker still ends the
 * transaction; so does an unreadable type, taken as a commit (as Kafka's
 * readers do with a control record type they do not know).
 */
function readMarker(batch: Buffer): { type: 'abort' | 'commit'; coordinatorEpoch: number | null } {
  try {
    const record = decodeRecordBatchesSync(batch)[0]?.records[0];
    const key = record?.key;
    const value = record?.value;
    return {
      type: key !== undefined && key !== null && key.length >= 4 && key.readInt16BE(2) === 0 ? 'abort' : 'commit',
      coordinatorEpoch: value !== undefined && value !== null && value.length >= 6 ? value.readInt32BE(2) : null,
    };
  } catch {
    return { type: 'commit', coordinatorEpoch: null };
  }
}
