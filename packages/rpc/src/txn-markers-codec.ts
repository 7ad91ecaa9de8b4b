/**
 * TxnMarkers requests and responses <-> their proto shapes. Decoding
 * checks what protobuf cannot (a known result, int16 epochs, partition
 * indexes, topic names present); a response must answer exactly the
 * request's markers and partitions, in order. Encoding an out-of-range
 * value is a bug and asserts.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import type {
  TxnMarkerProto,
  TxnResultProto,
  VerifyTxnRequestProto,
  VerifyTxnResponseProto,
  WriteTxnMarkersRequestProto,
  WriteTxnMarkersResponseProto,
} from './generated/txn-markers-proto.ts';
import type {
  TxnMarkerResult,
  TxnMarkerRpcEntry,
  TxnMarkersRequest,
  TxnMarkersResponse,
  TxnVerifyRequest,
  TxnVerifyResponse,
} from './txn-markers-types.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

const resultNames = {
  commit: 'TXN_RESULT_COMMIT',
  abort: 'TXN_RESULT_ABORT',
} as const satisfies Record<TxnMarkerResult, TxnResultProto>;

function isEpoch(value: number): boolean {
  return Number.isInteger(value) && value >= -1 && value <= 0x7fff;
}

function markerToProto(marker: TxnMarkerRpcEntry): TxnMarkerProto {
  assert(isEpoch(marker.producerEpoch), `producer epoch out of range: ${marker.producerEpoch}`);
  return {
    producerId: int64ToWire(marker.producerId),
    producerEpoch: marker.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
    result: resultNames[marker.result],
    partitions: marker.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
  };
}

export function txnMarkersRequestToProto(request: TxnMarkersRequest): WriteTxnMarkersRequestProto {
  return { markers: request.markers.map(markerToProto) };
}

export function txnMarkersRequestFromProto(
  proto: WriteTxnMarkersRequestProto,
): Result<TxnMarkersRequest, 'malformed_message'> {
  const markers: TxnMarkerRpcEntry[] = [];
  for (const m of proto.markers) {
    const result = m.result === resultNames.commit ? 'commit' : m.result === resultNames.abort ? 'abort' : null;
    if (result === null) return err('malformed_message', `unknown transaction result ${m.result}`);
    if (!isEpoch(m.producerEpoch)) return err('malformed_message', `producer epoch ${m.producerEpoch}`);
    for (const p of m.partitions) {
      if (p.topic === '' || p.partition < 0) return err('malformed_message', `partition ${p.topic}-${p.partition}`);
    }
    markers.push({
      producerId: int64FromWire(m.producerId),
      producerEpoch: m.producerEpoch,
      coordinatorEpoch: m.coordinatorEpoch,
      result,
      partitions: m.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    });
  }
  return ok({ markers });
}

export function txnMarkersResponseToProto(response: TxnMarkersResponse): WriteTxnMarkersResponseProto {
  return {
    markers: response.markers.map((m) => ({
      producerId: int64ToWire(m.producerId),
      partitions: m.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: p.errorCode })),
    })),
  };
}

/** The leader's answer, checked against the request it answers. */
export function txnMarkersResponseFromProto(
  request: TxnMarkersRequest,
  proto: WriteTxnMarkersResponseProto,
): Result<TxnMarkersResponse, 'malformed_response'> {
  if (proto.markers.length !== request.markers.length) {
    return err('malformed_response', `${proto.markers.length} marker results for ${request.markers.length} markers`);
  }
  const markers: TxnMarkersResponse['markers'][number][] = [];
  for (const [i, m] of proto.markers.entries()) {
    const asked = request.markers[i];
    assert(asked !== undefined, 'lengths checked above');
    const producerId = int64FromWire(m.producerId);
    const matches =
      producerId === asked.producerId &&
      m.partitions.length === asked.partitions.length &&
      m.partitions.every(
        (p, j) => p.topic === asked.partitions[j]?.topic && p.partition === asked.partitions[j]?.partition,
      );
    if (!matches) return err('malformed_response', `marker ${i} answers other partitions than it asked for`);
    markers.push({
      producerId,
      partitions: m.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: p.errorCode })),
    });
  }
  return ok({ markers });
}

export function txnVerifyRequestToProto(request: TxnVerifyRequest): VerifyTxnRequestProto {
  assert(isEpoch(request.producerEpoch), `producer epoch out of range: ${request.producerEpoch}`);
  return {
    transactionalId: request.transactionalId,
    producerId: int64ToWire(request.producerId),
    producerEpoch: request.producerEpoch,
    partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    add: request.add === true,
  };
}

export function txnVerifyRequestFromProto(proto: VerifyTxnRequestProto): Result<TxnVerifyRequest, 'malformed_message'> {
  if (!isEpoch(proto.producerEpoch)) return err('malformed_message', `producer epoch ${proto.producerEpoch}`);
  for (const p of proto.partitions) {
    if (p.topic === '' || p.partition < 0) return err('malformed_message', `partition ${p.topic}-${p.partition}`);
  }
  return ok({
    transactionalId: proto.transactionalId,
    producerId: int64FromWire(proto.producerId),
    producerEpoch: proto.producerEpoch,
    partitions: proto.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    add: proto.add,
  });
}

export function txnVerifyResponseToProto(response: TxnVerifyResponse): VerifyTxnResponseProto {
  return {
    partitions: response.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: p.errorCode })),
  };
}

/** The coordinator's answer, checked against the partitions it was asked about. */
export function txnVerifyResponseFromProto(
  request: TxnVerifyRequest,
  proto: VerifyTxnResponseProto,
): Result<TxnVerifyResponse, 'malformed_response'> {
  const matches =
    proto.partitions.length === request.partitions.length &&
    proto.partitions.every(
      (p, i) => p.topic === request.partitions[i]?.topic && p.partition === request.partitions[i]?.partition,
    );
  if (!matches) return err('malformed_response', 'the verification answers other partitions than it asked for');
  return ok({
    partitions: proto.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: p.errorCode })),
  });
}
