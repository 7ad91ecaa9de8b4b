/**
 * What a fuzz target is: a generator of inputs from a seeded Random and a
 * runner that holds the target's invariants. An input is bytes (so a finding
 * is stored as a fixture file and replayed as is) plus whether the generator
 * left it valid, in which case it must be accepted, not merely survived.
 */
import type { Random } from '@runnel/common';

export const targetNames = ['kafka', 'batch', 'grpc', 'http', 'broker'] as const;
export type TargetName = (typeof targetNames)[number];

export interface FuzzInput {
  readonly bytes: Buffer;
  /** The generator built it valid and left it untouched: the target must accept it. */
  readonly valid: boolean;
}

/** How one input ended: a value ('accepted') or the target's typed refusal ('rejected'). */
export type Outcome = 'accepted' | 'rejected';

export interface FuzzTarget {
  readonly name: TargetName;
  /**
   * Whether nothing but the run allocates between its start and end (awaited
   * or not), so the heap and external-memory growth across it is its own
   * allocation (false for targets answered by a server on the event loop).
   */
  readonly measuresAllocation: boolean;
  /**
   * What one run of an input of `inputBytes` may allocate: a function of the
   * bytes present (and of ceilings the target configures), never of a length
   * the input declares.
   */
  allocationBytesMax(inputBytes: number): number;
  generate(rng: Random): FuzzInput;
  /** Resolves how the input ended; throws InvariantBroken when the target broke one of its invariants. */
  run(input: FuzzInput): Outcome | Promise<Outcome>;
  /** Releases what the target opened (servers); the runner calls it once at the end. */
  close(): Promise<void>;
}

/** A broken invariant: the fuzzer's finding. Anything else a target throws is a finding too. */
export class InvariantBroken extends Error {
  override name = 'InvariantBroken';
}

/**
 * The seed of input `index` of a run: every input has its own Random, so one
 * input is regenerated from (run seed, index) without replaying the others.
 * A murmur3-style finaliser spreads neighbouring indexes apart.
 */
export function inputSeed(runSeed: number, index: number): number {
  let z = (runSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
