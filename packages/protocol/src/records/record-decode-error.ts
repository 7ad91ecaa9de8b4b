import type { BatchValidationError } from './batch-validate.ts';

/**
 * Thrown by decodeRecordBatches / decodeRecordBatchesSync and the record
 * reader when the bytes are not a well-formed v2 batch. `reason` is the same
 * closed set validateRecordBatches returns, so a caller maps both to Kafka
 * error codes in one place. Owned by the caller; nothing partial is returned.
 */
export class RecordBatchDecodeError extends Error {
  override name = 'RecordBatchDecodeError';
  readonly reason: BatchValidationError;
  constructor(reason: BatchValidationError, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
