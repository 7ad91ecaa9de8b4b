/**
 * `npm run deps`: checks the dependency rule of docs/architecture.md
 * (scripts/deps/dependency-rule.ts) on this repository, or on the one named
 * by `--root <dir>`. Exits 1 and lists the violations.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDependencyRule } from './deps/dependency-rule.ts';

const { values } = parseArgs({ options: { root: { type: 'string' } } });
const violations = checkDependencyRule(resolve(values.root ?? resolve(import.meta.dirname, '..')));
if (violations.length > 0) {
  console.error(`dependency rule: ${violations.length} violation(s)`);
  for (const violation of violations) console.error(`  ${violation}`);
  process.exit(1);
}
console.log('dependency rule: ok');
