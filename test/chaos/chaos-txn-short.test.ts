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
import { describe, it } from 'vitest';
import type { FaultKind } from './nemesis.ts';
import { runShortTxnChaos } from './txn-short-run.ts';

const seed = Number(process.env.CHAOS_SEED ?? '20261207');
const faults: FaultKind[] = ['kill', 'coordinator', 'pause', 'partition', 'replay'];

describe('transactional chaos (short)', () => {
  it('transactions through kill -9 of leaders and coordinators, pauses, partitions and replayed Produce requests: no aborted, lost, torn or duplicated read or write', async () => {
    await runShortTxnChaos({ seed, faults, producers: 'mixed' });
  }, 240_000);
});
