import { it } from 'vitest';
import { ReplicationCluster } from './replication-cluster.ts';
import { describeReplicationFailure, runReplicationSchedule, standardReplicationOptions } from './replication-schedule.ts';
it('debug', async () => {
  const seed = Number(process.env.SEED ?? 1);
  const orig = ReplicationCluster.prototype.settle;
  ReplicationCluster.prototype.settle = async function (this: ReplicationCluster, n: number) {
    await orig.call(this, n);
    const c = this.clients!;
    console.log('idle', c.idempotent.idle, c.transactional.idle, c.coordinator.idle, c.idempotent.inTransaction, c.transactional.inTransaction);
    console.log((c.idempotent as any), JSON.stringify(c.idempotent.stats), JSON.stringify(c.transactional.stats));
  };
  const r = await runReplicationSchedule(seed, { ...standardReplicationOptions(seed), exactlyOnce: true });
  console.log(describeReplicationFailure(r, 'x').split('\n').slice(0, 2).join('\n'));
}, 600_000);
