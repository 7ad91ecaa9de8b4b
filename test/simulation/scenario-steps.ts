/**
 * Helpers for the scripted scenarios: a calm, lockstep cluster (every
 * message takes exactly one step, nothing is dropped, so a script controls
 * what is in flight) and waits that fail with the trace when a condition
 * does not come true in time.
 */
import { ReplicationCluster } from './replication-cluster.ts';
import type { SimRules } from './replication-rules.ts';

export async function scriptedCluster(options: {
  brokerCount: number;
  minIsr: number;
  rules: SimRules;
  lossAllowed?: boolean;
}): Promise<ReplicationCluster> {
  const cluster = await ReplicationCluster.start({
    seed: 1,
    brokerCount: options.brokerCount,
    minIsr: options.minIsr,
    rules: options.rules,
    lossAllowed: options.lossAllowed ?? false,
    links: { dropProbability: 0, delayStepsMin: 1, delayStepsMax: 1 },
    traceLinesMax: 200,
  });
  await waitFor(cluster, 'the brokers to take their roles', () => cluster.converged());
  return cluster;
}

/** Steps until `done`; throws with the trace tail if it does not happen within `stepsMax`. */
export async function waitFor(
  cluster: ReplicationCluster,
  what: string,
  done: () => boolean,
  stepsMax = 300,
): Promise<void> {
  if (await cluster.runUntil(done, stepsMax)) return;
  throw new Error(`timed out waiting for ${what}\n${cluster.scheduler.traceTail().join('\n')}`);
}

/** Produces `count` records one at a time, each acked before the next (a refused one is sent again). */
export async function produceAcked(cluster: ReplicationCluster, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const acked = cluster.stats.acked;
    for (let attempt = 0; cluster.stats.acked === acked; attempt++) {
      if (attempt >= 10)
        throw new Error(`record ${acked + 1} refused 10 times\n${cluster.scheduler.traceTail().join('\n')}`);
      const refused = cluster.stats.refused;
      cluster.produce(1);
      await waitFor(cluster, `ack ${acked + 1}`, () => cluster.stats.acked > acked || cluster.stats.refused > refused);
    }
  }
}

/** The violation the checker found, or null; a script that throws after a violation ends there. */
export async function outcome(cluster: ReplicationCluster, script: () => Promise<void>): Promise<string | null> {
  try {
    await script();
  } catch (error) {
    if (cluster.checker.violation === null) throw error;
  }
  const v = cluster.checker.violation;
  return v === null ? null : `${v.invariant}: ${v.detail}`;
}
