/**
 * The leader caps what a follower may ask for at its own
 * replica.fetch.response.max.bytes: a ReplicaFetch asking for 2^31 bytes
 * gets whole batches within the cap (the first whole even when larger),
 * read no further.
 */
import { brokerId, leaderEpoch, offset, partitionId, silentLogger } from '@runnel/common';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { leaderFetchHandler } from '../src/replication/leader-fetch-handler.ts';
import { ReplicationMetrics } from '../src/replication/replication-metrics.ts';
import { batchOf, manualTime, partitionOn, state, topicId, valuesIn } from './replication-fixture.ts';

const unit = batchOf('x'.repeat(1000)).length;

describe('leader fetch handler', () => {
  it('answers a follower asking for 2^31 bytes with at most replica.fetch.response.max.bytes', async () => {
    const time = manualTime();
    const leader = await partitionOn(1, time);
    leader.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs: 30_000 });
    for (let i = 0; i < 5; i++) {
      const appended = await leader.appendAsLeader(batchOf(`${i}`.padEnd(1000, '.')), 1, {
        acks: 1,
        minInsyncReplicas: 1,
        timeoutMs: 1_000,
      });
      if (!appended.ok) throw new Error(appended.error);
    }
    const metrics = new ReplicationMetrics(new Registry(), {
      partitions: () => [leader],
      minInsyncReplicas: () => 1,
      nowMs: () => time.clock.monotonicMs(),
    });
    const handler = leaderFetchHandler({
      lookup: (id, index) => (id === topicId && index === 0 ? leader : undefined),
      clock: time.clock,
      timers: time.timers,
      metrics,
      logger: silentLogger(),
      onFollowerProgress: () => {},
      responseBytesMax: () => Math.floor(2.5 * unit),
    });
    const answer = await handler(
      {
        replicaId: brokerId(2),
        brokerEpoch: 7n,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 2 ** 31 - 1,
        partitions: [
          {
            topicId,
            partition: partitionId(0),
            fetchOffset: offset(0n),
            lastFetchedEpoch: leaderEpoch(-1),
            currentLeaderEpoch: leaderEpoch(1),
            logStartOffset: offset(0n),
          },
        ],
      },
      new AbortController().signal,
    );
    const records = answer.partitions[0]?.records ?? Buffer.alloc(0);
    expect(records.length).toBe(2 * unit);
    expect(valuesIn([records])).toHaveLength(2);
    answer.release?.();
  });
});
