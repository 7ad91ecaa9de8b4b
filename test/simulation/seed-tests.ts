/**
 * The tests every seeded-schedule file registers (inside its describe):
 * one test per batch of seeds, a replay check, and the single-seed replay
 * a developer runs with the file's seed variable. A batch fails naming
 * each violated seed, and prints its invariant, replay command and trace
 * tail; the replay prints the trace on failure and the counts on success.
 */
import { expect, it } from 'vitest';
import { describeReplicationFailure, type ReplicationScheduleResult } from './replication-schedule.ts';

export interface SeedTests {
  readonly testFile: string;
  /** The environment variable that sets the seed count (REPL_SEEDS, EO_SEEDS). */
  readonly countVariable: string;
  run(seed: number): Promise<ReplicationScheduleResult>;
}

export function seedBatchTests(tests: SeedTests, seedCount: number, batchSize: number, claim: string): void {
  it(`${tests.countVariable} is a positive whole number of seeds`, () => {
    expect(Number.isInteger(seedCount) && seedCount > 0).toBe(true);
  });
  for (let first = 1; first <= seedCount; first += batchSize) {
    const last = Math.min(first + batchSize - 1, seedCount);
    it(`seeds ${first}..${last} ${claim}`, async () => {
      const failures: ReplicationScheduleResult[] = [];
      for (let seed = first; seed <= last; seed++) {
        const result = await tests.run(seed);
        if (result.violation !== null) failures.push(result);
      }
      if (failures.length > 0)
        console.error(
          failures.map((f) => describeReplicationFailure(f, tests.testFile, seedVariable(tests))).join('\n\n'),
        );
      expect(failures.map((f) => `seed ${f.seed}: ${f.violation?.invariant}`)).toEqual([]);
    });
  }
}

/** Two runs of `seed` give the same trace and counts (and the run had faults to replay). */
export function sameTraceTest(run: (seed: number) => Promise<ReplicationScheduleResult>, seed: number): void {
  it('a seed replays exactly: the same seed gives the same trace and counts', async () => {
    const [first, second] = [await run(seed), await run(seed)];
    expect(second.stats).toEqual(first.stats);
    expect(second.trace).toEqual(first.trace);
    expect(first.stats.faults).toBeGreaterThan(0);
  });
}

export function replayTest(tests: SeedTests, seed: number): void {
  it(`seed ${seed} keeps every invariant and converges`, async () => {
    const result = await tests.run(seed);
    if (result.violation !== null)
      console.error(describeReplicationFailure(result, tests.testFile, seedVariable(tests)));
    else console.log(`seed ${seed}: ok`, result.stats);
    expect(result.violation).toBeNull();
  });
}

/** The variable that replays one seed: the count variable without its plural (REPL_SEEDS -> REPL_SEED). */
function seedVariable(tests: SeedTests): string {
  return tests.countVariable.replace(/S$/, '');
}
