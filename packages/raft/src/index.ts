export { decodeConfChange, encodeConfChange, nextConfState } from './conf-change.ts';
export { MemoryStorage } from './memory-storage.ts';
export type { ProgressState } from './progress.ts';
export type {
  ConfChangeError,
  ProgressStatus,
  ProposeError,
  RaftStatus,
  TransferError,
} from './raw-node.ts';
export { RawNode } from './raw-node.ts';
export * from './types.ts';
