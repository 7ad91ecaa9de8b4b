import { describe, expect, it } from 'vitest';
import { Inflights, Progress } from '../src/progress.ts';

describe('inflight window', () => {
  it('is full at capacity and frees every append up to an acknowledged index', () => {
    const inflights = new Inflights(3);
    inflights.add(5);
    inflights.add(7);
    inflights.add(9);
    expect(inflights.full()).toBe(true);
    inflights.freeLE(7);
    expect(inflights.count).toBe(1);
    expect(inflights.full()).toBe(false);
  });

  it('adding beyond capacity is a bug and asserts', () => {
    const inflights = new Inflights(1);
    inflights.add(1);
    expect(() => inflights.add(2)).toThrow(/overflow/);
  });

  it('adding an index that does not grow asserts', () => {
    const inflights = new Inflights(4);
    inflights.add(5);
    expect(() => inflights.add(5)).toThrow(/must grow/);
  });
});

describe('progress', () => {
  it('probe pauses after one append until the follower answers', () => {
    const progress = new Progress(10, 4, false);
    expect(progress.isPaused()).toBe(false);
    progress.probeSent = true;
    expect(progress.isPaused()).toBe(true);
    expect(progress.maybeUpdate(9)).toBe(true);
    expect(progress.isPaused()).toBe(false);
  });

  it('replicate pauses when the inflight window is full, and an ack reopens it', () => {
    const progress = new Progress(1, 2, false);
    progress.becomeReplicate();
    progress.optimisticUpdate(3);
    progress.inflights.add(3);
    progress.optimisticUpdate(5);
    progress.inflights.add(5);
    expect(progress.isPaused()).toBe(true);
    expect(progress.next).toBe(6);
    progress.maybeUpdate(3);
    progress.inflights.freeLE(3);
    expect(progress.isPaused()).toBe(false);
  });

  it('a stale acknowledgement does not move match back', () => {
    const progress = new Progress(1, 2, false);
    progress.maybeUpdate(8);
    expect(progress.maybeUpdate(5)).toBe(false);
    expect(progress.match).toBe(8);
  });

  it('a rejection in probe state backs next off to the hint, never below match + 1', () => {
    const progress = new Progress(11, 4, false);
    progress.match = 3;
    expect(progress.maybeDecreaseTo(10, 6)).toBe(true);
    expect(progress.next).toBe(7);
    expect(progress.maybeDecreaseTo(6, 0)).toBe(true);
    expect(progress.next).toBe(4);
  });

  it('a follower that lost its log (rejoining) is probed again from its real last index, match forgotten', () => {
    const progress = new Progress(1, 4, false);
    progress.maybeUpdate(9);
    progress.becomeReplicate();
    progress.optimisticUpdate(12);
    progress.inflights.add(12);
    progress.forgetMatch(0);
    expect([progress.state, progress.match, progress.next, progress.inflights.count]).toEqual(['probe', 0, 1, 0]);
    // From there a rejection backs off as for any probe, instead of looking stale.
    expect(progress.maybeDecreaseTo(0, 0)).toBe(true);
  });

  it('a rejection of an append we already moved past is stale and ignored', () => {
    const progress = new Progress(11, 4, false);
    expect(progress.maybeDecreaseTo(5, 2)).toBe(false);
    expect(progress.next).toBe(11);
  });

  it('a rejection in replicate state falls back to match + 1', () => {
    const progress = new Progress(1, 4, false);
    progress.maybeUpdate(4);
    progress.becomeReplicate();
    progress.optimisticUpdate(9);
    expect(progress.maybeDecreaseTo(3, 3)).toBe(false);
    expect(progress.maybeDecreaseTo(8, 6)).toBe(true);
    expect(progress.next).toBe(5);
  });

  it('snapshot state pauses sending; back to probe it resumes after the snapshot index', () => {
    const progress = new Progress(1, 4, false);
    progress.becomeSnapshot(20);
    expect(progress.isPaused()).toBe(true);
    progress.becomeProbe();
    expect(progress.state).toBe('probe');
    expect(progress.next).toBe(21);
  });
});
