/**
 * Runs one target's share of a fuzz run off the main thread, so the main
 * thread can watch it: before each input the worker stores the input's index
 * in shared memory, and a worker stuck on one index (an endless loop in a
 * decoder) is terminated by fuzz-main.ts, which regenerates that input from
 * the seed and the index.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTarget } from './fuzz-runner.ts';
import type { TargetName } from './fuzz-target.ts';
import { createTarget } from './fuzz-targets.ts';

interface WorkerJob {
  target: TargetName;
  seed: number;
  inputs: number;
  startIndex: number;
  /** [0]: the index being run; [1]: inputs started. */
  progress: SharedArrayBuffer;
}

const job = workerData as WorkerJob;
const progress = new Int32Array(job.progress);
const target = createTarget(job.target);
const stats = await runTarget(target, {
  seed: job.seed,
  inputs: job.inputs,
  startIndex: job.startIndex,
  onInput: (index) => {
    Atomics.store(progress, 0, index);
    Atomics.add(progress, 1, 1);
  },
});
await target.close();
parentPort?.postMessage(stats);
