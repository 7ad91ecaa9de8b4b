import { describe, expect, it } from 'vitest';
import { formatPartitionMetadata, logDirectoryAction, parsePartitionMetadata } from '../src/partition-metadata-file.ts';

const id = '5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0';
const other = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';

describe('partition.metadata', () => {
  it('reads back what it writes', () => {
    expect(formatPartitionMetadata(id)).toBe(`version: 0\ntopic_id: ${id}\n`);
    expect(parsePartitionMetadata(formatPartitionMetadata(id))).toEqual({ kind: 'id', topicId: id });
  });

  it('tolerates spacing and line order', () => {
    expect(parsePartitionMetadata(`topic_id:${id}\r\nversion:   0`)).toEqual({ kind: 'id', topicId: id });
  });

  it('another version, a missing or malformed id is unreadable, not absent', () => {
    expect(parsePartitionMetadata(`version: 1\ntopic_id: ${id}\n`).kind).toBe('unreadable');
    expect(parsePartitionMetadata('version: 0\n').kind).toBe('unreadable');
    expect(parsePartitionMetadata('version: 0\ntopic_id: not-a-uuid\n').kind).toBe('unreadable');
    expect(parsePartitionMetadata('').kind).toBe('unreadable');
  });
});

describe('what to do with a partition directory', () => {
  it('opens a log of the wanted topic id', () => {
    expect(logDirectoryAction({ kind: 'id', topicId: id }, true, id)).toBe('open');
  });

  it('replaces a log of another topic id: an earlier topic of the same name', () => {
    expect(logDirectoryAction({ kind: 'id', topicId: other }, true, id)).toBe('replace');
  });

  it('creates a missing directory', () => {
    expect(logDirectoryAction({ kind: 'absent' }, false, id)).toBe('create');
  });

  it('replaces a directory without an id: no live log lacks one, a deletion cut short does', () => {
    expect(logDirectoryAction({ kind: 'absent' }, true, id)).toBe('replace');
  });

  it('refuses an unreadable file rather than guess (neither serving nor deleting the log)', () => {
    expect(logDirectoryAction({ kind: 'unreadable', reason: 'version 7' }, true, id)).toBe('refuse');
  });
});
