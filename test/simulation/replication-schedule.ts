/**
 * A seeded random run of the replication model: `faultSteps` steps of
 * produce, consume, flush and faults (kill -9, power loss, controlled stop,
 * restart, pause, isolation, cut links, heal) under a lossy, reordering
 * network, then the liveness phase (ReplicationCluster.settle). Options are
 * a function of the seed, so the seed is all a replay needs.
 *
 * The fault budget keeps to what Kafka promises: seeds with power loss
 * allow at most min.insync.replicas − 1 unclean shutdowns (kill -9 counts:
 * the controller cannot tell it from a power loss), so an acked record
 * always survives on a replica the controller may elect (KIP-966). Seeds
 * without power loss kill -9 freely: no data is lost on disk, so no loss is
 * ever acceptable. A power loss keeps a random prefix of each file's
 * unsynced tail (torn batches included), so the log's own recovery runs.
 */
import type { LinkFaults } from './message-network.ts';
import type { ReplicationViolation } from './replication-checker.ts';
import { ReplicationCluster } from './replication-cluster.ts';
import { runnelRules, type SimRules } from './replication-rules.ts';

export interface ReplicationScheduleOptions {
  readonly brokerCount: number;
  readonly minIsr: number;
  readonly powerLoss: boolean;
  /** Unclean shutdowns (kill -9 or power loss) allowed in the run. */
  readonly uncleanShutdownsMax: number;
  readonly faultSteps: number;
  readonly settleStepsMax: number;
  readonly faultProbability: number;
  readonly links: LinkFaults;
  readonly rules: SimRules;
  /** Also run the idempotent and transactional producers, the coordinator and a read_committed consumer. */
  readonly exactlyOnce?: boolean;
  /** The exactly-once clients' transaction version; 1 unless set. */
  readonly transactionVersion?: 1 | 2;
}

export interface ReplicationScheduleResult {
  readonly seed: number;
  readonly options: ReplicationScheduleOptions;
  readonly violation: ReplicationViolation | null;
  readonly stats: ReplicationCluster['stats'] & { steps: number; exactlyOnce: ExactlyOnceStats | null };
  readonly trace: string[];
}

export function standardReplicationOptions(seed: number, rules: SimRules = runnelRules): ReplicationScheduleOptions {
  const brokerCount = seed % 5 === 0 ? 4 : 3;
  const minIsr = brokerCount === 3 ? (seed % 3 === 0 ? 1 : 2) : 2 + (seed % 2);
  const powerLoss = seed % 2 === 0 && minIsr >= 2;
  return {
    brokerCount,
    minIsr,
    powerLoss,
    uncleanShutdownsMax: powerLoss ? minIsr - 1 : Number.POSITIVE_INFINITY,
    faultSteps: 500,
    settleStepsMax: 600,
    faultProbability: 0.03,
    links: { dropProbability: 0.02, delayStepsMin: 0, delayStepsMax: 4 },
    rules,
  };
}

type Fault = 'crash' | 'power-loss' | 'stop' | 'restart' | 'pause' | 'resume' | 'isolate' | 'cut' | 'heal';
const faults: readonly Fault[] = [
  'crash',
  'power-loss',
  'stop',
  'restart',
  'restart',
  'pause',
  'resume',
  'isolate',
  'cut',
  'heal',
  'heal',
];

export async function runReplicationSchedule(
  seed: number,
  options: ReplicationScheduleOptions,
): Promise<ReplicationScheduleResult> {
  const cluster = await ReplicationCluster.start({
    seed,
    brokerCount: options.brokerCount,
    minIsr: options.minIsr,
    rules: options.rules,
    links: options.links,
    tornPowerLoss: true,
    checkEverySteps: 3,
    exactlyOnce: options.exactlyOnce ?? false,
    transactionVersion: options.transactionVersion ?? 1,
  });
  const clients = cluster.clients;
  const random = cluster.scheduler.random;
  const ids = [...cluster.brokers.keys()];
  let unclean = 0;
  try {
    for (let i = 0; i < options.faultSteps && cluster.checker.violation === null; i++) {
      if (random.bool(0.3)) cluster.produce(random.int(1, 3));
      if (clients !== null) {
        if (random.bool(0.3)) clients.idempotent.produce(random.int(1, 3));
        if (random.bool(0.1)) clients.beginTransaction(random.int(1, 10));
        if (random.bool(0.005)) clients.coordinator.failOver();
        if (random.bool(0.01)) clients.idempotent.bumpEpoch();
        if (random.bool(0.01)) clients.transactional.bumpEpoch();
        if (random.bool(0.01)) clients.replayZombie();
      }
      if (random.bool(0.1)) await cluster.read(random.pick(ids));
      if (random.bool(0.05)) await cluster.flush(random.pick(ids));
      if (random.bool(0.05)) cluster.broker(random.pick(ids)).checkpointHighWatermark();
      if (random.bool(options.faultProbability)) {
        const fault = random.pick(faults);
        const id = random.pick(ids);
        const b = cluster.broker(id);
        const mayLoseProcess = b.up && unclean < options.uncleanShutdownsMax;
        if (fault === 'crash' && mayLoseProcess) {
          unclean += 1;
          cluster.crash(id);
        } else if (fault === 'power-loss' && options.powerLoss && mayLoseProcess) {
          unclean += 1;
          cluster.powerLoss(id);
        } else if (fault === 'stop' && b.up) await cluster.stopCleanly(id);
        else if (fault === 'restart' && !b.up) await cluster.restart(id);
        else if (fault === 'pause' && b.up && !b.paused) cluster.pause(id);
        else if (fault === 'resume' && b.paused) cluster.resume(id);
        else if (fault === 'isolate') cluster.isolate(id);
        else if (fault === 'cut') cluster.cutLink(id, random.pick(ids.filter((other) => other !== id)));
        else if (fault === 'heal') cluster.heal();
      }
      await cluster.step();
    }
    if (cluster.checker.violation === null) await cluster.settle(options.settleStepsMax);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    cluster.checker.fail('crashed', detail);
  }
  return {
    seed,
    options,
    violation: cluster.checker.violation,
    stats: { ...cluster.stats, steps: cluster.scheduler.step, exactlyOnce: exactlyOnceStats(cluster) },
    trace: cluster.scheduler.traceTail(),
  };
}

export interface ExactlyOnceStats {
  readonly batches: number;
  readonly resends: number;
  /** Acks the log answered from its duplicate table (a resend of a batch it already had). */
  readonly duplicates: number;
  readonly staleAnswers: number;
  readonly staleRefusals: number;
  readonly epochBumps: number;
  readonly commits: number;
  readonly aborts: number;
  readonly markerRetries: number;
  readonly verified: number;
  readonly verifyRefused: number;
  readonly committedReads: number;
  readonly skippedAborted: number;
  /** Version 2: epochs raised by ends, adds that found the previous transaction ending, adds of a partition already in. */
  readonly endEpochs: number;
  readonly addsWhileEnding: number;
  readonly addsAgain: number;
  readonly asksAgain: number;
  /** Version 2: first batches of a next transaction at a leader before the previous transaction's marker. */
  readonly nextTxnBeforeMarker: number;
  readonly zombieReplays: number;
  readonly zombiesRefused: number;
}

function exactlyOnceStats(cluster: ReplicationCluster): ExactlyOnceStats | null {
  const c = cluster.clients;
  if (c === null) return null;
  const [i, t, k] = [c.idempotent.stats, c.transactional.stats, c.coordinator.stats];
  return {
    batches: i.batches + t.batches,
    resends: i.resends + t.resends,
    duplicates: i.duplicates + t.duplicates,
    staleAnswers: i.staleAnswers + t.staleAnswers,
    staleRefusals: i.staleRefusals + t.staleRefusals,
    epochBumps: i.epochBumps + t.epochBumps,
    commits: k.commits,
    aborts: k.aborts,
    markerRetries: k.markerRetries,
    verified: k.verified,
    verifyRefused: k.refused,
    committedReads: c.consumer.delivered.values.length,
    skippedAborted: c.consumer.skippedAborted,
    endEpochs: t.endEpochs,
    addsWhileEnding: k.addsWhileEnding,
    addsAgain: k.addsAgain,
    asksAgain: k.asksAgain,
    nextTxnBeforeMarker: c.stats.nextTxnBeforeMarker,
    zombieReplays: c.stats.zombieReplays,
    zombiesRefused: c.stats.zombiesRefused,
  };
}

/** A failed seed's invariant, replay command (`seedVariable`=seed) and trace tail. */
export function describeReplicationFailure(
  result: ReplicationScheduleResult,
  testFile: string,
  seedVariable = 'REPL_SEED',
): string {
  const v = result.violation;
  const o = result.options;
  return [
    `replication seed ${result.seed} (${o.brokerCount} brokers, min ISR ${o.minIsr}, power loss ${o.powerLoss}, rules ${o.rules.name}${o.exactlyOnce ? `, exactly-once clients (transaction version ${o.transactionVersion ?? 1})` : ''}):`,
    `  ${v?.invariant ?? 'ok'} at step ${v?.step ?? '-'}: ${v?.detail ?? ''}`,
    `  replay: ${seedVariable}=${result.seed} npx vitest run ${testFile}`,
    '  trace tail:',
    ...result.trace.map((line) => `    ${line}`),
  ].join('\n');
}
