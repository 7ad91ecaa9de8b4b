/**
 * Goal: find Raft safety and liveness bugs by running thousands of seeded
 * fault schedules (drops, delays, reordering, duplication, partitions,
 * crash-restarts that lose unsynced writes, snapshots, leadership
 * transfers) against the real RawNode, checking the invariants after every
 * step. Method: one schedule per seed; a failure prints its seed, the
 * violated invariant, a replay command and the trace tail.
 *
 * Replay one seed: RAFT_SEED=<seed> npx vitest run packages/testkit/test/raft-simulation.test.ts
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleResult } from '../src/index.ts';
import { describeFailure, runSchedule, standardScheduleOptions } from '../src/index.ts';

const testFile = 'packages/testkit/test/raft-simulation.test.ts';
const seedCount = 2000;
const batchSize = 250;
const replaySeed = process.env.RAFT_SEED;

function runSeeds(first: number, count: number): ScheduleResult[] {
  const failures: ScheduleResult[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const result = runSchedule(seed, standardScheduleOptions(seed));
    if (result.violation !== null) failures.push(result);
  }
  return failures;
}

function report(failures: readonly ScheduleResult[]): string {
  return failures.map((failure) => describeFailure(failure, testFile)).join('\n\n');
}

if (replaySeed === undefined) {
  describe('raft simulation', () => {
    for (let first = 1; first <= seedCount; first += batchSize) {
      const last = first + batchSize - 1;
      it(`seeds ${first}..${last} (3 and 5 nodes, faults on) keep every invariant and converge`, () => {
        const failures = runSeeds(first, batchSize);
        if (failures.length > 0) console.error(report(failures));
        expect(failures.map((failure) => `seed ${failure.seed}: ${failure.violation?.invariant}`)).toEqual([]);
      });
    }

    it('the same seed replays the same run exactly', () => {
      const first = runSchedule(42, standardScheduleOptions(42));
      const second = runSchedule(42, standardScheduleOptions(42));
      expect(second.stats).toEqual(first.stats);
      expect(second.traceTail).toEqual(first.traceTail);
      expect(first.stats.committed).toBeGreaterThan(0);
    });
  });
} else {
  describe('raft simulation replay', () => {
    it(`seed ${replaySeed} keeps every invariant and converges`, () => {
      const seed = Number(replaySeed);
      expect(Number.isInteger(seed)).toBe(true);
      const result = runSchedule(seed, { ...standardScheduleOptions(seed), traceLinesMax: 400 });
      console.log(describeFailure(result, testFile));
      console.log(JSON.stringify(result.stats));
      expect(result.violation).toBeNull();
    });
  });
}
