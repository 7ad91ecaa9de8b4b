/**
 * Kafka's rules for a producer's batches on the leader (KIP-98, KIP-360,
 * KIP-588), as a pure decision over the producer state the log holds just
 * before the append's offsets are assigned:
 *
 * - a batch without a producer id (-1) is not checked;
 * - a batch repeating one of the producer's last five batches (same epoch,
 *   same first and last sequence) is a duplicate: the append is answered
 *   with the original offsets and writes nothing;
 * - an epoch older than the producer's is INVALID_PRODUCER_EPOCH (Produce
 *   answers that, never PRODUCER_FENCED, since Kafka 2.7);
 * - a newer epoch must start at sequence 0, unless the partition knows no
 *   epoch for the producer;
 * - within the epoch, the first sequence must follow the last one stored
 *   (int32 wrap included), unless the partition had no state for the
 *   producer at all (its batches may have gone with retention or expiry):
 *   OUT_OF_ORDER_SEQUENCE_NUMBER. Kafka stopped answering
 *   UNKNOWN_PRODUCER_ID here with KIP-360 (2.5), and so does Runnel;
 * - a non-transactional batch while the producer's transaction is open is
 *   INVALID_TXN_STATE, and so is a transactional batch of a later epoch
 *   (its transaction cannot have started before the open one's marker,
 *   which would otherwise end both);
 * - with verification (KIP-890 part 1), a transactional batch that would
 *   open the producer's transaction here is INVALID_TXN_STATE unless its
 *   coordinator verified, for this append, that the partition is in the
 *   producer's ongoing transaction.
 *
 * A coordinator's batches for a producer (origin 'coordinator': the group
 * coordinator's transactional offset commits, which Kafka writes with
 * sequence -1) get the epoch and transaction checks only: no sequence
 * check and no duplicate lookup, since they carry no sequence to match.
 *
 * Several batches in one append are checked in order, each against the
 * state as the earlier ones would leave it; a refusal of any refuses all.
 * Kafka's Produce v3+ carries one batch per partition, so its rule for a
 * duplicate among new batches never matters there; Runnel accepts several,
 * and since an append is written whole or not at all, an honest retry
 * repeats all of its batches or none. A mix of duplicates and new batches
 * is refused as out of order rather than half-appended or half-answered.
 */
import {
  type BatchMetadata,
  emptyEntry,
  findDuplicate,
  inSequence,
  lastRetainedSequence,
  noProducerEpoch,
  type ProducerBatch,
  type ProducerEntry,
  withDataBatch,
} from './producer-entry.ts';

/** Who wrote a producer's batches: the producer itself, or a coordinator on its behalf (no sequences). */
export type ProducerOrigin = 'client' | 'coordinator';

/** Why the leader refused a producer's append (nothing of it was written). */
export type ProducerAppendError = 'out_of_order_sequence' | 'invalid_producer_epoch' | 'invalid_txn_state';

export type ClientBatchesCheck =
  | { readonly kind: 'append' }
  /** Every batch was already stored: the first one's first offset to the last one's last. */
  | {
      readonly kind: 'duplicate';
      readonly firstOffset: bigint;
      readonly lastOffset: bigint;
      readonly timestampMs: bigint;
    }
  | { readonly kind: 'refused'; readonly error: ProducerAppendError; readonly message: string };

/** A batch of the append with the offset it would be given. */
export interface PlacedProducerBatch extends ProducerBatch {
  readonly firstOffset: bigint;
}

/**
 * Checks an append's batches (in order) against `stored`, the producer
 * state of everything already in the log.
 */
export function checkClientBatches(
  stored: (producerId: bigint) => ProducerEntry | undefined,
  batches: Iterable<PlacedProducerBatch>,
  origin: ProducerOrigin = 'client',
  verified?: (producerId: bigint) => boolean,
): ClientBatchesCheck {
  const pending = new Map<bigint, ProducerEntry>();
  let duplicate: DuplicateRange | null = null;
  let fresh = false;
  for (const batch of batches) {
    const committed = batch.producerId < 0n ? undefined : stored(batch.producerId);
    const original = committed === undefined || origin === 'coordinator' ? null : findDuplicate(committed, batch);
    if (original !== null) {
      if (fresh) return mixed(batch);
      duplicate = extendDuplicate(duplicate, original);
      continue;
    }
    if (duplicate !== null) return mixed(batch);
    fresh = true;
    if (batch.producerId < 0n) continue;
    const current = pending.get(batch.producerId) ?? committed ?? emptyEntry(batch.producerId);
    const refusal = checkDataBatch(current, committed, batch, origin) ?? checkVerified(current, batch, verified);
    if (refusal !== null) return refusal;
    pending.set(batch.producerId, withDataBatch(current, batch, batch.firstOffset));
  }
  return duplicate === null ? { kind: 'append' } : { kind: 'duplicate', ...duplicate };
}

/**
 * One data batch against `current` (the producer as the batches before it
 * in this append leave it); `committed` is what the log held before the
 * append, whose absence lets any sequence start a producer.
 */
function checkDataBatch(
  current: ProducerEntry,
  committed: ProducerEntry | undefined,
  batch: PlacedProducerBatch,
  origin: ProducerOrigin,
): ClientBatchesCheck | null {
  const where = `producer ${batch.producerId} at offset ${batch.firstOffset}`;
  if (batch.epoch < current.epoch) {
    return refused(
      'invalid_producer_epoch',
      `epoch ${batch.epoch} of ${where} is older than its epoch ${current.epoch}`,
    );
  }
  // A coordinator's batch has no sequence; the epoch check above is what fences a zombie's commit.
  const outOfOrder = origin === 'client' ? checkSequence(current, committed, batch, where) : null;
  if (outOfOrder !== null) return outOfOrder;
  if (current.currentTxnFirstOffset !== null && !batch.transactional) {
    return refused(
      'invalid_txn_state',
      `non-transactional batch of ${where} while its transaction from offset ${current.currentTxnFirstOffset} is open`,
    );
  }
  if (current.currentTxnFirstOffset !== null && batch.epoch > current.epoch) {
    return refused(
      'invalid_txn_state',
      `batch of ${where} at epoch ${batch.epoch} while its transaction from offset ${current.currentTxnFirstOffset} at epoch ${current.epoch} is open`,
    );
  }
  return null;
}

/** The sequence rules of a producer's own batch (see the file comment). */
function checkSequence(
  current: ProducerEntry,
  committed: ProducerEntry | undefined,
  batch: PlacedProducerBatch,
  where: string,
): ClientBatchesCheck | null {
  if (batch.epoch !== current.epoch) {
    if (batch.baseSequence !== 0 && current.epoch !== noProducerEpoch) {
      return refused(
        'out_of_order_sequence',
        `new epoch ${batch.epoch} (was ${current.epoch}) of ${where} starts at sequence ${batch.baseSequence}, not 0`,
      );
    }
    return null;
  }
  const lastSeq = lastRetainedSequence(current);
  const knew = committed !== undefined && committed.epoch !== noProducerEpoch;
  if (knew && !inSequence(lastSeq, batch.baseSequence)) {
    return refused(
      'out_of_order_sequence',
      `sequence ${batch.baseSequence} of ${where} does not follow its last sequence ${lastSeq}`,
    );
  }
  return null;
}

/** A transactional batch opening the producer's transaction needs a verification that still holds. */
function checkVerified(
  current: ProducerEntry,
  batch: PlacedProducerBatch,
  verified: ((producerId: bigint) => boolean) | undefined,
): ClientBatchesCheck | null {
  if (verified === undefined || !batch.transactional) return null;
  if (current.currentTxnFirstOffset !== null && current.epoch === batch.epoch) return null;
  if (verified(batch.producerId)) return null;
  return refused(
    'invalid_txn_state',
    `transactional batch of producer ${batch.producerId} at offset ${batch.firstOffset} is not part of an ongoing transaction its coordinator verified`,
  );
}

interface DuplicateRange {
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly timestampMs: bigint;
}

/** The offsets answered for an append of several duplicates: the first one's start to the last one's end. */
function extendDuplicate(range: DuplicateRange | null, original: BatchMetadata): DuplicateRange {
  return {
    firstOffset: range?.firstOffset ?? original.firstOffset,
    lastOffset: original.lastOffset,
    timestampMs: range?.timestampMs ?? original.timestampMs,
  };
}

function refused(error: 'out_of_order_sequence' | 'invalid_producer_epoch' | 'invalid_txn_state', message: string) {
  return { kind: 'refused', error, message } as const;
}

function mixed(batch: PlacedProducerBatch): ClientBatchesCheck {
  return refused(
    'out_of_order_sequence',
    `append at offset ${batch.firstOffset} mixes batches already stored with new ones (producer ${batch.producerId})`,
  );
}
