/**
 * Helpers for the scripted scenarios: a calm, lockstep cluster (every
 * message takes exactly one step, nothing is dropped, so a script controls
 * what is in flight) and waits that fail with the trace when a condition
 * does not come true in time.
 */
import { ReplicationCluster } from './replication-cluster.ts';
import type { ReplicationRules } from './replication-rules.ts';

export function scriptedCluster(options: {
  brokerCount: number;
  minIsr: number;
  rules: ReplicationRules;
  lossAllowed?: boolean;
}): ReplicationCluster {
  const cluster = new ReplicationCluster({
    seed: 1,
    brokerCount: options.brokerCount,
    minIsr: options.minIsr,
    rules: options.rules,
    lossAllowed: options.lossAllowed ?? false,
    links: { dropProbability: 0, delayStepsMin: 1, delayStepsMax: 1 },
    traceLinesMax: 200,
  });
  waitFor(cluster, 'the brokers to take their roles', () => cluster.converged());
  return cluster;
}

/** Steps until `done`; throws with the trace tail if it does not happen within `stepsMax`. */
export function waitFor(cluster: ReplicationCluster, what: string, done: () => boolean, stepsMax = 300): void {
  if (cluster.runUntil(done, stepsMax)) return;
  throw new Error(`timed out waiting for ${what}\n${cluster.scheduler.traceTail().join('\n')}`);
}

/** Produces `count` records one at a time, each acked before the next (a refused one is sent again). */
export function produceAcked(cluster: ReplicationCluster, count: number): void {
  for (let i = 0; i < count; i++) {
    const acked = cluster.stats.acked;
    for (let attempt = 0; cluster.stats.acked === acked; attempt++) {
      if (attempt >= 10)
        throw new Error(`record ${acked + 1} refused 10 times\n${cluster.scheduler.traceTail().join('\n')}`);
      const refused = cluster.stats.refused;
      cluster.produce(1);
      waitFor(cluster, `ack ${acked + 1}`, () => cluster.stats.acked > acked || cluster.stats.refused > refused);
    }
  }
}

/** The violation the checker found, or null; a rule that throws is a violation too. */
export function outcome(cluster: ReplicationCluster, script: () => void): string | null {
  try {
    script();
  } catch (error) {
    if (cluster.checker.violation === null) throw error;
  }
  const v = cluster.checker.violation;
  return v === null ? null : `${v.invariant}: ${v.detail}`;
}
