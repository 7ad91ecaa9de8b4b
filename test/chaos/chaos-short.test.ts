/**
 * The short chaos run in `npm test`: about a minute of seeded kill -9 of
 * partition leaders, SIGSTOP pauses and network partitions against a real
 * 3+3 cluster under an acks=all workload (RF 3, min.insync.replicas 2).
 * After healing, the history must show no lost, vanished or misplaced
 * write, and enough acks that a dead cluster cannot pass. A second run does
 * the same with idempotent producers, plus old Produce requests replayed
 * on new connections; there a duplicate or a producer's records out of send
 * order fail it too.
 * Replay a failure with CHAOS_SEED=<seed>; the long version is
 * `node scripts/chaos.ts --minutes N`.
 */
import { describe, expect, it } from 'vitest';
import { describeResult } from './checker.ts';
import { runChaos } from './runner.ts';

const seed = Number(process.env.CHAOS_SEED ?? '20261126');
const acksMin = 200;

describe('chaos (short)', () => {
  it('kill -9 of leaders, pauses and partitions under acks=all: no acknowledged write lost, no inconsistent or vanished offsets', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      durationMs: 40_000,
      seed,
      faults: ['kill', 'pause', 'partition'],
      holdMs: [1500, 3000],
      recoveryMsMax: 20_000,
      leaderBias: 1,
      log: (line) => lines.push(line),
    });
    const context = `seed ${seed}, partitions ${report.partitionMode}\n${describeResult(report.result)}\n${lines.join('\n')}\ndata: ${report.dataDir}`;
    expect(report.failures, context).toEqual([]);
    expect(report.result.counts.acked, context).toBeGreaterThanOrEqual(acksMin);
    expect(report.acksAfterHeal, context).toBeGreaterThan(0);
    const kinds = new Set(report.faults.map((f) => f.kind));
    expect([...kinds].sort(), context).toEqual(['kill', 'partition', 'pause']);
    expect(
      report.faults.filter((f) => f.kind === 'kill').every((f) => f.target.includes('leader of')),
      context,
    ).toBe(true);
  }, 180_000);

  it('idempotent producers through kill -9 of leaders, pauses, partitions and replayed old Produce requests: every acknowledged record once, in send order', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      workload: 'idempotent-queue',
      durationMs: 30_000,
      seed: seed + 1,
      faults: ['kill', 'pause', 'partition', 'replay'],
      holdMs: [1500, 3000],
      recoveryMsMax: 20_000,
      leaderBias: 1,
      log: (line) => lines.push(line),
    });
    const context = `seed ${seed + 1}, partitions ${report.partitionMode}\n${describeResult(report.result)}\n${lines.join('\n')}\ndata: ${report.dataDir}`;
    expect(report.result.idempotent, context).toBe(true);
    expect(report.failures, context).toEqual([]);
    expect(report.result.duplicates, context).toEqual([]);
    expect(report.result.counts.acked, context).toBeGreaterThanOrEqual(acksMin);
    expect(report.acksAfterHeal, context).toBeGreaterThan(0);
    expect(new Set(report.faults.map((f) => f.kind)).size, context).toBe(4);
    // The replay fault really sent old Produce requests again.
    expect(report.duplicatedRequests, context).toBeGreaterThan(0);
  }, 180_000);
});
