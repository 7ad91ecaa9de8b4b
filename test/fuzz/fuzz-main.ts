/**
 * `npm run fuzz -- --inputs N [--seed S] [--target kafka|batch|grpc|http] [--start I] [--hang-seconds H]`
 *
 * Runs each target's share of N inputs in a worker thread, prints inputs/s
 * and findings per target, writes every finding as a fixture under
 * test/fuzz/fixtures/<target>/ (replayed by fuzz.test.ts from then on) and
 * exits 1 if there was any. Input I of seed S is always the same input:
 * `--seed S --start I --inputs 1 --target T` runs exactly that one again.
 * A worker that stays on one input for --hang-seconds (default 30) is a
 * hang: it is stopped and that input becomes a fixture like any other.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { writeFixture } from './fuzz-fixtures.ts';
import type { Finding, RunStats } from './fuzz-runner.ts';
import { generateInput } from './fuzz-runner.ts';
import type { TargetName } from './fuzz-target.ts';
import { targetNames } from './fuzz-target.ts';
import { createTarget, inputsPerTarget } from './fuzz-targets.ts';

const usage =
  'usage: npm run fuzz -- --inputs N [--seed S] [--target kafka|batch|grpc|http] [--start I] [--hang-seconds H]';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    target: { type: 'string' },
    start: { type: 'string', default: '0' },
    'hang-seconds': { type: 'string', default: '30' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const inputs = Number(values.inputs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(values.seed);
const startIndex = Number(values.start);
const hangMs = Number(values['hang-seconds']) * 1000;
const only = values.target;
if (
  !Number.isSafeInteger(inputs) ||
  inputs < 1 ||
  !Number.isSafeInteger(seed) ||
  seed < 0 ||
  seed >= 2 ** 32 ||
  !Number.isSafeInteger(startIndex) ||
  startIndex < 0 ||
  !(hangMs > 0) ||
  (only !== undefined && !(targetNames as readonly string[]).includes(only))
) {
  console.error(usage);
  process.exit(2);
}

/** Runs one target in a worker; resolves its stats, or a single hang finding if it stopped making progress. */
function runInWorker(target: TargetName, count: number): Promise<RunStats> {
  const progress = new SharedArrayBuffer(8);
  const view = new Int32Array(progress);
  const worker = new Worker(new URL('./fuzz-worker.ts', import.meta.url), {
    workerData: { target, seed, inputs: count, startIndex, progress },
  });
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    let lastStarted = 0;
    let lastChange = performance.now();
    let lastReport = performance.now();
    const watch = setInterval(() => {
      // Inputs started, not the index: the index reads 0 before the worker has loaded, which is no hang.
      const started = Atomics.load(view, 1);
      const index = Atomics.load(view, 0);
      const now = performance.now();
      if (started !== lastStarted || started === 0) {
        lastStarted = started;
        lastChange = now;
      } else if (now - lastChange > hangMs) {
        clearInterval(watch);
        void worker.terminate();
        const input = generateInput(createTarget(target), seed, index);
        const finding: Finding = { target, seed, index, input, message: `no result within ${hangMs / 1000} s (hang)` };
        resolve(hangStats(target, started - 1, finding, now - startedAt));
        return;
      }
      if (now - lastReport > 10_000) {
        lastReport = now;
        const done = Atomics.load(view, 1);
        console.log(`  ${target}: ${done}/${count} inputs, ${Math.round((done / (now - startedAt)) * 1000)}/s`);
      }
    }, 250);
    worker.once('message', (stats: RunStats) => {
      clearInterval(watch);
      resolve(stats);
    });
    worker.once('error', (e) => {
      clearInterval(watch);
      reject(e);
    });
  });
}

function hangStats(target: TargetName, done: number, finding: Finding, elapsedMs: number): RunStats {
  return { target, inputs: done, accepted: 0, rejected: 0, findings: [finding], elapsedMs, allocationMaxBytes: 0 };
}

console.log(`fuzz: seed ${seed}, ${inputs} inputs, from index ${startIndex}`);
let findings = 0;
for (const [target, count] of inputsPerTarget(inputs, only as TargetName | undefined)) {
  if (count === 0) continue;
  const stats = await runInWorker(target, count);
  const perSecond = Math.round((stats.inputs / stats.elapsedMs) * 1000);
  console.log(
    `${target}: ${stats.inputs} inputs in ${(stats.elapsedMs / 1000).toFixed(1)} s (${perSecond}/s), ` +
      `${stats.accepted} accepted, ${stats.rejected} rejected, largest allocation ${stats.allocationMaxBytes} bytes, ` +
      `${stats.findings.length} crashes`,
  );
  for (const finding of stats.findings) {
    // Buffers arrive from the worker as Uint8Arrays.
    const input = { bytes: Buffer.from(finding.input.bytes), valid: finding.input.valid };
    const path = writeFixture({ ...finding, input });
    console.log(`  CRASH seed ${finding.seed} index ${finding.index}: ${finding.message}\n    fixture ${path}`);
  }
  findings += stats.findings.length;
}
console.log(`fuzz: seed ${seed}: ${findings} crashes`);
process.exit(findings > 0 ? 1 : 0);
