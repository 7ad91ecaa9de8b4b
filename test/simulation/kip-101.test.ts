/**
 * KIP-101's two failure scenarios, scripted on the replication model (the
 * broker's real Partition, fetcher and leader fetch handling). Each runs
 * under Runnel's rules (must pass) and under the rule KIP-101 replaced,
 * injected into that same code (must be caught), so the scenario really
 * exercises the rule.
 */
import { describe, expect, it } from 'vitest';
import {
  divergenceToHighWatermarkRules,
  highWatermarkTruncationRules,
  runnelRules,
  type SimRules,
} from './replication-rules.ts';
import { outcome, produceAcked, scriptedCluster, waitFor } from './scenario-steps.ts';

/**
 * Brokers 1 (leader), 2, 3, min ISR 1. Two records are acked; the followers
 * hold both but learned only the first HWM when leadership moves to 2.
 * Broker 3 starts following 2 and dies with 2 right after: 3 is elected.
 */
async function hwTruncationThenElection(rules: SimRules): Promise<string | null> {
  const cluster = await scriptedCluster({ brokerCount: 3, minIsr: 1, rules });
  return outcome(cluster, async () => {
    const [b1, b2, b3] = [cluster.broker(1), cluster.broker(2), cluster.broker(3)];
    await produceAcked(cluster, 1);
    await waitFor(cluster, 'followers at HWM 1', () => b2.highWatermark === 1n && b3.highWatermark === 1n);
    cluster.produce(1);
    await waitFor(cluster, 'leader HWM 2', () => b1.highWatermark === 2n);
    // The answers carrying HWM 2 never reach the followers; the producer's ack does.
    cluster.cutLink(1, 2);
    cluster.cutLink(1, 3);
    await waitFor(cluster, 'ack of the second record', () => cluster.stats.acked === 2);
    expect([b2.logEndOffset, b2.highWatermark, b3.logEndOffset, b3.highWatermark]).toEqual([2n, 1n, 2n, 1n]);
    await cluster.stopCleanly(1);
    await waitFor(
      cluster,
      'broker 3 following broker 2',
      () => b3.role === 'follower' && b3.leaderEpoch === b2.leaderEpoch,
    );
    cluster.crash(2);
    await waitFor(cluster, 'broker 3 leading', () => b3.role === 'leader');
    await cluster.run(20);
    await cluster.settle(600);
  });
}

/**
 * Brokers 1 (leader) and 2, min ISR 1. Both hold two committed records;
 * 2 has flushed only the first. Both lose power; 2 comes back first, leads
 * and takes a third record at offset 1; then 1 comes back with the old
 * record at offset 1. The acked record is lost (two hard failures are more
 * than Kafka promises to survive) but the logs must not diverge.
 */
async function divergenceAfterHardFailures(rules: SimRules): Promise<string | null> {
  const cluster = await scriptedCluster({ brokerCount: 2, minIsr: 1, rules, lossAllowed: true });
  return outcome(cluster, async () => {
    const [b1, b2] = [cluster.broker(1), cluster.broker(2)];
    await produceAcked(cluster, 1);
    await waitFor(cluster, 'follower at HWM 1', () => b2.highWatermark === 1n);
    await cluster.flush(2);
    await produceAcked(cluster, 1);
    await waitFor(cluster, 'follower at HWM 2', () => b2.highWatermark === 2n);
    await cluster.flush(1);
    b1.checkpointHighWatermark();
    b2.checkpointHighWatermark();
    cluster.powerLoss(1);
    cluster.powerLoss(2);
    expect([b1.logEndOffset, b2.logEndOffset]).toEqual([2n, 1n]);
    await waitFor(cluster, 'both fenced', () => cluster.controller.isFenced(1) && cluster.controller.isFenced(2));
    await cluster.restart(2);
    await waitFor(cluster, 'broker 2 leading', () => b2.role === 'leader');
    await produceAcked(cluster, 1);
    expect(b2.record(1n)?.value).toBe('v3');
    await cluster.restart(1);
    await cluster.settle(400);
  });
}

describe('KIP-101: truncate to the end of the common leader epoch, not to the high watermark', () => {
  it('HW truncation followed by immediate leader election: the new leader still holds every acked record', async () => {
    expect(await hwTruncationThenElection(runnelRules)).toBeNull();
  });

  it('HW truncation followed by immediate leader election: truncating to the HWM loses an acked record', async () => {
    expect(await hwTruncationThenElection(highWatermarkTruncationRules)).toMatch(
      /^acked-record-lost: ISR member 3 has/,
    );
  });

  it('replica divergence on restart after multiple hard failures: the returning replica truncates and converges', async () => {
    expect(await divergenceAfterHardFailures(runnelRules)).toBeNull();
  });

  it('replica divergence on restart after multiple hard failures: without epochs the ISR logs differ', async () => {
    expect(await divergenceAfterHardFailures(highWatermarkTruncationRules)).toMatch(/^isr-logs-differ: offset 1 /);
  });

  it('replica divergence on restart after multiple hard failures: truncating to the HWM on divergence never converges', async () => {
    expect(await divergenceAfterHardFailures(divergenceToHighWatermarkRules)).toMatch(/^no-convergence/);
  });
});
