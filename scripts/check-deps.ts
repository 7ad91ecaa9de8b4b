/**
 * The dependency-direction rule of docs/architecture.md, checked rather than
 * hoped for. Every import of a @runnel/* package, and every @runnel/*
 * dependency in a package.json, must be allowed by the table below; a
 * relative import may not leave its package. Exits 1 and lists violations.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const allowed: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  raft: ['common'],
  storage: ['common', 'protocol'],
  metadata: ['common', 'protocol'],
  rpc: ['common', 'raft', 'metadata', 'protocol'],
  controller: ['common', 'raft', 'rpc', 'metadata', 'protocol'],
  broker: ['common', 'protocol', 'storage', 'rpc', 'metadata'],
  client: ['common', 'protocol'],
  gateway: ['common', 'client', 'protocol'],
  testkit: ['common', 'protocol', 'storage', 'raft', 'metadata'],
  cli: [
    'common',
    'protocol',
    'storage',
    'raft',
    'rpc',
    'metadata',
    'controller',
    'broker',
    'client',
    'gateway',
    'testkit',
  ],
};

const root = resolve(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const violations: string[] = [];

function* tsFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'build') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (entry.endsWith('.ts')) yield path;
  }
}

const importPattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const pkg of readdirSync(packagesDir)) {
  const pkgDir = join(packagesDir, pkg);
  if (!statSync(pkgDir).isDirectory()) continue;
  const allow = allowed[pkg];
  if (allow === undefined) {
    violations.push(`packages/${pkg}: not in the dependency table of scripts/check-deps.ts`);
    continue;
  }
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    const m = /^@runnel\/(.+)$/.exec(dep);
    if (m?.[1] !== undefined && !allow.includes(m[1])) {
      violations.push(`packages/${pkg}/package.json depends on ${dep}, which ${pkg} may not use`);
    }
  }
  for (const file of [...tsFiles(join(pkgDir, 'src')), ...tsFiles(join(pkgDir, 'test'))]) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const spec = match[1] ?? match[2] ?? '';
      const rel = relative(root, file);
      const runnel = /^@runnel\/([^/]+)/.exec(spec);
      if (runnel?.[1] !== undefined && runnel[1] !== pkg && !allow.includes(runnel[1])) {
        violations.push(`${rel}: imports ${spec}, which ${pkg} may not use`);
      }
      if (spec.startsWith('.')) {
        const target = resolve(file, '..', spec);
        if (!target.startsWith(`${pkgDir}/`)) violations.push(`${rel}: relative import ${spec} leaves the package`);
      }
    }
  }
}

if (violations.length > 0) {
  console.error(`dependency rule: ${violations.length} violation(s)`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log('dependency rule: ok');
