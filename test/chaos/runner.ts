/**
 * One chaos run, end to end: a 3-controller, 3-broker cluster behind fault
 * proxies; a topic with RF 3 and min.insync.replicas 2; the workload
 * running while the nemesis cycles seeded rounds of faults; then heal
 * everything, wait for full ISRs, let the healed cluster take writes for a
 * moment, stop the workload, read every partition from 0 and check the
 * history.
 *
 * runChaos owns the cluster it starts and always stops it. Setup failures
 * throw; anomalies and liveness failures come back in the report.
 */
import { KafkaClient } from '@runnel/client';
import { waitFor } from '../harness/wait.ts';
import { ChaosCluster, type PartitionMode } from './chaos-cluster.ts';
import { type CheckResult, checkHistory, violations } from './checker.ts';
import { runSchedule } from './fault-schedule.ts';
import { HistoryRecorder } from './history.ts';
import { type AppliedFault, type FaultKind, replayFaultKinds, transactionalFaultKinds } from './nemesis.ts';
import { SeededRandom } from './seeded-random.ts';
import { Workload } from './workload.ts';

/**
 * `queue`: plain acks=all producers (duplicates allowed); `idempotent-queue`:
 * idempotent producers, where duplicates and reorderings fail the run.
 */
export const workloadKinds = ['queue', 'idempotent-queue'] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

export function isWorkloadKind(name: string): name is WorkloadKind {
  return (workloadKinds as readonly string[]).includes(name);
}

export interface ChaosOptions {
  /** Which workload runs under the faults (default `queue`). */
  workload?: WorkloadKind;
  /** How long faults keep coming (the run takes longer: setup, recovery, final read). */
  durationMs: number;
  seed: number;
  faults: readonly FaultKind[];
  partitions?: number;
  producers?: number;
  /** How long each fault is held, drawn from [min, max]. */
  holdMs?: readonly [number, number];
  /** Bound on waiting for full ISRs after each fault and after the final heal. */
  recoveryMsMax?: number;
  /** Chance that a broker fault targets a partition leader (default 0.75). */
  leaderBias?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  workload: WorkloadKind;
  faults: AppliedFault[];
  result: CheckResult;
  /** Pass-criteria violations plus liveness failures; empty means the run passed. */
  failures: string[];
  /** Milliseconds from the workload's start to the final read. */
  workloadMs: number;
  acksPerSecond: number;
  acksAfterHeal: number;
  consumerResets: number;
  /** The first few consumer resets: partition, reader position, end offset then. */
  consumerResetSamples: readonly string[];
  /** What a partition cut in this run (see ChaosCluster.partitionMode). */
  partitionMode: PartitionMode;
  /** Client requests the `replay` fault sent a second time. */
  duplicatedRequests: number;
  dataDir: string;
}

const topic = 'chaos';

/** Creates `name` with RF 3 and min.insync.replicas 2 and waits until every broker reports full ISRs. */
export async function createChaosTopic(chaos: ChaosCluster, name: string, partitions: number): Promise<void> {
  const client = await KafkaClient.connect({ bootstrap: chaos.cluster.bootstrap(), allowAutoTopicCreation: false });
  try {
    const [result] = await client.createTopics([
      { name, numPartitions: partitions, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    if (result?.errorCode !== 0) throw new Error(`creating ${name} failed: ${JSON.stringify(result)}`);
  } finally {
    client.close();
  }
  await waitFor(() => chaos.fullyReplicated(name, partitions), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `${name} fully replicated`,
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const partitions = options.partitions ?? 6;
  const [holdMin, holdMax] = options.holdMs ?? [2000, 5000];
  const recoveryMsMax = options.recoveryMsMax ?? 30_000;
  const random = new SeededRandom(options.seed);
  const workloadKind = options.workload ?? 'queue';
  const transactional = options.faults.filter((f) => transactionalFaultKinds.includes(f));
  if (transactional.length > 0) throw new Error(`fault ${transactional.join(',')} needs the txn workload`);
  const idempotent = workloadKind === 'idempotent-queue';
  const chaos = await ChaosCluster.start({
    controllers: 3,
    brokers: 3,
    // Replaying clients' requests needs a proxy in front of every broker's Kafka listener.
    kafkaProxies: options.faults.some((f) => replayFaultKinds.includes(f)),
  });
  const failures: string[] = [];
  try {
    await createChaosTopic(chaos, topic, partitions);
    const history = new HistoryRecorder();
    const workload = new Workload({
      bootstrap: () => chaos.cluster.bootstrap(chaos.brokerIds()),
      topic,
      partitions,
      producers: options.producers ?? 3,
      history,
      idempotent,
    });
    const workloadStart = Date.now();
    await workload.start();
    const schedule = await runSchedule(chaos, topic, partitions, random, {
      durationMs: options.durationMs,
      faults: options.faults,
      holdMs: [holdMin, holdMax],
      recoveryMsMax,
      log,
      progress: () => history.ackCount,
      progressName: 'acks',
      flowingMin: 50,
      afterHealMin: 20,
      ...(options.leaderBias === undefined ? {} : { leaderBias: options.leaderBias }),
    });
    failures.push(...schedule.failures);
    await workload.stop();
    const workloadMs = Date.now() - workloadStart;
    await workload.finalRead();
    const result = checkHistory(history.snapshot(), { idempotent });
    failures.unshift(...violations(result));
    return {
      seed: options.seed,
      workload: workloadKind,
      faults: schedule.faults,
      result,
      failures,
      workloadMs,
      acksPerSecond: result.counts.acked / (workloadMs / 1000),
      acksAfterHeal: schedule.progressAfterHeal,
      consumerResets: workload.consumerResets,
      consumerResetSamples: workload.consumerResetSamples,
      partitionMode: chaos.partitionMode,
      duplicatedRequests: chaos.duplicatedRequests,
      dataDir: chaos.cluster.rootDir,
    };
  } catch (error) {
    // A harness failure (a process that would not restart, a setup timeout) still needs its logs found.
    throw new Error(`chaos run failed (seed ${options.seed}; data and logs: ${chaos.cluster.rootDir})`, {
      cause: error,
    });
  } finally {
    await chaos.stop();
  }
}
