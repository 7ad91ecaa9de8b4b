import type { Message, MessageType } from '@runnel/raft';
import { describe, expect, it } from 'vitest';
import type { RaftMessageBatchProto, RaftMessageProto, SendAckProto } from '../src/generated/raft-proto.ts';
import { protoMessageType, raftServiceName, rpcMethod } from '../src/load-protos.ts';
import { raftMessageFromProto, raftMessageToProto } from '../src/raft-message-codec.ts';
import { message } from './raft-fixtures.ts';

const allTypes: MessageType[] = [
  'pre-vote',
  'pre-vote-response',
  'vote',
  'vote-response',
  'append',
  'append-response',
  'heartbeat',
  'heartbeat-response',
  'snapshot',
  'timeout-now',
];

const messageType = protoMessageType<RaftMessageProto>('runnel.raft.v1.RaftMessage');

/** Through real protobuf bytes, as the wire carries it. */
function throughBytes(proto: RaftMessageProto): RaftMessageProto {
  return messageType.deserialize(messageType.serialize(proto));
}

function roundTrip(m: Message): Message {
  const decoded = raftMessageFromProto(throughBytes(raftMessageToProto(m)));
  if (!decoded.ok) throw new Error(`decode failed: ${decoded.message}`);
  return decoded.value;
}

function normalize(m: Message): unknown {
  return {
    ...m,
    entries: m.entries.map((e) => ({ ...e, data: [...e.data] })),
    snapshot: m.snapshot === null ? null : { ...m.snapshot, data: [...m.snapshot.data] },
  };
}

describe('raft message codec', () => {
  it.each(allTypes)('a %s message round-trips through protobuf bytes unchanged', (type) => {
    const m = message({ type, reject: type.endsWith('response'), rejectHint: 7 });
    expect(normalize(roundTrip(m))).toEqual(normalize(m));
  });

  it('entries keep term, index, type and data bytes, in order', () => {
    const m = message({
      entries: [
        { term: 3, index: 11, type: 'normal', data: new Uint8Array([1, 2, 3]) },
        { term: 3, index: 12, type: 'conf-change', data: new Uint8Array([0xff]) },
        { term: 4, index: 13, type: 'normal', data: new Uint8Array() },
      ],
    });
    expect(normalize(roundTrip(m))).toEqual(normalize(m));
  });

  it('a snapshot keeps its metadata, conf state and data bytes', () => {
    const m = message({
      type: 'snapshot',
      snapshot: {
        metadata: { index: 500, term: 7, confState: { voters: [1, 2, 3], learners: [4] } },
        data: new Uint8Array(100_000).fill(0xab),
      },
    });
    expect(normalize(roundTrip(m))).toEqual(normalize(m));
  });

  it('the leader-transfer flag on a vote request survives the wire', () => {
    const m = message({ type: 'vote', leaderTransfer: true });
    expect(roundTrip(m).leaderTransfer).toBe(true);
    expect(roundTrip(message({ type: 'vote' })).leaderTransfer).toBeUndefined();
  });

  it('terms and indexes at 2^53-1 and node ids at 2^32-1 round-trip exactly', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const m = message({
      from: 0xffff_ffff,
      to: 0,
      term: max,
      logTerm: max,
      index: max,
      commit: max,
      rejectHint: max,
      entries: [{ term: max, index: max, type: 'normal', data: new Uint8Array([0]) }],
      snapshot: {
        metadata: { index: max, term: max, confState: { voters: [], learners: [] } },
        data: new Uint8Array(),
      },
    });
    expect(normalize(roundTrip(m))).toEqual(normalize(m));
  });

  it('a term above 2^53 from the wire is malformed_message, not a rounded number', () => {
    const proto = { ...raftMessageToProto(message({})), term: '9007199254740993' };
    const decoded = raftMessageFromProto(throughBytes(proto));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toBe('malformed_message');
  });

  it('an unknown message type or entry type is malformed_message', () => {
    const base = raftMessageToProto(
      message({ entries: [{ term: 1, index: 1, type: 'normal', data: new Uint8Array() }] }),
    );
    expect(raftMessageFromProto({ ...base, type: 'MESSAGE_TYPE_UNSPECIFIED' }).ok).toBe(false);
    expect(raftMessageFromProto({ ...base, type: 42 }).ok).toBe(false);
    const badEntry = { ...base, entries: base.entries.map((e) => ({ ...e, type: 99 })) };
    expect(raftMessageFromProto(badEntry).ok).toBe(false);
  });

  it('a snapshot without metadata is malformed_message', () => {
    const base = raftMessageToProto(message({ type: 'snapshot' }));
    expect(raftMessageFromProto({ ...base, snapshot: { metadata: null, data: new Uint8Array() } }).ok).toBe(false);
  });

  it('encoding a negative term is a bug and asserts', () => {
    expect(() => raftMessageToProto(message({ term: -1 }))).toThrow(/uint64/);
  });

  it('the Send method is client-streaming with the batch and ack shapes', () => {
    const method = rpcMethod<RaftMessageBatchProto, SendAckProto>(raftServiceName, 'Send');
    expect(method.path).toBe('/runnel.raft.v1.RaftTransport/Send');
  });
});
