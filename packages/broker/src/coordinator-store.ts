/**
 * What a coordinator's write to its internal topic can fail with, shared by
 * the group coordinator (`__consumer_offsets`) and the transaction
 * coordinator (`__transaction_state`): each write is appended as leader of
 * the topic's partition and resolves once committed (acks=all).
 */
import type { Result } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';

/**
 * Why a write did not commit: leadership of the partition moved or the
 * write could not reach min ISR (not_coordinator), the partition is
 * loading, no commit within the write timeout, a value over
 * max.message.bytes.
 */
export type StoreError = 'not_coordinator' | 'coordinator_load_in_progress' | 'timed_out' | 'record_too_large';

export type StoreResult = Result<void, StoreError>;

/**
 * A coordinator's append on behalf of a producer (a transactional offset
 * commit) may also find the producer fenced: an epoch older than the
 * partition knows (Kafka answers INVALID_PRODUCER_EPOCH).
 */
export type CoordinatorAppendError = StoreError | 'invalid_producer_epoch';

/** Store failures as the coordinator APIs report them (Kafka's mapping for group and transaction state writes). */
export function coordinatorWriteErrorCode(error: StoreError): number {
  switch (error) {
    case 'not_coordinator':
      return ErrorCode.NOT_COORDINATOR;
    case 'coordinator_load_in_progress':
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    case 'timed_out':
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case 'record_too_large':
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
