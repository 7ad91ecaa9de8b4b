/**
 * A bug the seeded runs found (README, "Findings"): the leader's
 * ReplicaTracker keeps a follower's log end offset across the follower's
 * restart, and if AlterPartition carried no broker epochs then after a power
 * loss the leader proposes the restarted broker back into the ISR on the
 * strength of records it no longer has, and the controller accepts as soon
 * as the broker is unfenced. Electing it then loses acked records. KIP-903
 * (broker epochs in AlterPartition) closes this.
 *
 * Runnel now sends, for each member a leader adds, the broker epoch it
 * fetched under, and the controller refuses stale ones; and a leader
 * forgets a follower's position when it leaves the ISR, so only a fetch made
 * after that can bring it back. The first test drops both and shows the
 * loss; the second runs Runnel's rules; the third keeps only the new-fetch
 * rule, which alone also keeps the restarted broker out here.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicationCluster } from './replication-cluster.ts';
import { newFetchOnlyRules, noIsrBrokerEpochRules, runnelRules, type SimRules } from './replication-rules.ts';
import { outcome, produceAcked, scriptedCluster, waitFor } from './scenario-steps.ts';

async function restartAfterPowerLoss(
  rules: SimRules,
  then: (cluster: ReplicationCluster) => Promise<void>,
): Promise<string | null> {
  const cluster = await scriptedCluster({ brokerCount: 3, minIsr: 2, rules });
  const partition = () => cluster.controller.partition;
  return outcome(cluster, async () => {
    const b3 = cluster.broker(3);
    await produceAcked(cluster, 2);
    for (const id of [1, 2, 3]) await cluster.flush(id);
    await produceAcked(cluster, 3);
    await waitFor(cluster, 'broker 3 holding all five', () => b3.logEndOffset === 5n);
    cluster.powerLoss(3);
    await waitFor(cluster, 'broker 3 out of the ISR', () => partition().isr.join() === '1,2');
    // Broker 3 reaches the controller but not the leader, so it never fetches.
    cluster.cutLink(1, 3);
    await cluster.restart(3);
    await waitFor(cluster, 'broker 3 unfenced', () => b3.serving && !cluster.controller.isFenced(3));
    await then(cluster);
  });
}

describe('ISR expansion after a follower restart (KIP-903)', () => {
  it('without broker epochs in AlterPartition (pre-KIP-903) a broker that lost records to a power loss rejoins the ISR before fetching, and can then be elected', async () => {
    let electedLog: bigint | null = null;
    const violation = await restartAfterPowerLoss(noIsrBrokerEpochRules, async (cluster) => {
      await waitFor(cluster, 'broker 3 back in the ISR', () => cluster.controller.partition.isr.includes(3));
      cluster.isolate(1);
      cluster.isolate(2);
      await waitFor(cluster, 'broker 3 leading', () => cluster.broker(3).role === 'leader');
      electedLog = cluster.broker(3).logEndOffset;
    });
    expect(violation).toMatch(/^acked-record-lost: ISR member 3 has nothing at offset 2, expected/);
    expect(electedLog).toBe(2n);
  });

  it.each([
    ['with broker epochs checked on ISR changes', runnelRules],
    ['without broker epochs but rejoining only on a new fetch', newFetchOnlyRules],
  ])('%s the restarted broker stays out until it has fetched', async (_what, rules) => {
    const violation = await restartAfterPowerLoss(rules, async (cluster) => {
      await cluster.run(100);
      expect(cluster.controller.partition.isr).toEqual([1, 2]);
      cluster.heal();
      await cluster.settle(600);
    });
    expect(violation).toBeNull();
  });
});
