/** Transaction marker control records against hand-written bytes. */
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TRANSACTIONAL,
  decodeRecordBatchesSync,
  encodeTxnMarkerBatch,
  encodeTxnMarkerKey,
  encodeTxnMarkerValue,
} from '../src/index.ts';

describe('transaction marker control records', () => {
  it('key is version 0 then type (0 abort, 1 commit); value is version 0 then the coordinator epoch', () => {
    expect(encodeTxnMarkerKey('abort')).toEqual(Buffer.from([0, 0, 0, 0]));
    expect(encodeTxnMarkerKey('commit')).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(encodeTxnMarkerValue(0x01020304)).toEqual(Buffer.from([0, 0, 1, 2, 3, 4]));
  });

  it('a marker batch is one control record in a transactional control batch of the producer, sequence -1', () => {
    const batch = encodeTxnMarkerBatch({
      producerId: 42n,
      producerEpoch: 3,
      coordinatorEpoch: 9,
      type: 'commit',
      timestampMs: 1_700_000_000_000n,
    });
    const [decoded] = decodeRecordBatchesSync(batch);
    expect(decoded?.header).toMatchObject({ producerId: 42n, producerEpoch: 3, baseSequence: -1, recordCount: 1 });
    expect((decoded?.header.attributes ?? 0) & (ATTRIBUTE_CONTROL | ATTRIBUTE_TRANSACTIONAL)).toBe(0x30);
    expect(decoded?.records[0]?.key).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(decoded?.records[0]?.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 9]));
  });
});
