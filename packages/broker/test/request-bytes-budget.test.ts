/**
 * The request-bytes budget (queued.max.request.bytes): the pure rules, then
 * the wiring of waiters, grants and the exhausted-time tally.
 */
import { describe, expect, it } from 'vitest';
import { type BudgetReader, grantee, mayRead, RequestBytesBudget } from '../src/network/request-bytes-budget.ts';

class Reader implements BudgetReader {
  midFrame = false;
  wakes = 0;
  wake(): void {
    this.wakes++;
  }
}

describe('request-bytes budget rules', () => {
  it('reads while bytes are left, or with a grant; a budget <= 0 never stops reading', () => {
    expect(mayRead({ bytesMax: 100, inFlightBytes: 99, granted: false })).toBe(true);
    expect(mayRead({ bytesMax: 100, inFlightBytes: 100, granted: false })).toBe(false);
    expect(mayRead({ bytesMax: 100, inFlightBytes: 500, granted: true })).toBe(true);
    expect(mayRead({ bytesMax: -1, inFlightBytes: 10 ** 12, granted: false })).toBe(true);
  });

  it('grants only when nothing being handled will give bytes back, to the first waiter in the middle of a frame', () => {
    expect(grantee({ spent: true, handling: 1, midFrame: [true] })).toBe(-1);
    expect(grantee({ spent: false, handling: 0, midFrame: [true] })).toBe(-1);
    expect(grantee({ spent: true, handling: 0, midFrame: [false, true, true] })).toBe(1);
    expect(grantee({ spent: true, handling: 0, midFrame: [false] })).toBe(-1);
  });
});

describe('RequestBytesBudget', () => {
  it('pauses readers once spent and wakes them all when handled requests give bytes back', () => {
    const budget = new RequestBytesBudget(100);
    const [a, b] = [new Reader(), new Reader()];
    budget.take(60);
    budget.startHandling();
    budget.take(50);
    expect(budget.mayRead(a)).toBe(false);
    budget.wait(a);
    budget.wait(b);
    expect(budget.snapshot.pausedConnections).toBe(2);
    expect([a.wakes, b.wakes]).toEqual([0, 0]);
    budget.finishHandling(60);
    expect([a.wakes, b.wakes]).toEqual([1, 1]);
    expect(budget.snapshot).toMatchObject({ inFlightBytes: 50, pausedConnections: 0 });
  });

  it('a frame larger than the whole budget still gets through when nothing else is in flight', () => {
    const budget = new RequestBytesBudget(100);
    const big = new Reader();
    // 150 bytes of a 1000-byte frame arrived; nothing is being handled.
    big.midFrame = true;
    budget.take(150);
    budget.wait(big);
    expect(big.wakes).toBe(1);
    expect(budget.mayRead(big)).toBe(true);
    budget.take(854);
    budget.frameDone(big);
    expect(budget.mayRead(big)).toBe(false);
    budget.startHandling();
    budget.finishHandling(1004);
    expect(budget.snapshot.inFlightBytes).toBe(0);
  });

  it('a closed reader gives up its grant, which passes to the next waiter mid-frame', () => {
    const budget = new RequestBytesBudget(10);
    const [first, second] = [new Reader(), new Reader()];
    first.midFrame = true;
    second.midFrame = true;
    budget.take(20);
    budget.wait(first);
    budget.wait(second);
    expect(budget.mayRead(first)).toBe(true);
    expect(budget.mayRead(second)).toBe(false);
    budget.give(10);
    budget.leave(first);
    expect(budget.mayRead(second)).toBe(true);
    expect(second.wakes).toBe(1);
  });

  it('tallies the time it was spent', () => {
    let nowMs = 0;
    const budget = new RequestBytesBudget(10, () => nowMs);
    budget.take(10);
    nowMs = 1500;
    expect(budget.snapshot.exhaustedSeconds).toBe(1.5);
    budget.give(5);
    nowMs = 9000;
    expect(budget.snapshot.exhaustedSeconds).toBe(1.5);
  });
});
