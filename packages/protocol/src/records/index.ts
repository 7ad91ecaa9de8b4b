// Public API of the record batch v2 layer: header layout, produce-path and
// log-scan validation, full encode/decode, CRC-32C and compression codecs.
export type { DecodedBatch, DecodeRecordBatchesOptions, EncodeRecordBatchOptions } from './batch-codec.ts';
export {
  decodeRecordBatches,
  decodeRecordBatchesSync,
  encodeRecordBatch,
  encodeRecordBatchSync,
} from './batch-codec.ts';
export type { RecordBatchHeader, TimestampType } from './batch-header.ts';
export {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_DELETE_HORIZON,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTE_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_COVERED_FROM,
  CRC_OFFSET,
  CURRENT_MAGIC,
  compressionOf,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PRODUCER_ID,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  readBatchHeader,
  timestampType,
  writeBaseOffset,
  writeBatchCrc,
  writeLogAppendTime,
  writePartitionLeaderEpoch,
} from './batch-header.ts';
export type { BatchSummary, BatchValidationError, LogScan, ValidatedBatches } from './batch-validate.ts';
export { scanLogBatches, validateRecordBatches } from './batch-validate.ts';
export type { InflateOutcome, InflateSink } from './bounded-inflate.ts';
export { INFLATE_CHUNK_BYTES, InflateBudget, inflateInto } from './bounded-inflate.ts';
export type { CompressionCodec, CompressionFailure, CompressOptions, DecompressOptions } from './compression.ts';
export {
  COMPRESSION_CODEC_IDS,
  CompressionError,
  codecFromId,
  codecId,
  compress,
  compressSync,
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  decompress,
  decompressSync,
} from './compression.ts';
export { crc32c } from './crc32c.ts';
export type {
  ProducedBatchContext,
  ProducedBatchError,
  ProducedBatchRefusal,
  ProducedBatchVerdict,
} from './produced-batch-validate.ts';
export { validateProducedBatch, validateProducedBatchSync } from './produced-batch-validate.ts';
export type { DecodedRecord, KafkaRecord, RecordHeader } from './record.ts';
export { RecordBatchDecodeError } from './record-decode-error.ts';
export type { RecordCheckRules, RecordError } from './record-stream-check.ts';
export { RECORD_ERRORS_MAX, RecordStreamCheck } from './record-stream-check.ts';
export type { TxnMarkerType } from './txn-marker.ts';
export { decodeTxnMarkerType, encodeTxnMarkerBatch, encodeTxnMarkerKey, encodeTxnMarkerValue } from './txn-marker.ts';
