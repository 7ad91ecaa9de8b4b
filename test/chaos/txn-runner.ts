/**
 * One transactional chaos run (`--workload txn`, and chaos-txn-short.test.ts): a 3+3 cluster, an input
 * and an output topic (RF 3, min.insync.replicas 2), transactional
 * appenders writing the input, copiers copying it to the output with their
 * offsets in the same transactions, read_committed readers on both; seeded
 * faults against the input topic's leaders (which lead the output's too,
 * often enough); heal, settle, stop, read everything read_committed and
 * check it with txn-checker.ts.
 *
 * runTxnChaos owns the cluster and always stops it. Setup failures throw;
 * anomalies and liveness failures come back in the report.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosCluster, type PartitionMode } from './chaos-cluster.ts';
import { runSchedule } from './fault-schedule.ts';
import { type AppliedFault, type FaultKind, replayFaultKinds } from './nemesis.ts';
import { createChaosTopic } from './runner.ts';
import { SeededRandom } from './seeded-random.ts';
import { checkTxnHistory, type TxnCheckResult, txnViolations } from './txn-checker.ts';
import type { TxnProducerKind } from './txn-producers.ts';
import { TxnWorkload } from './txn-workload.ts';

export interface TxnChaosOptions {
  durationMs: number;
  seed: number;
  faults: readonly FaultKind[];
  partitions?: number;
  appenders?: number;
  copiers?: number;
  holdMs?: readonly [number, number];
  recoveryMsMax?: number;
  leaderBias?: number;
  /** Whole rounds of faults to finish even past `durationMs` (see fault-schedule.ts). */
  roundsMin?: number;
  /**
   * The workload's producers (txn-workload.ts). Default: all transaction
   * version 2 when the faults replay EndTxn (version 1 cannot be defended
   * against that), else 'mixed'.
   */
  producers?: TxnProducerKind | 'mixed';
  log?: (line: string) => void;
}

export interface TxnChaosReport {
  seed: number;
  faults: AppliedFault[];
  result: TxnCheckResult;
  /** Checker violations plus liveness failures; empty means the run passed. */
  failures: string[];
  workloadMs: number;
  commitsPerSecond: number;
  commitsAfterHeal: number;
  /** Committed copier transactions (input offsets committed with their output). */
  copierCommits: number;
  /** Client requests the replay faults sent again. */
  duplicatedRequests: number;
  partitionMode: PartitionMode;
  producers: TxnProducerKind | 'mixed';
  dataDir: string;
}

const inputTopic = 'chaos-txn-in';
const outputTopic = 'chaos-txn-out';

export async function runTxnChaos(options: TxnChaosOptions): Promise<TxnChaosReport> {
  const log = options.log ?? (() => {});
  const partitions = options.partitions ?? 4;
  const random = new SeededRandom(options.seed);
  const producers = options.producers ?? (options.faults.includes('replay-end-txn') ? 'tv2' : 'mixed');
  const chaos = await ChaosCluster.start({
    controllers: 3,
    brokers: 3,
    // Replaying clients' requests needs a proxy in front of every broker's Kafka listener.
    kafkaProxies: options.faults.some((f) => replayFaultKinds.includes(f)),
  });
  try {
    await createChaosTopic(chaos, inputTopic, partitions);
    await createChaosTopic(chaos, outputTopic, partitions);
    const workload = new TxnWorkload({
      bootstrap: () => chaos.cluster.bootstrap(chaos.brokerIds()),
      inputTopic,
      outputTopic,
      partitions,
      appenders: options.appenders ?? 3,
      copiers: options.copiers ?? 2,
      random,
      producers,
    });
    const workloadStart = Date.now();
    await workload.start();
    const schedule = await runSchedule(chaos, inputTopic, partitions, random, {
      durationMs: options.durationMs,
      faults: options.faults,
      holdMs: options.holdMs ?? [2000, 5000],
      recoveryMsMax: options.recoveryMsMax ?? 30_000,
      log,
      progress: () => workload.progress,
      progressName: 'commits',
      transactionalIds: workload.transactionalIds,
      flowingMin: 5,
      afterHealMin: 3,
      ...(options.leaderBias === undefined ? {} : { leaderBias: options.leaderBias }),
      ...(options.roundsMin === undefined ? {} : { roundsMin: options.roundsMin }),
    });
    await workload.stop();
    const workloadMs = Date.now() - workloadStart;
    await workload.finalRead();
    const history = workload.history();
    // Kept next to the processes' logs (txn-history.json, faults.json): the checker's samples name ids;
    // the history and the fault windows say where and when.
    const json = (v: unknown): string =>
      JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    await writeFile(join(chaos.cluster.rootDir, 'txn-history.json'), json(history));
    await writeFile(join(chaos.cluster.rootDir, 'faults.json'), json(schedule.faults));
    const result = checkTxnHistory(history);
    return {
      seed: options.seed,
      faults: schedule.faults,
      result,
      failures: [...txnViolations(result), ...schedule.failures],
      workloadMs,
      commitsPerSecond: result.counts.committed / (workloadMs / 1000),
      commitsAfterHeal: schedule.progressAfterHeal,
      duplicatedRequests: chaos.duplicatedRequests,
      copierCommits: history.txns.filter((t) => t.offsets !== undefined && t.outcome === 'committed').length,
      partitionMode: chaos.partitionMode,
      producers,
      dataDir: chaos.cluster.rootDir,
    };
  } catch (error) {
    throw new Error(`transactional chaos run failed (seed ${options.seed}; data and logs: ${chaos.cluster.rootDir})`, {
      cause: error,
    });
  } finally {
    await chaos.stop();
  }
}
