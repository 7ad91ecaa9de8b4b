import { describe, expect, it } from 'vitest';
import {
  connectionsWithinLimit,
  otherFilesReserve,
  parseOpenFilesLimit,
  segmentFilesBudget,
  segmentFilesMin,
} from '../src/open-files-budget.ts';

const limits = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max processes             95562                95562                processes ',
    `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

describe('the segment file budget', () => {
  it('reads the soft open-files limit from /proc/<pid>/limits text', () => {
    expect(parseOpenFilesLimit(limits('1024', '524288'))).toBe(1024);
    expect(parseOpenFilesLimit(limits('unlimited', 'unlimited'))).toBeNull();
    expect(parseOpenFilesLimit('no such line')).toBeNull();
  });

  it('is half the soft limit by default, the configured value when set, and never below the minimum', () => {
    expect(segmentFilesBudget(-1, 1024)).toBe(512);
    expect(segmentFilesBudget(300, 1024)).toBe(300);
    expect(segmentFilesBudget(-1, 20)).toBe(segmentFilesMin);
    expect(segmentFilesBudget(-1, null)).toBeGreaterThan(1000);
  });

  it('caps client connections at what the limit leaves after segment files and the reserve', () => {
    expect(connectionsWithinLimit(10_000, 1024, 512)).toBe(1024 - 512 - otherFilesReserve);
    expect(connectionsWithinLimit(100, 1024, 512)).toBe(100);
    expect(connectionsWithinLimit(10_000, null, 10_000)).toBe(10_000);
    expect(connectionsWithinLimit(10_000, 64, 16)).toBe(1);
  });
});
