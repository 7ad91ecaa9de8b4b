import { it } from 'vitest';
import { ReplicationCluster } from './replication-cluster.ts';
import { runReplicationSchedule, standardReplicationOptions } from './replication-schedule.ts';
it('debug', async () => {
  const seed = Number(process.env.SEED ?? 1);
  let cl: ReplicationCluster | null = null;
  const orig = ReplicationCluster.start;
  ReplicationCluster.start = async (o) => { cl = await orig.call(ReplicationCluster, { ...o, traceLinesMax: 400 }); return cl; };
  const origStep = ReplicationCluster.prototype.step;
  ReplicationCluster.prototype.step = async function (this: ReplicationCluster) {
    await origStep.call(this);
    const st = this.scheduler.step;
    if (st >= Number(process.env.S0 ?? 0) && st <= Number(process.env.S1 ?? 0)) {
      const b = this.broker(Number(process.env.B ?? 2));
      const e = b.producerState(2000n);
      console.log(st, 'LEO', b.logEndOffset, 'HWM', b.highWatermark, 'LSO', b.lastStableOffset, 'txn', e?.currentTxnFirstOffset, JSON.stringify(e?.batches, (_k, v) => typeof v === 'bigint' ? Number(v) : v));
    }
  };
  const r = await runReplicationSchedule(seed, { ...standardReplicationOptions(seed), exactlyOnce: true });
  console.log(r.violation);
  const c = cl as unknown as ReplicationCluster;
  for (const b of c.brokers.values()) {
    const recs = b.records();
    const markers: string[] = [];
    recs.forEach((x, o) => { if (x?.value.startsWith('marker')) markers.push(`${o}:${x.value}@e${x.epoch}`); });
    console.log(`b${b.id} LEO ${b.logEndOffset} HWM ${b.highWatermark} LSO ${b.lastStableOffset} markers ${markers.join(' ')}`);
  }
  console.log(r.trace.filter((l) => !/ISR|fetch unanswered/.test(l)).join('\n'));
}, 600_000);
