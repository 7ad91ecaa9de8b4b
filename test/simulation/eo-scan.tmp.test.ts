import { it } from 'vitest';
import { describeReplicationFailure, runReplicationSchedule, standardReplicationOptions } from './replication-schedule.ts';
it('scan', async () => {
  const from = Number(process.env.FROM ?? 1), to = Number(process.env.TO ?? 50);
  const tot: Record<string, number> = {};
  const bad: string[] = [];
  for (let seed = from; seed <= to; seed++) {
    const r = await runReplicationSchedule(seed, { ...standardReplicationOptions(seed), exactlyOnce: true });
    for (const [k, v] of Object.entries(r.stats.exactlyOnce ?? {})) tot[k] = (tot[k] ?? 0) + v;
    if (r.violation !== null) { bad.push(`${seed}: ${r.violation.invariant}`); if (bad.length <= 2) console.log(describeReplicationFailure(r, 'x')); }
  }
  console.log(JSON.stringify(tot), bad);
}, 600_000);
