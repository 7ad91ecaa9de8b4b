/**
 * The long chaos run's command line (started by scripts/chaos.ts):
 * `--minutes N [--seed S] [--faults kill,pause,partition,controller,rolling,replay,coordinator,replay-end-txn]
 * [--workload queue|idempotent-queue|txn] [--producers tv2|kafkajs|mixed]` (by default every fault kind
 * the workload takes; `coordinator` and `replay-end-txn` only with `txn`, and `replay-end-txn` only
 * when every producer speaks transaction version 2: the txn workload's default producers then, else
 * 'mixed'; see txn-runner.ts).
 * Cycles seeded
 * rounds of faults against a real 3+3 cluster for N minutes under a
 * produce/consume workload, heals, reads everything back and checks it
 * (test/chaos/checker.ts). Prints a summary; exits 1 on any anomaly or
 * liveness failure, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { describeResult } from './checker.ts';
import { type AppliedFault, type FaultKind, faultKinds, isFaultKind, transactionalFaultKinds } from './nemesis.ts';
import { isWorkloadKind, runChaos, workloadKinds } from './runner.ts';
import { describeTxnResult } from './txn-checker.ts';
import { runTxnChaos } from './txn-runner.ts';

const usageText =
  `usage: npm run chaos -- --minutes N [--seed S] [--faults ${faultKinds.join(',')}]\n` +
  `         [--workload ${[...workloadKinds, 'txn'].join('|')}] [--producers tv2|kafkajs|mixed]\n\n` +
  'Cycles seeded rounds of faults against a real 3-controller, 3-broker cluster for N minutes (default 5)\n' +
  'under a produce/consume workload, heals, reads everything back and checks it: no acknowledged record\n' +
  'lost, duplicated or reordered (txn: no aborted, torn or duplicated read). By default every fault kind\n' +
  "the workload takes. --seed repeats a run's schedule. Exits 1 on any anomaly, 2 on bad arguments.\n" +
  'Method and recorded runs: test/chaos/README.md.\n';

function usage(message: string): never {
  process.stderr.write(`${message}\n${usageText}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    workload: { type: 'string', default: 'queue' },
    producers: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(usageText);
  process.exit(0);
}
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) usage(`--minutes must be a positive number, got ${values.minutes}`);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got ${values.seed}`);
const workload = values.workload;
if (!isWorkloadKind(workload) && workload !== 'txn') usage(`unknown workload "${workload}"`);
const producers = values.producers;
if (producers !== undefined && producers !== 'kafkajs' && producers !== 'tv2' && producers !== 'mixed') {
  usage(`--producers must be kafkajs, tv2 or mixed, got ${producers}`);
}
if (producers !== undefined && workload !== 'txn') usage('--producers needs --workload txn');
// By default every fault kind the workload can take (the transactional ones only with txn); replay-end-txn
// only with transaction version 2 producers alone: no broker can defend transaction version 1 clients
// against it (README "Replaying old requests").
const defaultFaults = faultKinds.filter(
  (f) =>
    (workload === 'txn' || !transactionalFaultKinds.includes(f)) &&
    (f !== 'replay-end-txn' || producers === undefined || producers === 'tv2'),
);
const faults: FaultKind[] = [];
for (const name of (values.faults ?? defaultFaults.join(',')).split(',')) {
  if (!isFaultKind(name)) usage(`unknown fault "${name}"`);
  if (workload !== 'txn' && transactionalFaultKinds.includes(name)) usage(`fault "${name}" needs --workload txn`);
  faults.push(name);
}

const partitionModes = {
  'two-way': 'two-way (network namespaces: broker <-> brokers and broker -> controllers cut)',
  inbound: 'one-way (loopback proxies: fetches from the broker and broker -> controllers cut; its own fetches pass)',
  controllers: 'controller traffic only (brokers have no replication listener)',
} as const;

const startedAt = Date.now();
const stamp = (): string => `[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s]`;
console.log(`chaos: ${minutes} min, seed ${seed}, faults ${faults.join(',')}, workload ${workload}`);
const log = (line: string): void => console.log(`${stamp()} ${line}`);
const durationMs = minutes * 60_000;

function printFaults(applied: readonly AppliedFault[]): void {
  const perKind = new Map<string, { applied: number; unrecovered: number }>();
  for (const f of applied) {
    const entry = perKind.get(f.kind) ?? { applied: 0, unrecovered: 0 };
    entry.applied++;
    if (!f.recovered) entry.unrecovered++;
    perKind.set(f.kind, entry);
  }
  console.log(
    `faults: ${[...perKind].map(([k, v]) => `${k} ${v.applied}${v.unrecovered > 0 ? ` (${v.unrecovered} not recovered in time)` : ''}`).join(', ') || 'none'}`,
  );
}

let failures: string[];
if (workload === 'txn') {
  const report = await runTxnChaos({
    durationMs,
    seed,
    faults,
    log,
    ...(producers === undefined ? {} : { producers }),
  });
  console.log('\n== chaos summary ==');
  console.log(
    `seed ${report.seed}; producers ${report.producers}; workload ${(report.workloadMs / 1000).toFixed(1)} s; ${report.commitsPerSecond.toFixed(1)} commits/s`,
  );
  printFaults(report.faults);
  console.log(`partitions: ${partitionModes[report.partitionMode]}`);
  console.log(
    `commits after final heal ${report.commitsAfterHeal}; copier commits ${report.copierCommits}; replayed requests ${report.duplicatedRequests}`,
  );
  console.log(describeTxnResult(report.result));
  console.log(`data dirs: ${report.dataDir}`);
  failures = report.failures;
} else {
  const report = await runChaos({ workload, durationMs, seed, faults, log });
  console.log('\n== chaos summary ==');
  console.log(
    `seed ${report.seed}; workload ${(report.workloadMs / 1000).toFixed(1)} s; ${report.acksPerSecond.toFixed(1)} acks/s`,
  );
  printFaults(report.faults);
  console.log(`partitions: ${partitionModes[report.partitionMode]}`);
  console.log(
    `acks after final heal ${report.acksAfterHeal}; consumer offset resets ${report.consumerResets}; replayed requests ${report.duplicatedRequests}`,
  );
  if (report.consumerResetSamples.length > 0) console.log(`  resets: ${report.consumerResetSamples.join('; ')}`);
  console.log(describeResult(report.result));
  console.log(`data dirs: ${report.dataDir}`);
  failures = report.failures;
}
if (failures.length > 0) {
  console.log(`FAIL: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('PASS');
