import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../src/rest/partitioner.ts';
import { type EncodedRecord, partitionsOf, planBatches } from '../src/rest/v2/produce-plan.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const record = (options: { key?: string; value?: string; partition?: number } = {}): EncodedRecord => ({
  key: options.key === undefined ? null : bytes(options.key),
  value: options.value === undefined ? null : bytes(options.value),
  partition: options.partition ?? null,
});

describe('partitionsOf', () => {
  it('a record’s own partition wins over its key, and a key picks what Kafka’s default partitioner picks', () => {
    const records = [record({ key: 'alice', partition: 4 }), record({ key: 'alice' }), record({ key: 'bob' })];
    expect(partitionsOf(records, { partitions: 6, fixedPartition: null, spreadStart: 0 })).toEqual([
      4,
      partitionForKey(bytes('alice'), 6),
      partitionForKey(bytes('bob'), 6),
    ]);
  });

  it('unkeyed records go round robin from the start the caller gives, keyed ones not counting', () => {
    const records = [record(), record({ key: 'k' }), record(), record(), record()];
    const keyed = partitionForKey(bytes('k'), 3);
    expect(partitionsOf(records, { partitions: 3, fixedPartition: null, spreadStart: 2 })).toEqual([2, keyed, 0, 1, 2]);
  });

  it('a fixed partition (produce to a partition) takes every record whatever its key or own partition', () => {
    const records = [record({ key: 'k' }), record({ partition: 0 }), record()];
    expect(partitionsOf(records, { partitions: 3, fixedPartition: 1, spreadStart: 0 })).toEqual([1, 1, 1]);
  });
});

describe('planBatches', () => {
  it('groups each partition’s records into one batch in request order, partitions ascending', () => {
    const records = [
      record({ value: 'a', partition: 2 }),
      record({ value: 'b', partition: 0 }),
      record({ value: 'c', partition: 2 }),
      record({ value: 'd', partition: 0 }),
    ];
    const plans = planBatches(records, { partitions: 3, fixedPartition: null, spreadStart: 0 });
    expect(plans.map((p) => p.partition)).toEqual([0, 2]);
    expect(plans.map((p) => p.batches.map((b) => b.indexes))).toEqual([[[1, 3]], [[0, 2]]]);
    expect(plans[1]?.batches[0]?.records.map((r) => r.value?.toString())).toEqual(['a', 'c']);
  });

  it('keeps keys, values and nulls as they are', () => {
    const plans = planBatches([record({ key: 'k' }), record({ value: 'v' })], {
      partitions: 1,
      fixedPartition: null,
      spreadStart: 0,
    });
    expect(plans[0]?.batches[0]?.records).toEqual([
      { key: bytes('k'), value: null },
      { key: null, value: bytes('v') },
    ]);
  });

  it('cuts a partition’s records into batches under the byte bound, a record bigger than it alone', () => {
    const records = [
      record({ value: 'x'.repeat(40) }),
      record({ value: 'x'.repeat(40) }),
      record({ value: 'x'.repeat(200) }),
      record({ value: 'x'.repeat(10) }),
    ];
    // Each record counts its bytes plus 32 of overhead: 72, 72, 232, 42 against a bound of 150.
    const plans = planBatches(records, { partitions: 1, fixedPartition: 0, spreadStart: 0, batchBytesMax: 150 });
    expect(plans[0]?.batches.map((b) => b.indexes)).toEqual([[0, 1], [2], [3]]);
  });

  it('plans nothing for no records', () => {
    expect(planBatches([], { partitions: 3, fixedPartition: null, spreadStart: 0 })).toEqual([]);
  });
});
