import { describe, expect, it } from 'vitest';
import { RestError } from '../src/rest/rest-error.ts';
import { defaultConsumeLimits, offsetForTimestamp, readBounds, startAt } from '../src/rest/v3-records/consume-plan.ts';

function statusOf(work: () => unknown): number | null {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof RestError ? error.status : -1;
  }
}

describe('where a v3 consume starts', () => {
  it('starts at the log start by default, at the end for latest, at an offset within the bounds', () => {
    expect(startAt({}, 5n, 20n)).toEqual({ kind: 'offset', offset: 5n });
    expect(startAt({ offset: 'earliest' }, 5n, 20n)).toEqual({ kind: 'offset', offset: 5n });
    expect(startAt({ offset: 'latest' }, 5n, 20n)).toEqual({ kind: 'offset', offset: 20n });
    expect(startAt({ offset: '20' }, 5n, 20n)).toEqual({ kind: 'offset', offset: 20n });
  });

  it('refuses an offset outside the partition with 416, and offset with timestamp with 400', () => {
    expect(statusOf(() => startAt({ offset: '4' }, 5n, 20n))).toBe(416);
    expect(statusOf(() => startAt({ offset: '21' }, 5n, 20n))).toBe(416);
    expect(statusOf(() => startAt({ offset: '6', timestamp: '1' }, 5n, 20n))).toBe(400);
    expect(statusOf(() => startAt({ timestamp: 'next tuesday' }, 5n, 20n))).toBe(400);
  });

  it('takes a timestamp in milliseconds or ISO-8601, and the end when no record is at or after it', () => {
    expect(startAt({ timestamp: '1700000000000' }, 0n, 1n)).toEqual({ kind: 'timestamp', ms: 1700000000000n });
    expect(startAt({ timestamp: '2025-01-01T00:00:00Z' }, 0n, 1n)).toEqual({ kind: 'timestamp', ms: 1735689600000n });
    expect(offsetForTimestamp(-1n, 42n)).toBe(42n);
    expect(offsetForTimestamp(7n, 42n)).toBe(7n);
  });
});

describe('how much one v3 consume answer carries', () => {
  it('bounds JSON lines by default and by the limits; events follow without a record bound', () => {
    expect(readBounds({}, false, defaultConsumeLimits, 64 << 20)).toEqual({ recordsMax: 500, bytesMax: 4 << 20 });
    expect(readBounds({ max_records: 10 ** 9, max_bytes: 10 ** 10 }, false, defaultConsumeLimits, 64 << 20)).toEqual({
      recordsMax: 100_000,
      bytesMax: 64 << 20,
    });
    expect(readBounds({}, true, defaultConsumeLimits, 64 << 20).recordsMax).toBe(Number.MAX_SAFE_INTEGER);
    expect(readBounds({ max_records: 3 }, true, defaultConsumeLimits, 64 << 20).recordsMax).toBe(3);
  });
});
