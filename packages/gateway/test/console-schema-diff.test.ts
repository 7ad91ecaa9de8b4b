import { describe, expect, it } from 'vitest';
import { diffableSchema, lineDiff } from '../src/console/schemas/line-diff.ts';
import { pageSubjects } from '../src/console/schemas/subject-page.ts';

const ops = (from: string, to: string, cellsMax?: number) =>
  lineDiff(from, to, cellsMax).lines.map((l) => `${l.op === 'same' ? ' ' : l.op === 'add' ? '+' : '-'}${l.text}`);

describe('schema line diff', () => {
  it('aligns unchanged lines and marks the removed and added ones, with their line numbers', () => {
    const diff = lineDiff('a\nb\nc\nd\n', 'a\nc\nx\nd\n');
    expect(diff.lines.map((l) => [l.op, l.text, l.fromLine, l.toLine])).toEqual([
      ['same', 'a', 1, 1],
      ['remove', 'b', 2, null],
      ['same', 'c', 3, 2],
      ['add', 'x', null, 3],
      ['same', 'd', 4, 4],
    ]);
    expect([diff.added, diff.removed, diff.exact]).toEqual([1, 1, true]);
  });

  it('equal texts diff to no change; from nothing everything is added', () => {
    expect(lineDiff('x\ny', 'x\ny')).toMatchObject({ added: 0, removed: 0 });
    expect(ops('', 'p\nq')).toEqual(['+p', '+q']);
    expect(ops('p\nq', '')).toEqual(['-p', '-q']);
  });

  it('finds the longest common run, not the first match', () => {
    expect(ops('a\nb\nc\nd', 'x\nb\nc\nd\na')).toEqual(['-a', '+x', ' b', ' c', ' d', '+a']);
  });

  it('over its bound it shows the middle replaced whole and says the diff is not exact', () => {
    const diff = lineDiff('h\na\nb\nt', 'h\nc\nd\nt', 4);
    expect(diff.exact).toBe(false);
    expect(diff.lines.map((l) => l.op)).toEqual(['same', 'remove', 'remove', 'add', 'add', 'same']);
  });

  it('Avro and JSON Schema are pretty-printed before the diff, so one changed field is one line', () => {
    const v1 = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}';
    const v2 = '{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}';
    const diff = lineDiff(diffableSchema('AVRO', v1), diffableSchema('AVRO', v2));
    expect(diff.lines.filter((l) => l.op !== 'same').map((l) => `${l.op} ${l.text.trim()}`)).toEqual([
      'remove "type": "int"',
      'add "type": "long"',
    ]);
    expect(diffableSchema('PROTOBUF', 'syntax = "proto3";')).toBe('syntax = "proto3";');
  });
});

describe('subject paging', () => {
  const subjects = ['orders-value', 'Orders-key', 'payments-value', 'audit', 'orders-archive-value'];

  it('filters case-insensitively by a part of the name and pages in name order', () => {
    expect(pageSubjects(subjects, 'ORDERS', 1, 2)).toEqual({
      subjects: ['Orders-key', 'orders-archive-value'],
      total: 3,
      page: 1,
      pageSize: 2,
      pages: 2,
    });
    expect(pageSubjects(subjects, 'orders', 2, 2).subjects).toEqual(['orders-value']);
  });

  it('a page past the last shows the last; no match is one empty page', () => {
    expect(pageSubjects(subjects, '', 9, 2)).toMatchObject({ page: 3, subjects: ['payments-value'], total: 5 });
    expect(pageSubjects(subjects, 'nothing', 1, 2)).toEqual({ subjects: [], total: 0, page: 1, pageSize: 2, pages: 1 });
  });
});
