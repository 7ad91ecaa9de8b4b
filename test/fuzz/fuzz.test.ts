/**
 * The fuzzer in `npm test`: 100,000 inputs of one fixed seed, shared among
 * the targets as `npm run fuzz` shares them, then every fixture a long run
 * ever recorded. A failure names the seed and the input's index; `npm run
 * fuzz -- --seed S --start I --inputs 1 --target T` runs that input alone.
 */
import type { Random } from '@runnel/common';
import { afterAll, describe, expect, it } from 'vitest';
import { readFixtures } from './fuzz-fixtures.ts';
import { checkInput, generateInput, runTarget } from './fuzz-runner.ts';
import type { FuzzInput, FuzzTarget, TargetName } from './fuzz-target.ts';
import { targetNames } from './fuzz-target.ts';
import { createTarget, inputsPerTarget } from './fuzz-targets.ts';

const seed = 20261207;
const inputsTotal = 100_000;

describe('fuzzing with a fixed seed', () => {
  const targets = new Map<TargetName, FuzzTarget>();
  const target = (name: TargetName): FuzzTarget => {
    let t = targets.get(name);
    if (t === undefined) {
      t = createTarget(name);
      targets.set(name, t);
    }
    return t;
  };
  afterAll(async () => {
    for (const t of targets.values()) await t.close();
  });

  // Targets with no share (the whole broker) run from `npm run fuzz -- --target <name>` only.
  for (const [name, inputs] of inputsPerTarget(inputsTotal).filter(([, n]) => n > 0)) {
    it(`${name}: ${inputs} generated and damaged inputs break no invariant`, async () => {
      const stats = await runTarget(target(name), { seed, inputs });
      const found = stats.findings.map((f) => `seed ${f.seed} index ${f.index}: ${f.message}`);
      expect(found).toEqual([]);
      // Both paths must be exercised: valid inputs accepted and damaged ones refused.
      expect(stats.accepted).toBeGreaterThan(inputs / 50);
      expect(stats.rejected).toBeGreaterThan(inputs / 10);
    });
  }

  it('every recorded fixture replays without breaking an invariant', async () => {
    const fixtures = readFixtures();
    expect(fixtures.length).toBeGreaterThan(0);
    for (const fixture of fixtures) {
      const checked = await checkInput(target(fixture.meta.target), fixture.input);
      expect(checked.ok ? 'ok' : checked.message, fixture.name).toBe('ok');
    }
  });
});

describe('the fuzzer itself', () => {
  it('the same seed and index regenerate the same input, for every target', () => {
    for (const name of targetNames) {
      const t = createTarget(name);
      for (const index of [0, 1, 977]) {
        expect(generateInput(t, seed, index).bytes.equals(generateInput(t, seed, index).bytes)).toBe(true);
      }
      expect(generateInput(t, seed, 1).bytes.equals(generateInput(t, seed, 2).bytes)).toBe(false);
    }
  });

  /** A decoder that trusts the int32 length at the start of its input. */
  const trusting: FuzzTarget = {
    name: 'kafka',
    measuresAllocation: true,
    allocationBytesMax: (inputBytes) => 1024 * 1024 + 256 * inputBytes,
    generate: (rng: Random): FuzzInput => ({ bytes: rng.bytes(8), valid: false }),
    run: (input) => {
      const declared = input.bytes.readInt32BE(0);
      if (declared < 0 || declared > 64 * 1024 * 1024) throw new TypeError('not a typed error');
      Buffer.alloc(declared).fill(1);
      return 'accepted';
    },
    close: async () => {},
  };

  it('an allocation sized by a declared length rather than the bytes present is a finding', async () => {
    const input = Buffer.alloc(8);
    input.writeInt32BE(32 * 1024 * 1024, 0);
    const checked = await checkInput(trusting, { bytes: input, valid: false });
    expect(checked.ok ? 'ok' : checked.message).toMatch(/^allocated \d+ bytes for a 8-byte input/);
  });

  it('an exception other than the typed refusal is a finding', async () => {
    const checked = await checkInput(trusting, { bytes: Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0]), valid: false });
    expect(checked.ok ? 'ok' : checked.message).toBe('threw TypeError: not a typed error');
  });
});
