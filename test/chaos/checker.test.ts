/** The chaos checker on hand-made histories: a clean one passes, and each anomaly trips exactly its own report. */
import { describe, expect, it } from 'vitest';
import { checkHistory, describeResult, violations } from './checker.ts';
import type { History, ReadRecord, SendAttempt } from './history.ts';

const acked = (value: number, partition: number, offset: bigint): SendAttempt => ({
  value,
  partition,
  outcome: { kind: 'acked', partition, offset },
});
const unknown = (value: number, partition: number): SendAttempt => ({
  value,
  partition,
  outcome: { kind: 'unknown', error: 'request timed out' },
});
const failed = (value: number, partition: number): SendAttempt => ({
  value,
  partition,
  outcome: { kind: 'failed', error: 'NOT_ENOUGH_REPLICAS' },
});
const rec = (partition: number, offset: bigint, value: number): ReadRecord => ({ partition, offset, value });

/** Three acked sends on partition 0, a failed and an unknown one on partition 1, all read back consistently. */
function clean(): History {
  return {
    sends: [acked(1, 0, 0n), acked(2, 0, 1n), acked(3, 0, 2n), failed(4, 1), unknown(5, 1)],
    reads: [rec(0, 0n, 1), rec(0, 1n, 2)],
    finalRead: [rec(0, 0n, 1), rec(0, 1n, 2), rec(0, 2n, 3)],
  };
}

describe('chaos checker', () => {
  it('a consistent history passes with correct counts and no anomalies', () => {
    const result = checkHistory(clean());
    expect(violations(result)).toEqual([]);
    expect(result.counts).toEqual({
      attempts: 5,
      acked: 3,
      failed: 1,
      unknown: 1,
      reads: 2,
      finalRecords: 3,
      unackedPresent: 0,
    });
    expect(result.duplicates).toEqual([]);
  });

  it('an unknown send whose value landed is counted as unacked-but-present, not as an anomaly', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: [...h.finalRead, rec(1, 0n, 5)] });
    expect(violations(result)).toEqual([]);
    expect(result.counts.unackedPresent).toBe(1);
  });

  it('an acked value missing from the final read is reported lost and fails the run', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: h.finalRead.filter((r) => r.value !== 3) });
    expect(result.lost).toEqual([{ value: 3, acked: { partition: 0, offset: 2n } }]);
    expect(result.vanished).toEqual([]);
    expect(violations(result)).toEqual(['1 acknowledged writes lost']);
  });

  it('a value at two offsets is a duplicate, reported but allowed', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: [...h.finalRead, rec(0, 3n, 3)] });
    expect(result.duplicates).toEqual([
      {
        value: 3,
        positions: [
          { partition: 0, offset: 2n },
          { partition: 0, offset: 3n },
        ],
      },
    ]);
    expect(violations(result)).toEqual([]);
  });

  it('a consumer that read a different value at an offset than the final read is an inconsistent offset', () => {
    const h = clean();
    // Value 5 (unknown outcome) was read at 0@1 before a truncation, then 2 took that offset.
    const result = checkHistory({
      ...h,
      reads: [...h.reads, rec(0, 1n, 5)],
      finalRead: [...h.finalRead, rec(1, 0n, 5)],
    });
    expect(result.inconsistentOffsets).toEqual([{ partition: 0, offset: 1n, values: [2, 5] }]);
    expect(result.vanished).toEqual([]);
    expect(violations(result)).toEqual(['1 inconsistent offsets']);
  });

  it('an acked value found only at another offset is an acked-offset mismatch', () => {
    const h = clean();
    const result = checkHistory({
      ...h,
      sends: [...h.sends, acked(6, 1, 7n)],
      finalRead: [...h.finalRead, rec(1, 0n, 6)],
    });
    expect(result.ackedOffsetMismatches).toEqual([
      { value: 6, acked: { partition: 1, offset: 7n }, found: [{ partition: 1, offset: 0n }] },
    ]);
    expect(result.lost).toEqual([]);
    expect(result.inconsistentOffsets).toEqual([]);
    expect(violations(result)).toEqual(['1 values found away from their acknowledged offset']);
  });

  it('an unacknowledged value read by a consumer and then gone from the final read has vanished', () => {
    const h = clean();
    const result = checkHistory({ ...h, reads: [...h.reads, rec(1, 0n, 5)] });
    expect(result.vanished).toEqual([{ value: 5, readAt: { partition: 1, offset: 0n }, acked: false }]);
    expect(result.lost).toEqual([]);
    expect(violations(result)).toEqual(['1 values read by a consumer then vanished']);
  });

  it('an acked value read by a consumer and then gone is both lost and vanished', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: h.finalRead.filter((r) => r.value !== 2) });
    expect(result.vanished).toEqual([{ value: 2, readAt: { partition: 0, offset: 1n }, acked: true }]);
    expect(result.lost).toEqual([{ value: 2, acked: { partition: 0, offset: 1n } }]);
    expect(violations(result)).toHaveLength(2);
  });

  it('two acks for different values at the same offset are inconsistent even if both survive elsewhere', () => {
    const h = clean();
    const result = checkHistory({
      ...h,
      sends: [...h.sends, acked(7, 0, 2n)],
      finalRead: [...h.finalRead, rec(0, 3n, 7)],
    });
    expect(result.inconsistentOffsets).toEqual([{ partition: 0, offset: 2n, values: [3, 7] }]);
    expect(result.ackedOffsetMismatches.map((m) => m.value)).toEqual([7]);
  });

  it('a value in the log that no send produced is unexpected and fails the run', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: [...h.finalRead, rec(2, 0n, 999)] });
    expect(result.unexpected).toEqual([{ value: 999, at: { partition: 2, offset: 0n } }]);
    expect(violations(result)).toEqual(['1 values in the log that nobody sent']);
  });

  it('the description names each anomaly kind with a sample', () => {
    const h = clean();
    const text = describeResult(checkHistory({ ...h, finalRead: h.finalRead.filter((r) => r.value !== 3) }));
    expect(text).toContain('lost 1,');
    expect(text).toContain('lost: 3 (acked 0@2)');
  });

  it('for idempotent producers a value at two offsets fails the run', () => {
    const h = clean();
    const result = checkHistory({ ...h, finalRead: [...h.finalRead, rec(0, 3n, 3)] }, { idempotent: true });
    expect(result.duplicates.map((d) => d.value)).toEqual([3]);
    expect(violations(result)).toEqual(['1 values written twice by idempotent producers']);
  });

  it("for idempotent producers a session's later send found before an earlier one on a partition is reordered", () => {
    const session = (s: SendAttempt, producer: string): SendAttempt => ({ ...s, producer });
    const history: History = {
      // Session a sent 1 then 2, but 2 sits before 1; session b's 3 interleaving with a's values is fine.
      sends: [session(acked(1, 0, 1n), 'a'), session(acked(3, 0, 2n), 'b'), session(acked(2, 0, 0n), 'a')],
      reads: [],
      finalRead: [rec(0, 0n, 2), rec(0, 1n, 1), rec(0, 2n, 3)],
    };
    const result = checkHistory(history, { idempotent: true });
    expect(result.reordered).toEqual([
      {
        producer: 'a',
        partition: 0,
        first: { partition: 0, offset: 1n, value: 1 },
        second: { partition: 0, offset: 0n, value: 2 },
      },
    ]);
    expect(violations(result)).toEqual(["1 values out of their producer's send order"]);
    expect(describeResult(result)).toContain('reordered: a: 1 at 0@1 sent before 2 at 0@0');
  });

  it('sessions in send order on every partition pass the idempotent checks', () => {
    const h = clean();
    const result = checkHistory({ ...h, sends: h.sends.map((s) => ({ ...s, producer: 'a' })) }, { idempotent: true });
    expect(result.reordered).toEqual([]);
    expect(violations(result)).toEqual([]);
  });
});
