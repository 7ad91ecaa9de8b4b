/**
 * The shapes protobufjs produces for proto/raft.proto with the loader
 * options in load-protos.ts (camelCase fields, int64 as decimal strings,
 * enums as names, defaults filled in, bytes as Buffer). An enum number the
 * proto does not define arrives as a number, hence `string | number`.
 */
export interface EntryProto {
  term: string;
  index: string;
  type: string | number;
  data: Uint8Array;
}

export interface ConfStateProto {
  voters: number[];
  learners: number[];
}

export interface SnapshotMetadataProto {
  index: string;
  term: string;
  confState: ConfStateProto | null;
}

export interface SnapshotProto {
  metadata: SnapshotMetadataProto | null;
  data: Uint8Array;
}

export interface RaftMessageProto {
  type: string | number;
  from: number;
  to: number;
  term: string;
  logTerm: string;
  index: string;
  entries: EntryProto[];
  commit: string;
  reject: boolean;
  rejectHint: string;
  snapshot: SnapshotProto | null;
  leaderTransfer: boolean;
}

export interface RaftMessageBatchProto {
  messages: RaftMessageProto[];
}

export interface SendAckProto {
  accepted: string;
}
