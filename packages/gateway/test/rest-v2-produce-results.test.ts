import { ConnectionError, KafkaError } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { RestError } from '../src/rest/rest-error.ts';
import { kafkaFailureOf, rethrowKafkaFailure } from '../src/rest/v2/kafka-failure.ts';
import type { PlannedBatch } from '../src/rest/v2/produce-plan.ts';
import { offsetsOf } from '../src/rest/v2/produce-results.ts';

const batch = (indexes: number[]): PlannedBatch => ({
  indexes,
  records: indexes.map(() => ({ key: null, value: null })),
});

describe('kafkaFailureOf', () => {
  it('a retriable Kafka code is 50003, any other Kafka code 50002, with the code’s name in the message', () => {
    expect(kafkaFailureOf(new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS))).toMatchObject({ errorCode: 50003 });
    expect(kafkaFailureOf(new KafkaError(ErrorCode.MESSAGE_TOO_LARGE))).toMatchObject({ errorCode: 50002 });
    expect(kafkaFailureOf(new KafkaError(ErrorCode.MESSAGE_TOO_LARGE))?.message).toContain('MESSAGE_TOO_LARGE');
  });

  it('a connection lost or timed out is retriable (50003): the write may be retried', () => {
    expect(kafkaFailureOf(new ConnectionError('timeout', 'no answer'))).toMatchObject({ errorCode: 50003 });
  });

  it('anything else is not Kafka’s: null, and rethrown unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(kafkaFailureOf(bug)).toBeNull();
    expect(() => rethrowKafkaFailure(bug)).toThrow(bug);
    expect(() => rethrowKafkaFailure(new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR))).toThrow(RestError);
  });
});

describe('offsetsOf', () => {
  it('gives each record its batch’s base offset plus its place, in request order', () => {
    const offsets = offsetsOf(
      [
        { partition: 1, batch: batch([0, 2]), baseOffset: 10n },
        { partition: 0, batch: batch([1]), baseOffset: 5n },
      ],
      3,
    );
    expect(offsets).toEqual([
      { partition: 1, offset: 10, error_code: null, error: null },
      { partition: 0, offset: 5, error_code: null, error: null },
      { partition: 1, offset: 11, error_code: null, error: null },
    ]);
  });

  it('a refused batch gives its records the error and no partition or offset, as Confluent does', () => {
    const offsets = offsetsOf(
      [
        { partition: 0, batch: batch([0]), baseOffset: 0n },
        { partition: 2, batch: batch([1]), error: { errorCode: 50003, message: 'Retriable Kafka error: x' } },
      ],
      2,
    );
    expect(offsets[1]).toEqual({ partition: null, offset: null, error_code: 50003, error: 'Retriable Kafka error: x' });
  });

  it('a record no batch covers is a bug, not an answer', () => {
    expect(() => offsetsOf([{ partition: 0, batch: batch([0]), baseOffset: 0n }], 2)).toThrow(/record 1/);
  });
});
