/**
 * Raft `Message` <-> proto/raft.proto `RaftMessage`. Pure functions.
 * Encoding trusts its input (it comes from our own Raft core; a value that
 * does not fit is a bug and asserts). Decoding does not: bytes from the
 * network are checked field by field and a bad message is an error value.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ConfState, Entry, EntryType, Message, MessageType, Snapshot } from '@runnel/raft';
import type { EntryProto, RaftMessageProto, SnapshotProto } from './generated/raft-proto.ts';
import { uint32ToWire, uint64FromWire, uint64ToWire } from './wire-int64.ts';

export type RaftDecodeError = 'malformed_message';

const messageTypeToWire = {
  'pre-vote': 'MESSAGE_TYPE_PRE_VOTE',
  'pre-vote-response': 'MESSAGE_TYPE_PRE_VOTE_RESPONSE',
  vote: 'MESSAGE_TYPE_VOTE',
  'vote-response': 'MESSAGE_TYPE_VOTE_RESPONSE',
  append: 'MESSAGE_TYPE_APPEND',
  'append-response': 'MESSAGE_TYPE_APPEND_RESPONSE',
  heartbeat: 'MESSAGE_TYPE_HEARTBEAT',
  'heartbeat-response': 'MESSAGE_TYPE_HEARTBEAT_RESPONSE',
  snapshot: 'MESSAGE_TYPE_SNAPSHOT',
  'timeout-now': 'MESSAGE_TYPE_TIMEOUT_NOW',
} as const satisfies Record<MessageType, string>;

const messageTypeFromWire = new Map<string | number, MessageType>(
  Object.entries(messageTypeToWire).map(([type, wire]) => [wire, type as MessageType]),
);

const entryTypeToWire = {
  normal: 'ENTRY_TYPE_NORMAL',
  'conf-change': 'ENTRY_TYPE_CONF_CHANGE',
} as const satisfies Record<EntryType, string>;

const entryTypeFromWire = new Map<string | number, EntryType>(
  Object.entries(entryTypeToWire).map(([type, wire]) => [wire, type as EntryType]),
);

export function raftMessageToProto(message: Message): RaftMessageProto {
  return {
    type: messageTypeToWire[message.type],
    from: uint32ToWire(message.from),
    to: uint32ToWire(message.to),
    term: uint64ToWire(message.term),
    logTerm: uint64ToWire(message.logTerm),
    index: uint64ToWire(message.index),
    entries: message.entries.map(entryToProto),
    commit: uint64ToWire(message.commit),
    reject: message.reject,
    rejectHint: uint64ToWire(message.rejectHint),
    snapshot: message.snapshot === null ? null : snapshotToProto(message.snapshot),
    leaderTransfer: message.leaderTransfer === true,
  };
}

export function entryToProto(entry: Entry): EntryProto {
  return {
    term: uint64ToWire(entry.term),
    index: uint64ToWire(entry.index),
    type: entryTypeToWire[entry.type],
    data: entry.data,
  };
}

export function snapshotToProto(snapshot: Snapshot): SnapshotProto {
  const { metadata } = snapshot;
  return {
    metadata: {
      index: uint64ToWire(metadata.index),
      term: uint64ToWire(metadata.term),
      confState: {
        voters: metadata.confState.voters.map(uint32ToWire),
        learners: metadata.confState.learners.map(uint32ToWire),
      },
    },
    data: snapshot.data,
  };
}

export function raftMessageFromProto(proto: RaftMessageProto): Result<Message, RaftDecodeError> {
  const type = messageTypeFromWire.get(proto.type);
  if (type === undefined) return err('malformed_message', `unknown message type ${proto.type}`);
  const entries: Entry[] = [];
  for (const e of proto.entries) {
    const entry = entryFromProto(e);
    if (!entry.ok) return entry;
    entries.push(entry.value);
  }
  let snapshot: Snapshot | null = null;
  if (proto.snapshot !== null) {
    const decoded = snapshotFromProto(proto.snapshot);
    if (!decoded.ok) return decoded;
    snapshot = decoded.value;
  }
  const term = uint64FromWire(proto.term);
  const logTerm = uint64FromWire(proto.logTerm);
  const index = uint64FromWire(proto.index);
  const commit = uint64FromWire(proto.commit);
  const rejectHint = uint64FromWire(proto.rejectHint);
  if (term === null || logTerm === null || index === null || commit === null || rejectHint === null) {
    return err('malformed_message', 'a term or index is above 2^53');
  }
  const message: Message = {
    type,
    from: proto.from,
    to: proto.to,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject: proto.reject,
    rejectHint,
    snapshot,
  };
  return ok(proto.leaderTransfer === true ? { ...message, leaderTransfer: true } : message);
}

export function entryFromProto(proto: EntryProto): Result<Entry, RaftDecodeError> {
  const type = entryTypeFromWire.get(proto.type);
  if (type === undefined) return err('malformed_message', `unknown entry type ${proto.type}`);
  const term = uint64FromWire(proto.term);
  const index = uint64FromWire(proto.index);
  if (term === null || index === null) return err('malformed_message', 'an entry term or index is above 2^53');
  return ok({ term, index, type, data: proto.data });
}

export function snapshotFromProto(proto: SnapshotProto): Result<Snapshot, RaftDecodeError> {
  if (proto.metadata === null) return err('malformed_message', 'snapshot without metadata');
  const index = uint64FromWire(proto.metadata.index);
  const term = uint64FromWire(proto.metadata.term);
  if (index === null || term === null) return err('malformed_message', 'snapshot term or index is above 2^53');
  const confState: ConfState = {
    voters: proto.metadata.confState?.voters ?? [],
    learners: proto.metadata.confState?.learners ?? [],
  };
  return ok({ metadata: { index, term, confState }, data: proto.data });
}
