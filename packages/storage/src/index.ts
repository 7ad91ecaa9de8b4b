// Public entry of @runnel/storage.
export type { FileHandle, FileStat, FileSystem, ReadBuffer } from './file-system.ts';
export { nodeFileSystem } from './file-system.ts';
export type { FollowerAppendError, FollowerAppendResult, FollowerRefusal } from './follower-batches.ts';
export type { HandleCacheStats } from './handle-cache.ts';
export { HandleCache, LazyFile } from './handle-cache.ts';
export type { EpochEndOffset, EpochEntry } from './leader-epoch-cache.ts';
export { LeaderEpochCache, undefinedEpoch, undefinedEpochOffset } from './leader-epoch-cache.ts';
export { leaderEpochCheckpointFileName } from './leader-epoch-checkpoint.ts';
export type { CompactionResult, CompactionSkip, CompactionStats } from './log-cleaner.ts';
export type { LogConfig } from './log-config.ts';
export { defaultLogConfig } from './log-config.ts';
export { deleteSegmentsPastRetention, type OfflineRetentionResult } from './offline-retention.ts';
export type { AppendResult, ClientAppendResult, PartitionLogOptions, ReadResult } from './partition-log.ts';
export { PartitionLog } from './partition-log.ts';
export type { ClientBatchesCheck, ProducerAppendError, ProducerOrigin } from './producer-state/producer-checks.ts';
export type { BatchMetadata, ProducerBatch, ProducerEntry } from './producer-state/producer-entry.ts';
export { producerSnapshotFileName } from './producer-state/producer-state-store.ts';
export { type TxnVerification, VerificationGuard } from './producer-state/producer-state-table.ts';
// Test support: an in-memory file system with crash, torn-write and corruption faults.
export type { FaultableOperation, TornWrite } from './testing/faulty-file-system.ts';
export { FaultyFileSystem, SimulatedCrashError } from './testing/faulty-file-system.ts';
export type { TimestampLookup } from './timestamp-lookup.ts';
export { firstRecordAtOrAfter } from './timestamp-lookup.ts';
export { readWholeFile, replaceFile, tempPathFor } from './whole-file.ts';
