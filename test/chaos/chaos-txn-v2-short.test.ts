/**
 * The short transactional chaos run for transaction version 2 (KIP-890
 * part 2) in `npm test`: the same cluster, workload and checker as
 * chaos-txn-short.test.ts, with every producer Runnel's version 2 producer
 * (Produce v12, TxnOffsetCommit v5, EndTxn v5 raising the epoch at every
 * end) and every transactional fault kind, including the one version 1
 * cannot survive: old EndTxn requests replayed on new connections while
 * their producer runs its next transaction (Jepsen's 2024 Kafka finding),
 * beside replayed Produce requests, kill -9 of leaders and coordinators,
 * pauses and network partitions.
 * Replay a failure with CHAOS_SEED=<seed>; the long version is
 * `node scripts/chaos.ts --workload txn --minutes N`.
 */
import { describe, it } from 'vitest';
import type { FaultKind } from './nemesis.ts';
import { runShortTxnChaos } from './txn-short-run.ts';

const seed = Number(process.env.CHAOS_SEED ?? '20261208');
const faults: FaultKind[] = ['kill', 'coordinator', 'pause', 'partition', 'replay', 'replay-end-txn'];

describe('transactional chaos, transaction version 2 (short)', () => {
  it('replayed EndTxn and Produce requests, kill -9 of leaders and coordinators, pauses and partitions: no aborted, lost, torn or duplicated read or write', async () => {
    await runShortTxnChaos({ seed, faults, producers: 'tv2' });
  }, 240_000);
});
