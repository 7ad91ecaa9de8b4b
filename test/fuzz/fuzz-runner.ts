/**
 * The fuzz loop: input `index` of a run is generated from its own Random
 * (inputSeed(seed, index)), run through the target, and checked. A finding
 * names the run seed and the index, which regenerate the same input, and
 * carries the input itself, which fixtures keep.
 *
 * Allocation is measured with v8.getHeapStatistics (about 1 µs, where
 * process.memoryUsage costs ~40): growth of the JS heap plus external memory
 * (Buffer backing stores) across one run of a target that measures it (one
 * with no server answering on the event loop meanwhile). A garbage collection
 * during the run only lowers the figure, so a run above the bound really
 * allocated that much: a decoder that trusted a declared length.
 */
import { getHeapStatistics } from 'node:v8';
import { Random } from '@runnel/common';
import type { FuzzInput, FuzzTarget, Outcome, TargetName } from './fuzz-target.ts';
import { InvariantBroken, inputSeed } from './fuzz-target.ts';

export interface Finding {
  readonly target: TargetName;
  readonly seed: number;
  readonly index: number;
  readonly input: FuzzInput;
  readonly message: string;
}

export interface RunStats {
  readonly target: TargetName;
  readonly inputs: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly findings: readonly Finding[];
  readonly elapsedMs: number;
  /** The largest allocation one run made, in bytes (0 for targets not measured). */
  readonly allocationMaxBytes: number;
}

/**
 * The usual allocation bound: a fixed allowance for the decoded objects of a
 * small input and for codec working memory, plus a multiple of the bytes
 * present (a decoded object per byte or two, each a few dozen bytes).
 */
export const allocationBaseBytes = 8 * 1024 * 1024;
export const allocationBytesPerInputByte = 256;

function allocatedBytes(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

function describe(e: unknown): string {
  if (e instanceof InvariantBroken) return e.message;
  return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

/** Runs one input and checks it; resolves its outcome with the bytes it allocated, or a finding's message. */
export async function checkInput(
  target: FuzzTarget,
  input: FuzzInput,
): Promise<{ ok: true; outcome: Outcome; allocated: number } | { ok: false; message: string }> {
  let outcome: Outcome;
  let allocated = 0;
  try {
    const before = allocatedBytes();
    const ran = target.run(input);
    // A target that measures allocation runs nothing else meanwhile, awaited or not (its servers, if any, do not).
    outcome = ran instanceof Promise ? await ran : ran;
    if (target.measuresAllocation) allocated = Math.max(0, allocatedBytes() - before);
  } catch (e) {
    return { ok: false, message: describe(e) };
  }
  const bound = target.allocationBytesMax(input.bytes.length);
  if (allocated > bound) {
    return {
      ok: false,
      message: `allocated ${allocated} bytes for a ${input.bytes.length}-byte input (bound ${bound})`,
    };
  }
  return { ok: true, outcome, allocated };
}

export function generateInput(target: FuzzTarget, seed: number, index: number): FuzzInput {
  return target.generate(new Random(inputSeed(seed, index)));
}

export interface RunOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly startIndex?: number;
  /** Stop after this many findings (default 10): one bug tends to be found many times. */
  readonly findingsMax?: number;
  /** Called before each input with its index (a watchdog's progress mark). */
  readonly onInput?: (index: number) => void;
}

export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<RunStats> {
  const started = performance.now();
  const findingsMax = options.findingsMax ?? 10;
  const findings: Finding[] = [];
  let accepted = 0;
  let rejected = 0;
  let allocationMaxBytes = 0;
  let ran = 0;
  const first = options.startIndex ?? 0;
  for (let index = first; index < first + options.inputs && findings.length < findingsMax; index++) {
    options.onInput?.(index);
    const input = generateInput(target, options.seed, index);
    const checked = await checkInput(target, input);
    ran++;
    if (!checked.ok) {
      findings.push({ target: target.name, seed: options.seed, index, input, message: checked.message });
      continue;
    }
    if (checked.outcome === 'accepted') accepted++;
    else rejected++;
    if (checked.allocated > allocationMaxBytes) allocationMaxBytes = checked.allocated;
  }
  return {
    target: target.name,
    inputs: ran,
    accepted,
    rejected,
    findings,
    elapsedMs: performance.now() - started,
    allocationMaxBytes,
  };
}
