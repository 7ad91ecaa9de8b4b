/**
 * The part of a chaos run every workload shares: wait until the workload
 * demonstrably flows, cycle seeded rounds of faults for the run's duration
 * (waiting for full ISRs after each), heal everything, and check two
 * liveness conditions: full ISRs after the final heal, and progress after it.
 *
 * Called by the runners (runner.ts, txn-runner.ts) with the cluster they
 * own; a workload that never starts flowing throws, everything else comes
 * back as data.
 */
import { waitFor } from '../harness/wait.ts';
import type { ChaosCluster } from './chaos-cluster.ts';
import { type AppliedFault, type FaultKind, Nemesis } from './nemesis.ts';
import type { SeededRandom } from './seeded-random.ts';

export interface ScheduleOptions {
  durationMs: number;
  faults: readonly FaultKind[];
  /** How long each fault is held, drawn from [min, max]. */
  holdMs: readonly [number, number];
  /** Bound on waiting for full ISRs after each fault (twice that after the final heal). */
  recoveryMsMax: number;
  leaderBias?: number;
  /** The transactional ids the `coordinator` fault aims at. */
  transactionalIds?: readonly string[];
  log: (line: string) => void;
  /** The workload's progress count (acks, commits) and what it counts, for the log and the failures. */
  progress: () => number;
  progressName: string;
  /**
   * Whole rounds (every kind once) to finish even past `durationMs` (default
   * 0): a short run on a loaded machine still applies every kind it names.
   */
  roundsMin?: number;
  /** Progress needed before the first fault, and after the final heal. */
  flowingMin: number;
  afterHealMin: number;
}

export interface ScheduleResult {
  faults: AppliedFault[];
  failures: string[];
  progressAfterHeal: number;
}

export async function runSchedule(
  chaos: ChaosCluster,
  topic: string,
  partitions: number,
  random: SeededRandom,
  o: ScheduleOptions,
): Promise<ScheduleResult> {
  const replicated = (): Promise<boolean> => chaos.fullyReplicated(topic, partitions);
  const failures: string[] = [];
  const faults: AppliedFault[] = [];
  // Faults start once the workload is demonstrably flowing, not after a guessed warm-up.
  await waitFor(() => o.progress() >= o.flowingMin, {
    timeoutMs: 30_000,
    intervalMs: 50,
    what: `${o.flowingMin} ${o.progressName} before any fault`,
  });
  const nemesis = new Nemesis(chaos, topic, random, {
    log: o.log,
    ...(o.leaderBias === undefined ? {} : { leaderBias: o.leaderBias }),
    ...(o.transactionalIds === undefined ? {} : { transactionalIds: o.transactionalIds }),
  });
  const [holdMin, holdMax] = o.holdMs;
  const deadline = Date.now() + o.durationMs;
  const roundsMin = o.roundsMin ?? 0;
  for (let rounds = 0; Date.now() < deadline || rounds < roundsMin; rounds++) {
    for (const kind of nemesis.round(o.faults)) {
      if (Date.now() >= deadline && rounds >= roundsMin) break;
      const startMs = Date.now();
      const target = await nemesis.apply(kind, random.between(holdMin, holdMax));
      const recovered = await waitFor(replicated, { timeoutMs: o.recoveryMsMax, intervalMs: 250 }).catch(() => false);
      faults.push({ kind, target, startMs, endMs: Date.now(), recovered });
      o.log(
        `  ${recovered ? 'recovered' : 'NOT recovered'} after ${Date.now() - startMs} ms; ${o.progressName} so far ${o.progress()}`,
      );
    }
  }
  await chaos.healAll();
  const healed = await waitFor(replicated, { timeoutMs: o.recoveryMsMax * 2, intervalMs: 250 }).catch(() => false);
  if (!healed) failures.push(`ISRs not full after the final heal:\n${await chaos.describeReplication(topic)}`);
  const atHeal = o.progress();
  await waitFor(() => o.progress() > atHeal + o.afterHealMin, { timeoutMs: 15_000 }).catch(() => false);
  const progressAfterHeal = o.progress() - atHeal;
  if (progressAfterHeal === 0) failures.push(`no ${o.progressName} after the final heal`);
  return { faults, failures, progressAfterHeal };
}
