import { assert, Random } from '@runnel/common';

/**
 * The one source of nondeterminism in a simulation: a seeded Random that
 * every choice draws from (network delays, drops, which node runs next, raft
 * election timeouts), a step counter and a simulated clock in ticks. Same
 * seed, same run, so a failing schedule replays exactly from its seed.
 *
 * Owned by one simulation run (RaftCluster or a test); never shared between
 * runs. It holds no I/O, so there is nothing to recover after an error: a run
 * that throws is discarded and replayed from its seed.
 */
export class Scheduler {
  readonly seed: number;
  readonly random: Random;
  readonly #traceLines: string[] = [];
  readonly #traceLinesMax: number;
  #step = 0;
  #tick = 0;

  constructor(seed: number, traceLinesMax = 40) {
    assert(traceLinesMax > 0, 'trace must keep at least one line');
    this.seed = seed;
    this.random = new Random(seed);
    this.#traceLinesMax = traceLinesMax;
  }

  /** Scheduler steps taken so far; message delays are measured in steps. */
  get step(): number {
    return this.#step;
  }

  /** Simulated clock: raft ticks elapsed. */
  get tick(): number {
    return this.#tick;
  }

  advanceStep(): void {
    this.#step += 1;
  }

  advanceTick(): void {
    this.#tick += 1;
  }

  /** Records one event in the bounded trace ring (only the tail is kept for reports). */
  note(line: string): void {
    this.#traceLines.push(`#${this.#step} t${this.#tick} ${line}`);
    if (this.#traceLines.length > this.#traceLinesMax) this.#traceLines.shift();
  }

  traceTail(): string[] {
    return [...this.#traceLines];
  }
}
