/**
 * ReplicaFetch requests and responses <-> their proto shapes. Decoding
 * checks what protobuf cannot (UUID text, known enum names, ranges) so the
 * broker only ever sees well-formed values; encoding an out-of-range value
 * is a bug and asserts. Record bytes are never copied here:
 * replicaFetchResponseParts sends them as views.
 */
import type { Result } from '@runnel/common';
import { assert, brokerId, err, leaderEpoch, offset, ok, partitionId } from '@runnel/common';
import { isUuid } from '@runnel/metadata';
import type {
  PartitionDataProto,
  PartitionFetchProto,
  ReplicaFetchRequestProto,
  ReplicaFetchResponseProto,
} from './generated/replica-fetch-proto.ts';
import type { ProtoMessageType } from './load-protos.ts';
import { protoMessageType } from './load-protos.ts';
import type {
  ReplicaFetchDecodeError,
  ReplicaFetchPartitionError,
  ReplicaFetchPartitionRequest,
  ReplicaFetchPartitionResponse,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from './replica-fetch-types.ts';
import { int64FromWire, int64ToWire, uint64FromWire, uint64ToWire } from './wire-int64.ts';

/** A request or response together with the stream-local id that pairs them. */
export interface Numbered<T> {
  readonly requestId: number;
  readonly value: T;
}

const errorNames = {
  none: 'PARTITION_FETCH_ERROR_NONE',
  not_leader: 'PARTITION_FETCH_ERROR_NOT_LEADER',
  fenced_leader_epoch: 'PARTITION_FETCH_ERROR_FENCED_LEADER_EPOCH',
  unknown_leader_epoch: 'PARTITION_FETCH_ERROR_UNKNOWN_LEADER_EPOCH',
  offset_out_of_range: 'PARTITION_FETCH_ERROR_OFFSET_OUT_OF_RANGE',
  unknown_partition: 'PARTITION_FETCH_ERROR_UNKNOWN_PARTITION',
} as const satisfies Record<ReplicaFetchPartitionError, string>;

const errorsByProtoName = new Map<string | number, ReplicaFetchPartitionError>(
  Object.entries(errorNames).map(([name, protoName]) => [protoName, name as ReplicaFetchPartitionError]),
);

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;

function isInt32(value: number, min = int32Min): boolean {
  return Number.isInteger(value) && value >= min && value <= int32Max;
}

function int32ToWire(value: number, what: string, min = int32Min): number {
  assert(isInt32(value, min), `${what} out of range: ${value}`);
  return value;
}

function malformed(what: string): { ok: false; error: ReplicaFetchDecodeError; message?: string } {
  return err('malformed_message', what);
}

export function replicaFetchRequestToProto(requestId: number, request: ReplicaFetchRequest): ReplicaFetchRequestProto {
  return {
    requestId: uint64ToWire(requestId),
    replicaId: int32ToWire(request.replicaId, 'replica id', 0),
    brokerEpoch: int64ToWire(request.brokerEpoch),
    maxWaitMs: int32ToWire(request.maxWaitMs, 'max wait ms', 0),
    minBytes: int32ToWire(request.minBytes, 'min bytes', 0),
    maxBytes: int32ToWire(request.maxBytes, 'max bytes', 0),
    partitions: request.partitions.map(partitionFetchToProto),
  };
}

function partitionFetchToProto(p: ReplicaFetchPartitionRequest): PartitionFetchProto {
  assert(isUuid(p.topicId), `topic id is not a UUID: ${p.topicId}`);
  return {
    topicId: p.topicId,
    partition: int32ToWire(p.partition, 'partition', 0),
    fetchOffset: int64ToWire(p.fetchOffset),
    lastFetchedEpoch: int32ToWire(p.lastFetchedEpoch, 'last fetched epoch', -1),
    currentLeaderEpoch: int32ToWire(p.currentLeaderEpoch, 'current leader epoch', -1),
    logStartOffset: int64ToWire(p.logStartOffset),
  };
}

export function replicaFetchRequestFromProto(
  proto: ReplicaFetchRequestProto,
): Result<Numbered<ReplicaFetchRequest>, ReplicaFetchDecodeError> {
  const requestId = uint64FromWire(proto.requestId);
  if (requestId === null) return malformed(`request id ${proto.requestId} is not a safe integer`);
  if (!isInt32(proto.replicaId, 0)) return malformed(`replica id ${proto.replicaId}`);
  if (!isInt32(proto.maxWaitMs, 0) || !isInt32(proto.minBytes, 0) || !isInt32(proto.maxBytes, 0)) {
    return malformed('negative max wait, min bytes or max bytes');
  }
  const partitions: ReplicaFetchPartitionRequest[] = [];
  for (const p of proto.partitions) {
    if (!isUuid(p.topicId)) return malformed(`topic id ${JSON.stringify(p.topicId)} is not a UUID`);
    if (!isInt32(p.partition, 0)) return malformed(`partition ${p.partition}`);
    if (!isInt32(p.lastFetchedEpoch, -1) || !isInt32(p.currentLeaderEpoch, -1)) {
      return malformed(`epochs ${p.lastFetchedEpoch}/${p.currentLeaderEpoch} below -1`);
    }
    partitions.push({
      topicId: p.topicId,
      partition: partitionId(p.partition),
      fetchOffset: offset(int64FromWire(p.fetchOffset)),
      lastFetchedEpoch: leaderEpoch(p.lastFetchedEpoch),
      currentLeaderEpoch: leaderEpoch(p.currentLeaderEpoch),
      logStartOffset: offset(int64FromWire(p.logStartOffset)),
    });
  }
  return ok({
    requestId,
    value: {
      replicaId: brokerId(proto.replicaId),
      brokerEpoch: int64FromWire(proto.brokerEpoch),
      maxWaitMs: proto.maxWaitMs,
      minBytes: proto.minBytes,
      maxBytes: proto.maxBytes,
      partitions,
    },
  });
}

export function replicaFetchResponseToProto(
  requestId: number,
  response: ReplicaFetchResponse,
): ReplicaFetchResponseProto {
  return { requestId: uint64ToWire(requestId), partitions: response.partitions.map(partitionDataToProto) };
}

function partitionDataToProto(p: ReplicaFetchPartitionResponse): PartitionDataProto {
  assert(isUuid(p.topicId), `topic id is not a UUID: ${p.topicId}`);
  const diverging = p.divergingEpoch;
  return {
    topicId: p.topicId,
    partition: int32ToWire(p.partition, 'partition', 0),
    error: errorNames[p.error],
    highWatermark: int64ToWire(p.highWatermark),
    logStartOffset: int64ToWire(p.logStartOffset),
    logEndOffset: int64ToWire(p.logEndOffset),
    divergingEpoch:
      diverging === null
        ? null
        : { epoch: int32ToWire(diverging.epoch, 'diverging epoch', -1), endOffset: int64ToWire(diverging.endOffset) },
    // replicaFetchResponseParts sends these bytes as they are; the object form (tests, tools) carries the view.
    records: p.records,
  };
}

const partitionDataType = lazyMessageType<PartitionDataProto>('runnel.replica.v1.PartitionData');
const emptyRecords = Buffer.alloc(0);

/**
 * The protobuf encoding of a ReplicaFetchResponse as a list of buffers whose
 * concatenation is the message: each partition's small fields encoded by
 * protobufjs, its records appended as a view of the caller's bytes. The
 * records are never copied in JavaScript: they go to the socket from the
 * log's (or the request frame's) own memory.
 */
export function replicaFetchResponseParts(requestId: number, response: ReplicaFetchResponse): Buffer[] {
  const parts: Buffer[] = [];
  const head = [0x08, ...varint(requestId)];
  parts.push(Buffer.from(head));
  for (const p of response.partitions) {
    const fields = partitionDataType().serialize({ ...partitionDataToProto(p), records: emptyRecords });
    const recordsHead = p.records.length === 0 ? [] : [0x42, ...varint(p.records.length)];
    const length = fields.length + recordsHead.length + p.records.length;
    parts.push(Buffer.from([0x12, ...varint(length)]), fields);
    if (p.records.length > 0) parts.push(Buffer.from(recordsHead), p.records);
  }
  return parts;
}

/** Base-128 varint of a non-negative safe integer. */
function varint(value: number): number[] {
  assert(Number.isSafeInteger(value) && value >= 0, `varint of ${value}`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

function lazyMessageType<T>(name: string): () => ProtoMessageType<T> {
  let type: ProtoMessageType<T> | undefined;
  return () => {
    type ??= protoMessageType<T>(name);
    return type;
  };
}

export function replicaFetchResponseFromProto(
  proto: ReplicaFetchResponseProto,
): Result<Numbered<ReplicaFetchResponse>, ReplicaFetchDecodeError> {
  const requestId = uint64FromWire(proto.requestId);
  if (requestId === null) return malformed(`request id ${proto.requestId} is not a safe integer`);
  const partitions: ReplicaFetchPartitionResponse[] = [];
  for (const p of proto.partitions) {
    const error = errorsByProtoName.get(p.error);
    if (error === undefined) return malformed(`unknown partition error ${p.error}`);
    if (!isUuid(p.topicId)) return malformed(`topic id ${JSON.stringify(p.topicId)} is not a UUID`);
    if (!isInt32(p.partition, 0)) return malformed(`partition ${p.partition}`);
    const d = p.divergingEpoch;
    if (d !== null && !isInt32(d.epoch, -1)) return malformed(`diverging epoch ${d.epoch}`);
    partitions.push({
      topicId: p.topicId,
      partition: partitionId(p.partition),
      error,
      highWatermark: offset(int64FromWire(p.highWatermark)),
      logStartOffset: offset(int64FromWire(p.logStartOffset)),
      logEndOffset: offset(int64FromWire(p.logEndOffset)),
      divergingEpoch:
        d === null ? null : { epoch: leaderEpoch(d.epoch), endOffset: offset(int64FromWire(d.endOffset)) },
      // proto-loader decodes bytes as a Buffer already; a view, never a copy, either way.
      records: Buffer.isBuffer(p.records)
        ? p.records
        : Buffer.from(p.records.buffer, p.records.byteOffset, p.records.byteLength),
    });
  }
  return ok({ requestId, value: { partitions } });
}
