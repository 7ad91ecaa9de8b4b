/**
 * Goal: find Raft safety and liveness bugs by running thousands of seeded
 * fault schedules (drops, delays, reordering, duplication, partitions,
 * crash-restarts that lose unsynced writes, snapshots, leadership
 * transfers) against the real RawNode, checking the invariants after every
 * step. Method: one schedule per seed; a failure prints its seed, the
 * violated invariant, a replay command and the trace tail.
 *
 * Membership: a third of the seeds start 3 voters with spare ids and add
 * learners, promote them, remove voters (the leader too) and re-add removed
 * nodes wiped empty, under the same faults.
 *
 * Replay one seed: RAFT_SEED=<seed> npx vitest run packages/testkit/test/raft-simulation.test.ts
 * Run more seeds:  RAFT_SEEDS=20000 npx vitest run packages/testkit/test/raft-simulation.test.ts
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleResult } from '../src/index.ts';
import { describeFailure, runSchedule, standardScheduleOptions } from '../src/index.ts';

const testFile = 'packages/testkit/test/raft-simulation.test.ts';
const seedCount = Number(process.env.RAFT_SEEDS ?? 2000);
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
    it('RAFT_SEEDS is a positive whole number of seeds', () => {
      expect(Number.isInteger(seedCount) && seedCount > 0).toBe(true);
    });

    for (let first = 1; first <= seedCount; first += batchSize) {
      const last = Math.min(first + batchSize - 1, seedCount);
      it(`seeds ${first}..${last} (3 to 5 nodes, faults and membership changes) keep every invariant and converge`, () => {
        const failures = runSeeds(first, last - first + 1);
        if (failures.length > 0) console.error(report(failures));
        expect(failures.map((failure) => `seed ${failure.seed}: ${failure.violation?.invariant}`)).toEqual([]);
      });
    }

    it('membership seeds change the configuration, including wiping and re-adding removed nodes', () => {
      let confChanges = 0;
      let wipes = 0;
      for (let seed = 3; seed <= 90; seed += 3) {
        const options = standardScheduleOptions(seed);
        expect(options.membershipChanges).toBe(true);
        const result = runSchedule(seed, options);
        expect(result.violation).toBeNull();
        confChanges += result.stats.confChanges;
        wipes += result.stats.wipes;
      }
      expect(confChanges).toBeGreaterThan(30);
      expect(wipes).toBeGreaterThan(0);
    });

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
