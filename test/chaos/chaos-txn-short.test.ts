/**
 * The short transactional chaos run in `npm test`: about 30 s (and at least
 * one round of every kind) of seeded kill -9 of partition leaders and of
 * transaction coordinators, SIGSTOP pauses, network partitions and old
 * Produce requests replayed on new connections, against a real 3+3 cluster
 * under transactional appenders and read-process-write copiers with
 * read_committed readers; half the producers kafkajs (transaction version
 * 1), half Runnel's version 2 producer (chaos-txn-v2-short.test.ts adds
 * replayed EndTxn requests, with version 2 producers only).
 * After healing, the history must show none of the anomalies
 * txn-checker.ts knows (aborted reads, lost, duplicated or torn writes,
 * skipped or torn reads, producer-order inversions, lost or duplicated
 * copies, ...), with commits and aborts enough that an idle workload
 * cannot pass, and every fault kind applied.
 * Replay a failure with CHAOS_SEED=<seed>; the long version is
 * `node scripts/chaos.ts --workload txn --minutes N`.
 */
import { describe, expect, it } from 'vitest';
import type { FaultKind } from './nemesis.ts';
import { describeTxnResult } from './txn-checker.ts';
import { runTxnChaos } from './txn-runner.ts';

const seed = Number(process.env.CHAOS_SEED ?? '20261207');
const faults: FaultKind[] = ['kill', 'coordinator', 'pause', 'partition', 'replay'];

describe('transactional chaos (short)', () => {
  it('transactions through kill -9 of leaders and coordinators, pauses, partitions and replayed Produce requests: no aborted, lost, torn or duplicated read or write', async () => {
    const lines: string[] = [];
    const report = await runTxnChaos({
      durationMs: 30_000,
      seed,
      faults,
      holdMs: [1500, 3000],
      recoveryMsMax: 20_000,
      leaderBias: 1,
      // Every kind at least once, however slow the machine: the kinds are asserted below.
      roundsMin: 1,
      log: (line) => lines.push(line),
    });
    const context = `seed ${seed}, partitions ${report.partitionMode}\n${describeTxnResult(report.result)}\n${lines.join('\n')}\ndata: ${report.dataDir}`;
    expect(report.failures, context).toEqual([]);
    const counts = report.result.counts;
    expect(counts.committed, context).toBeGreaterThanOrEqual(50);
    expect(counts.aborted, context).toBeGreaterThan(0);
    // Copiers committed input offsets with their output: the read-process-write half ran.
    expect(report.copierCommits, context).toBeGreaterThan(0);
    expect(counts.reads, context).toBeGreaterThan(0);
    expect(report.commitsAfterHeal, context).toBeGreaterThan(0);
    expect([...new Set(report.faults.map((f) => f.kind))].sort(), context).toEqual([...faults].sort());
    expect(report.duplicatedRequests, context).toBeGreaterThan(0);
  }, 240_000);
});
