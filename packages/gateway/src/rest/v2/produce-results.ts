/**
 * A v2 produce answer: one entry per record in request order, the
 * partition and offset it was written at, or (when Kafka refused its
 * batch) Confluent's per-record error (kafka-failure.ts). Pure.
 */
import { assert } from '@runnel/common';
import type { KafkaFailure } from './kafka-failure.ts';
import type { PlannedBatch } from './produce-plan.ts';

export interface RecordOffset {
  partition: number | null;
  offset: number | null;
  error_code: number | null;
  error: string | null;
}

export interface ProduceAnswer {
  offsets: RecordOffset[];
  key_schema_id: number | null;
  value_schema_id: number | null;
}

/** What one batch's Produce came to: its base offset, or the error Kafka (or the connection) gave. */
export type BatchOutcome =
  | { readonly partition: number; readonly batch: PlannedBatch; readonly baseOffset: bigint }
  | { readonly partition: number; readonly batch: PlannedBatch; readonly error: KafkaFailure };

/** Each record's entry, in request order, from the outcomes of every batch (which cover `recordCount` records). */
export function offsetsOf(outcomes: readonly BatchOutcome[], recordCount: number): RecordOffset[] {
  const offsets = new Array<RecordOffset | undefined>(recordCount);
  for (const outcome of outcomes) {
    outcome.batch.indexes.forEach((index, position) => {
      offsets[index] =
        'error' in outcome
          ? { partition: null, offset: null, error_code: outcome.error.errorCode, error: outcome.error.message }
          : {
              partition: outcome.partition,
              offset: Number(outcome.baseOffset + BigInt(position)),
              error_code: null,
              error: null,
            };
    });
  }
  return Array.from(offsets, (entry, index) => {
    // Every record is planned into exactly one batch; a hole is a bug in the plan.
    assert(entry !== undefined, `record ${index} of the request is in no batch`);
    return entry;
  });
}
