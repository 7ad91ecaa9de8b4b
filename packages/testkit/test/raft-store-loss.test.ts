/**
 * Goal: a voter whose store is lost (damaged, moved aside) and that
 * restarts empty in its old configuration, rejoining (RaftConfig.rejoining),
 * keeps every Raft invariant: it neither votes nor campaigns until it has
 * copied the log from a leader. Method: the seeded schedules of
 * raft-simulation.test.ts without membership changes, with a down voter now
 * and then losing its store (one at a time); and the same schedules with the
 * rule switched off, which must be caught losing committed entries.
 *
 * Replay one seed: RAFT_SEED=<seed> npx vitest run packages/testkit/test/raft-store-loss.test.ts
 */
import { describe, expect, it } from 'vitest';
import type { RaftImplementation, ScheduleOptions, ScheduleResult } from '../src/index.ts';
import { describeFailure, rawNodeImplementation, runSchedule, standardScheduleOptions } from '../src/index.ts';

const testFile = 'packages/testkit/test/raft-store-loss.test.ts';
const replaySeed = process.env.RAFT_SEED;

/** Seeds without membership changes (those are the seeds not divisible by 3), store losses on. */
function options(seed: number, implementation: RaftImplementation = rawNodeImplementation): ScheduleOptions {
  return { ...standardScheduleOptions(seed), storeLosses: true, implementation };
}

const seeds = Array.from({ length: 400 }, (_, i) => i + 1).filter((seed) => seed % 3 !== 0);

/** A raft whose nodes are never told they rejoin: an empty node votes at once. */
const forgetsItRejoins: RaftImplementation = {
  createStorage: rawNodeImplementation.createStorage,
  createNode: (config) => rawNodeImplementation.createNode({ ...config, rejoining: false }),
};

if (replaySeed === undefined) {
  describe('raft simulation with lost stores', () => {
    it('voters that lose their store and rejoin keep every invariant and converge', () => {
      const failures: ScheduleResult[] = [];
      let storeLosses = 0;
      for (const seed of seeds) {
        const result = runSchedule(seed, options(seed));
        storeLosses += result.stats.storeLosses;
        if (result.violation !== null) failures.push(result);
      }
      if (failures.length > 0) console.error(failures.map((f) => describeFailure(f, testFile)).join('\n\n'));
      expect(failures.map((f) => `seed ${f.seed}: ${f.violation?.invariant}`)).toEqual([]);
      expect(storeLosses).toBeGreaterThan(100);
    });

    it('without the rejoin rule, an empty voter is caught helping to lose committed entries', () => {
      let failure: ScheduleResult | null = null;
      for (const seed of seeds) {
        const result = runSchedule(seed, options(seed, forgetsItRejoins));
        if (result.violation === null) continue;
        failure = result;
        break;
      }
      // Seed 1: the empty voter elects a leader that never had an entry committed in an earlier term.
      expect(failure?.violation?.invariant).toBe('leader-completeness');
    });
  });
} else {
  describe('raft simulation with lost stores, replay', () => {
    it(`seed ${replaySeed} keeps every invariant and converges`, () => {
      const seed = Number(replaySeed);
      const result = runSchedule(seed, { ...options(seed), traceLinesMax: 400 });
      console.log(describeFailure(result, testFile));
      console.log(JSON.stringify(result.stats));
      expect(result.violation).toBeNull();
    });
  });
}
