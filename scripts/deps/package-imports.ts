/**
 * Package-level rules of docs/architecture.md:
 * - direction: a package imports (and lists in its package.json) only the
 *   workspace packages its row of the table allows;
 * - declaration: every package a file imports is declared in that package's
 *   package.json — `dependencies` for shipped code, `devDependencies` also
 *   for files under `test/` — so a package works installed on its own, not
 *   only because npm hoisted a neighbour's dependency next to it;
 * - containment: a relative import never leaves its package.
 * Node's built-in modules need no declaration; a package importing itself by
 * name is fine.
 */
import { isBuiltin } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { importSpecifiers, readPackages, sourceFiles, type WorkspacePackage } from './workspace.ts';

/** Workspace package folder → the workspace package folders it may import. */
export type DirectionTable = Readonly<Record<string, readonly string[]>>;

export interface PackageRule {
  /** The npm scope of the workspace packages, e.g. `@runnel`: `@runnel/x` lives in `packages/x`. */
  readonly scope: string;
  readonly allowed: DirectionTable;
}

/** The package a bare specifier names: `@scope/name` or `name`, without any subpath. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('#');
}

/** Violations of direction, declaration and containment in every package under `<rootDir>/packages`. */
export function checkPackageImports(rootDir: string, rule: PackageRule): string[] {
  const violations: string[] = [];
  for (const pkg of readPackages(rootDir)) violations.push(...checkPackage(rootDir, pkg, rule));
  return violations;
}

function checkPackage(rootDir: string, pkg: WorkspacePackage, rule: PackageRule): string[] {
  const where = `packages/${pkg.folder}`;
  const allow = rule.allowed[pkg.folder];
  const { manifest } = pkg;
  if (manifest === undefined) return [`${where}: has no package.json`];
  const violations: string[] = [];
  if (allow === undefined) violations.push(`${where}: not in the dependency table of scripts/deps/dependency-rule.ts`);
  const ownName = `${rule.scope}/${pkg.folder}`;
  if (manifest.name !== ownName) violations.push(`${where}/package.json: is named "${manifest.name}", not ${ownName}`);
  const workspaceFolder = (name: string): string | undefined =>
    name.startsWith(`${rule.scope}/`) ? name.slice(rule.scope.length + 1) : undefined;

  for (const dep of [...manifest.dependencies, ...manifest.devDependencies]) {
    const target = workspaceFolder(dep);
    if (target !== undefined && allow !== undefined && !allow.includes(target)) {
      violations.push(`${where}/package.json: depends on ${dep}, which ${pkg.folder} may not use`);
    }
  }

  const testDir = join(pkg.dir, 'test') + sep;
  for (const file of sourceFiles(pkg.dir)) {
    const rel = relative(rootDir, file);
    const isTest = file.startsWith(testDir);
    const reported = new Set<string>();
    for (const specifier of importSpecifiers(file)) {
      if (specifier.startsWith('.')) {
        if (!resolve(file, '..', specifier).startsWith(pkg.dir + sep)) {
          violations.push(`${rel}: relative import ${specifier} leaves the package`);
        }
        continue;
      }
      if (!isBare(specifier) || isBuiltin(specifier)) continue;
      const name = packageName(specifier);
      if (name === manifest.name || reported.has(name)) continue;
      reported.add(name);
      const target = workspaceFolder(name);
      if (target !== undefined && target !== pkg.folder && allow !== undefined && !allow.includes(target)) {
        violations.push(`${rel}: imports ${name}, which ${pkg.folder} may not use`);
      }
      if (manifest.dependencies.includes(name)) continue;
      if (isTest && manifest.devDependencies.includes(name)) continue;
      violations.push(
        manifest.devDependencies.includes(name)
          ? `${rel}: imports ${name}, which ${where}/package.json declares only in devDependencies (enough for test/ alone)`
          : `${rel}: imports ${name}, which ${where}/package.json does not declare`,
      );
    }
  }
  return violations;
}
