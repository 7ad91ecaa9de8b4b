import { describe, expect, it } from 'vitest';
import {
  formFromQuery,
  localInputOfMs,
  msOfLocalInput,
  partitionList,
  partitionSet,
  queryOfForm,
} from '../console/src/messages/browse-query.ts';
import { exportedPart, exportFileName, recordsAsJsonLines } from '../console/src/messages/records-export.ts';
import type { RecordView } from '../src/console/message-schema-api-types.ts';

describe("the message browser's query in the URL", () => {
  it('a form asks only what it uses: the key decides the partitions, offset and time only with their start', () => {
    const form = formFromQuery(new URLSearchParams('partitions=0,2&offset=9&timestamp=5&limit=50'));
    expect(queryOfForm(form)).toEqual({ partitions: '0,2' });
    expect(queryOfForm({ ...form, start: 'offset' })).toEqual({ start: 'offset', offset: '9', partitions: '0,2' });
    expect(queryOfForm({ ...form, start: 'timestamp', key: 'k', keyEncoding: 'hex', limit: '5' })).toEqual({
      start: 'timestamp',
      timestamp: '5',
      key: 'k',
      keyEncoding: 'hex',
      limit: '5',
    });
  });

  it('a query round-trips through the form; unknown starts fall back to newest', () => {
    const query = { start: 'offset', offset: '3', key: 'order-1' };
    expect(queryOfForm(formFromQuery(new URLSearchParams(query)))).toEqual(query);
    expect(formFromQuery(new URLSearchParams('start=sideways')).start).toBe('newest');
  });

  it('checked partitions as a sorted comma list, and back', () => {
    expect(partitionList(new Set([3, 0, 11]))).toBe('0,3,11');
    expect([...partitionSet('0,3,11')]).toEqual([0, 3, 11]);
    expect(partitionSet('').size).toBe(0);
  });

  it('a datetime-local value is the browser zone: UTC+2 (offset -120) shows 02:00 for midnight UTC, and back', () => {
    const midnight = Date.UTC(2026, 0, 1);
    expect(localInputOfMs(midnight, -120)).toBe('2026-01-01T02:00:00');
    expect(msOfLocalInput('2026-01-01T02:00:00', -120)).toBe(midnight);
    expect(msOfLocalInput('2026-01-01T02:00', -120)).toBe(midnight);
    expect(msOfLocalInput('yesterday', 0)).toBeNull();
  });
});

describe('JSON lines export', () => {
  const record: RecordView = {
    partition: 2,
    offset: '41',
    timestamp: 1_700_000_000_000,
    key: { kind: 'text', text: 'order-7', size: 7, truncated: false },
    value: { kind: 'avro', schemaId: 3, value: { id: 7 }, size: 8 },
    headers: [{ key: 'trace', value: '00ff', encoding: 'hex', truncated: false }],
  };

  it('one JSON object per shown record and line, values as decoded, the way each was read', () => {
    const text = recordsAsJsonLines('orders', [record, { ...record, offset: '42', key: { kind: 'null' } }]);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      {
        topic: 'orders',
        partition: 2,
        offset: '41',
        timestamp: 1_700_000_000_000,
        key: { format: 'text', value: 'order-7' },
        value: { format: 'avro', schemaId: 3, value: { id: 7 } },
        headers: [{ key: 'trace', value: '00ff', encoding: 'hex' }],
      },
      expect.objectContaining({ offset: '42', key: { format: 'null', value: null } }),
    ]);
    expect(recordsAsJsonLines('orders', [])).toBe('');
  });

  it('a cut part says so; JSON stays JSON; the file is named after the topic', () => {
    expect(exportedPart({ kind: 'hex', hex: 'ab', size: 99, truncated: true })).toEqual({
      format: 'hex',
      value: 'ab',
      truncated: true,
    });
    expect(exportedPart({ kind: 'json', value: [1], size: 3 })).toEqual({ format: 'json', value: [1] });
    expect(exportFileName('a/b c')).toBe('a_b_c-messages.jsonl');
  });
});
