/**
 * Regression fixtures: every finding is kept as
 * `test/fuzz/fixtures/<target>/<hash>.bin` (the input bytes, exactly) with a
 * `<hash>.json` beside it (the seed and index that generated it, whether it was
 * valid, and what broke), and fuzz.test.ts replays every one on every run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './fuzz-runner.ts';
import type { FuzzInput, TargetName } from './fuzz-target.ts';
import { targetNames } from './fuzz-target.ts';

export const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;

export interface FixtureMeta {
  readonly target: TargetName;
  readonly seed: number;
  readonly index: number;
  readonly valid: boolean;
  /** What the input broke when it was found. */
  readonly message: string;
}

export interface Fixture {
  readonly name: string;
  readonly meta: FixtureMeta;
  readonly input: FuzzInput;
}

/** Writes a finding as a fixture; returns the .bin path. The same bytes give the same name. */
export function writeFixture(finding: Finding, dir = fixturesDir): string {
  const hash = createHash('sha256').update(finding.input.bytes).digest('hex').slice(0, 16);
  const targetDir = join(dir, finding.target);
  mkdirSync(targetDir, { recursive: true });
  const meta: FixtureMeta = {
    target: finding.target,
    seed: finding.seed,
    index: finding.index,
    valid: finding.input.valid,
    message: finding.message,
  };
  writeFileSync(join(targetDir, `${hash}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  const path = join(targetDir, `${hash}.bin`);
  writeFileSync(path, finding.input.bytes);
  return path;
}

function isTargetName(value: unknown): value is TargetName {
  return typeof value === 'string' && (targetNames as readonly string[]).includes(value);
}

export function readFixtures(dir = fixturesDir): Fixture[] {
  const out: Fixture[] = [];
  for (const target of targetNames) {
    const targetDir = join(dir, target);
    if (!existsSync(targetDir)) continue;
    for (const file of readdirSync(targetDir).sort()) {
      if (!file.endsWith('.bin')) continue;
      const name = file.slice(0, -'.bin'.length);
      const meta = JSON.parse(readFileSync(join(targetDir, `${name}.json`), 'utf8')) as Record<string, unknown>;
      if (!isTargetName(meta.target) || typeof meta.valid !== 'boolean') {
        throw new Error(`fixture ${target}/${name}.json: missing target or valid`);
      }
      out.push({
        name: `${target}/${name}`,
        meta: {
          target: meta.target,
          seed: Number(meta.seed),
          index: Number(meta.index),
          valid: meta.valid,
          message: String(meta.message),
        },
        input: { bytes: readFileSync(join(targetDir, file)), valid: meta.valid },
      });
    }
  }
  return out;
}
