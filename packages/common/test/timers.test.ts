import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.ts';
import { ManualTimers, systemTimers } from '../src/timers.ts';

function manual(): { clock: ManualClock; timers: ManualTimers; fired: string[] } {
  const clock = new ManualClock();
  return { clock, timers: new ManualTimers(clock), fired: [] };
}

describe('ManualTimers', () => {
  it('a timeout fires only once the clock reaches its due time', () => {
    const { clock, timers, fired } = manual();
    timers.setTimeout(() => fired.push('a'), 100);
    clock.advance(99);
    expect(timers.fireDue()).toBe(0);
    clock.advance(1);
    expect(timers.fireDue()).toBe(1);
    expect(fired).toEqual(['a']);
    expect(timers.pendingCount).toBe(0);
  });

  it('timers due together fire earliest due first, then in the order they were set', () => {
    const { clock, timers, fired } = manual();
    timers.setTimeout(() => fired.push('late'), 20);
    timers.setTimeout(() => fired.push('first'), 10);
    timers.setTimeout(() => fired.push('second'), 10);
    clock.advance(50);
    timers.fireDue();
    expect(fired).toEqual(['first', 'second', 'late']);
  });

  it('a cancelled timer never fires, and cancelling twice is harmless', () => {
    const { clock, timers, fired } = manual();
    const t = timers.setTimeout(() => fired.push('x'), 5);
    t.cancel();
    t.cancel();
    clock.advance(10);
    expect(timers.fireDue()).toBe(0);
    expect(fired).toEqual([]);
  });

  it('an interval fires once per period until cancelled', () => {
    const { clock, timers, fired } = manual();
    const t = timers.setInterval(() => fired.push('tick'), 10);
    clock.advance(35);
    expect(timers.fireDue()).toBe(3);
    t.cancel();
    clock.advance(100);
    expect(timers.fireDue()).toBe(0);
    expect(fired).toEqual(['tick', 'tick', 'tick']);
  });

  it('a zero-delay timer set by a firing callback fires in the same round', () => {
    const { clock, timers, fired } = manual();
    timers.setTimeout(() => {
      fired.push('outer');
      timers.setTimeout(() => fired.push('inner'), 0);
    }, 1);
    clock.advance(1);
    expect(timers.fireDue()).toBe(2);
    expect(fired).toEqual(['outer', 'inner']);
  });

  it('cancelAll drops every pending timer and reports the next due time as none', () => {
    const { clock, timers } = manual();
    timers.setTimeout(() => {}, 1);
    timers.setInterval(() => {}, 1);
    expect(timers.nextDueMs()).toBe(clock.monotonicMs() + 1);
    timers.cancelAll();
    expect(timers.nextDueMs()).toBeNull();
    clock.advance(5);
    expect(timers.fireDue()).toBe(0);
  });
});

describe('systemTimers', () => {
  it('a timeout runs its callback on the event loop', async () => {
    const fired = await new Promise<boolean>((resolve) => {
      systemTimers.setTimeout(() => resolve(true), 0);
    });
    expect(fired).toBe(true);
  });

  it('a cancelled timeout does not run while a later one does', async () => {
    const fired: string[] = [];
    systemTimers.setTimeout(() => fired.push('cancelled'), 0).cancel();
    // Timeouts of the same delay run in the order they were set: this one runs after the cancelled one would have.
    await new Promise<void>((resolve) => systemTimers.setTimeout(resolve, 0));
    expect(fired).toEqual([]);
  });
});
