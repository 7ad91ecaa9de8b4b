/**
 * KIP-966's "last replica standing", scripted on the replication model:
 * ISR {1,2,3}, min ISR 2; the brokers fall out one by one, the last ISR
 * member loses its unflushed records to a power loss and restarts unclean.
 * It must not be elected over the clean ELR member, and no acked record may
 * be lost. Under the pre-KIP-966 registration rule the checker must see
 * the loss.
 */
import { describe, expect, it } from 'vitest';
import { runnelRules, type SimRules, uncleanStaysEligibleRules } from './replication-rules.ts';
import { outcome, produceAcked, scriptedCluster, waitFor } from './scenario-steps.ts';

async function lastReplicaStanding(rules: SimRules): Promise<string | null> {
  const cluster = await scriptedCluster({ brokerCount: 3, minIsr: 2, rules });
  const partition = () => cluster.controller.partition;
  return outcome(cluster, async () => {
    const [b2, b3] = [cluster.broker(2), cluster.broker(3)];
    await produceAcked(cluster, 3);
    for (const id of [1, 2, 3]) await cluster.flush(id);

    cluster.isolate(1);
    await waitFor(
      cluster,
      'broker 2 leading without 1',
      () => b2.role === 'leader' && partition().isr.join() === '2,3',
    );
    expect(partition().elr).toEqual([]);
    await produceAcked(cluster, 3);

    cluster.isolate(2);
    await waitFor(cluster, 'broker 3 leading alone', () => b3.role === 'leader' && partition().isr.join() === '3');
    expect(partition().elr).toEqual([2]);
    // Below min ISR the producer is refused rather than acked.
    const refused = cluster.stats.refused;
    cluster.produce(1);
    await waitFor(cluster, 'the refusal', () => cluster.stats.refused > refused);

    // Broker 3 flushed only the first three records: the three acked under broker 2 are in its page cache.
    cluster.powerLoss(3);
    expect(b3.logEndOffset).toBe(3n);
    await waitFor(cluster, 'no leader', () => partition().leader === -1);
    expect(partition().elr).toEqual([2, 3]);
    await cluster.restart(3);
    await waitFor(cluster, 'broker 3 registered and unfenced', () => b3.serving && !cluster.controller.isFenced(3));
    await cluster.run(50);
    // The unclean survivor is no longer eligible; the partition waits for broker 2.
    expect(partition()).toMatchObject({ leader: -1, elr: [2] });

    cluster.heal();
    await waitFor(cluster, 'broker 2 leading again', () => b2.role === 'leader' && partition().leader === 2);
    await cluster.settle(600);
    expect(cluster.stats.acked).toBeGreaterThanOrEqual(6);
  });
}

describe('KIP-966: eligible leader replicas', () => {
  it('last replica standing: the unclean survivor is not elected, the clean ELR member leads, no acked record is lost', async () => {
    expect(await lastReplicaStanding(runnelRules)).toBeNull();
  });

  it('last replica standing: if an unclean restart stayed eligible, the survivor would lead and acked records would be lost', async () => {
    expect(await lastReplicaStanding(uncleanStaysEligibleRules)).toMatch(
      /^acked-record-lost: ISR member 3 has nothing at offset 3/,
    );
  });
});
