/**
 * What the short transactional chaos runs in `npm test` share
 * (chaos-txn-short.test.ts, chaos-txn-v2-short.test.ts): about 30 s of
 * seeded faults, at least one round of every kind, then the checker's
 * verdict and the signs that the workload really ran — commits and aborts
 * enough that an idle workload cannot pass, copier commits, reads, commits
 * after the final heal, every fault kind applied and requests replayed.
 */
import { expect } from 'vitest';
import type { FaultKind } from './nemesis.ts';
import { describeTxnResult } from './txn-checker.ts';
import type { TxnProducerKind } from './txn-producers.ts';
import { runTxnChaos } from './txn-runner.ts';

export async function runShortTxnChaos(options: {
  seed: number;
  faults: readonly FaultKind[];
  producers: TxnProducerKind | 'mixed';
}): Promise<void> {
  const lines: string[] = [];
  const report = await runTxnChaos({
    durationMs: 30_000,
    seed: options.seed,
    faults: options.faults,
    producers: options.producers,
    holdMs: [1500, 3000],
    recoveryMsMax: 20_000,
    leaderBias: 1,
    // Every kind at least once, however slow the machine: the kinds are asserted below.
    roundsMin: 1,
    log: (line) => lines.push(line),
  });
  const context = `seed ${options.seed}, producers ${report.producers}, partitions ${report.partitionMode}\n${describeTxnResult(report.result)}\n${lines.join('\n')}\ndata: ${report.dataDir}`;
  expect(report.failures, context).toEqual([]);
  const counts = report.result.counts;
  expect(counts.committed, context).toBeGreaterThanOrEqual(50);
  expect(counts.aborted, context).toBeGreaterThan(0);
  // Copiers committed input offsets with their output: the read-process-write half ran.
  expect(report.copierCommits, context).toBeGreaterThan(0);
  expect(counts.reads, context).toBeGreaterThan(0);
  expect(report.commitsAfterHeal, context).toBeGreaterThan(0);
  expect([...new Set(report.faults.map((f) => f.kind))].sort(), context).toEqual([...options.faults].sort());
  expect(report.duplicatedRequests, context).toBeGreaterThan(0);
}
