/**
 * How a generator script hands over its output: formatted with the repo's
 * biome, then written, or (with --check) compared with what is on disk so
 * CI fails on a stale generated file. Shared by gen-protocol-types.ts and
 * gen-proto-types.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');

/** True when the file is up to date (check) or was written; false when a check found it stale. */
export function emitGenerated(target: string, source: string, options: { check: boolean }): boolean {
  const name = relative(repoRoot, target);
  const formatted = execFileSync(join(repoRoot, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${name}`], {
    cwd: repoRoot,
    input: source,
    encoding: 'utf8',
  });
  if (!options.check) {
    writeFileSync(target, formatted);
    return true;
  }
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale.
  }
  if (current === formatted) return true;
  console.error(`${name} is stale: run \`npm run gen\``);
  return false;
}
