import { describe, expect, it } from 'vitest';
import {
  answeredRecords,
  parseMessageQuery,
  partitionsToRead,
  ScanBudget,
  startOffset,
} from '../src/console/messages/message-query.ts';
import { partitionForKey } from '../src/rest/partitioner.ts';
import { RestError } from '../src/rest/rest-error.ts';

const codeOf = (call: () => unknown): number | null => {
  try {
    call();
    return null;
  } catch (error) {
    return error instanceof RestError ? error.errorCode : -1;
  }
};

describe('message browser queries', () => {
  it('defaults to the newest 50 records of every partition, scanning at most 10,000 records and 16 MiB', () => {
    expect(parseMessageQuery({})).toEqual({
      partitions: null,
      start: 'newest',
      offset: null,
      timestampMs: null,
      key: null,
      limit: 50,
      scanRecordsMax: 10_000,
      scanBytesMax: 16 * 1024 * 1024,
    });
  });

  it('start=offset without an offset, start=timestamp without a timestamp, and odd hex keys answer 422', () => {
    expect(codeOf(() => parseMessageQuery({ start: 'offset' }))).toBe(422);
    expect(codeOf(() => parseMessageQuery({ start: 'timestamp' }))).toBe(422);
    expect(codeOf(() => parseMessageQuery({ key: 'abc', keyEncoding: 'hex' }))).toBe(422);
    expect(parseMessageQuery({ key: '00ff', keyEncoding: 'hex' }).key).toEqual(Buffer.from([0, 255]));
  });

  it('a key reads only the partition the default partitioner gives it, whatever partitions were asked for', () => {
    const query = parseMessageQuery({ key: 'foobar', partitions: '0,1' });
    expect(partitionsToRead(query, 10)).toEqual({ partitions: [6], keyPartition: 6 });
    expect(partitionForKey(Buffer.from('foobar'), 10)).toBe(6);
  });

  it('without a key, the asked partitions (deduplicated, sorted) or all; an unknown one answers 40402', () => {
    expect(partitionsToRead(parseMessageQuery({ partitions: '2,0,2' }), 3).partitions).toEqual([0, 2]);
    expect(partitionsToRead(parseMessageQuery({}), 3).partitions).toEqual([0, 1, 2]);
    expect(codeOf(() => partitionsToRead(parseMessageQuery({ partitions: '3' }), 3))).toBe(40402);
    expect(codeOf(() => partitionsToRead(parseMessageQuery({}), 257))).toBe(422);
  });

  it('start offsets stay within the log: newest reads the last limit (with a key the last scan window)', () => {
    const at = (q: Parameters<typeof parseMessageQuery>[0], ts: bigint | null = null) =>
      startOffset(parseMessageQuery(q), 100n, 1000n, ts);
    expect(at({})).toBe(950n);
    expect(at({ limit: 5000 })).toBe(100n);
    expect(at({ key: 'k', scanRecordsMax: 300 })).toBe(700n);
    expect(at({ start: 'earliest' })).toBe(100n);
    expect(at({ start: 'offset', offset: '7' })).toBe(100n);
    expect(at({ start: 'offset', offset: '500' })).toBe(500n);
    expect(at({ start: 'offset', offset: '5000' })).toBe(1000n);
    expect(at({ start: 'timestamp', timestamp: 1 }, 420n)).toBe(420n);
    // ListOffsets answers -1 when no record is at or after the timestamp: nothing to read.
    expect(at({ start: 'timestamp', timestamp: 1 }, -1n)).toBe(1000n);
  });

  it('the scan budget stops on records or bytes, whichever runs out first, and says which', () => {
    const records = new ScanBudget(parseMessageQuery({ scanRecordsMax: 2, scanBytesMax: 10_000 }));
    expect(records.spend(10)).toBe(true);
    expect(records.spend(10)).toBe(false);
    expect(records.reason).toBe('scanRecordsMax');
    const bytes = new ScanBudget(parseMessageQuery({ scanRecordsMax: 100, scanBytesMax: 1024 }));
    expect(bytes.spend(1000)).toBe(true);
    expect(bytes.spend(100)).toBe(false);
    expect(bytes.reason).toBe('scanBytesMax');
  });

  it('answers records in timestamp order: the newest limit for newest, the first limit otherwise', () => {
    const found = [
      { partition: 1, offset: 5n, timestamp: 30n },
      { partition: 0, offset: 9n, timestamp: 10n },
      { partition: 0, offset: 10n, timestamp: 30n },
      { partition: 1, offset: 4n, timestamp: 20n },
    ];
    const order = (records: typeof found) => records.map((r) => `${r.partition}:${r.offset}`);
    expect(order(answeredRecords(parseMessageQuery({ limit: 2 }), found))).toEqual(['0:10', '1:5']);
    expect(order(answeredRecords(parseMessageQuery({ start: 'earliest', limit: 3 }), found))).toEqual([
      '0:9',
      '1:4',
      '0:10',
    ]);
  });
});
