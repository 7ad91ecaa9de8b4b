/**
 * Transaction markers (Kafka's EndTransactionMarker control records), the
 * one record of a control batch (attributes: transactional + control) that
 * a partition leader writes when a transaction coordinator ends a
 * transaction on it.
 *
 * Grammar:
 *   key   := version int16 (0), type int16 (0 = ABORT, 1 = COMMIT)
 *   value := version int16 (0), coordinatorEpoch int32
 * The batch carries the producer's id and epoch, base sequence -1.
 */
import { encodeRecordBatchSync } from './batch-codec.ts';

export type TxnMarkerType = 'abort' | 'commit';

const markerVersion = 0;

export function encodeTxnMarkerKey(type: TxnMarkerType): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(markerVersion, 0);
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2);
  return key;
}

/**
 * The type of a marker from its control record's key: COMMIT (1) or, for
 * any other type, ABORT (as Kafka's offsets loader reads it); null for a key
 * too short to hold a type.
 */
export function decodeTxnMarkerType(key: Buffer | null): TxnMarkerType | null {
  if (key === null || key.length < 4) return null;
  return key.readInt16BE(2) === 1 ? 'commit' : 'abort';
}

export function encodeTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(markerVersion, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The control batch of one marker, offset 0 (the log assigns the real one), CRC included. */
export function encodeTxnMarkerBatch(marker: {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  type: TxnMarkerType;
  timestampMs: bigint;
}): Buffer {
  return encodeRecordBatchSync({
    records: [{ key: encodeTxnMarkerKey(marker.type), value: encodeTxnMarkerValue(marker.coordinatorEpoch) }],
    baseTimestamp: marker.timestampMs,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}
