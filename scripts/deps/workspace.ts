/**
 * What the dependency checks read of a repository: the packages under
 * `packages/`, their manifests, and the module specifiers each source file
 * imports. Read-only; every function takes the directory it reads.
 *
 * Specifiers come from TypeScript's own pre-processor rather than a regular
 * expression, so text that only looks like an import (in a string or a
 * comment) is ignored and every real form counts: `import`, `import type`,
 * `export … from`, a side-effect `import 'x'`, `import('x')` and
 * `typeof import('x')`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export interface Manifest {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

export interface WorkspacePackage {
  /** The folder name under packages/, which is also the key of the direction table. */
  readonly folder: string;
  readonly dir: string;
  /** Undefined when the folder has no package.json (a violation of its own). */
  readonly manifest: Manifest | undefined;
}

const sourceExtension = /\.(?:[cm]?ts|[cm]?js)$/;
const skippedFolders = new Set(['node_modules', 'build']);

/** Every folder under `<rootDir>/packages`, sorted by name. */
export function readPackages(rootDir: string): WorkspacePackage[] {
  const packagesDir = join(rootDir, 'packages');
  return readdirSync(packagesDir)
    .sort()
    .map((folder) => join(packagesDir, folder))
    .filter((dir) => statSync(dir).isDirectory())
    .map((dir) => {
      const manifestPath = join(dir, 'package.json');
      const folder = dir.slice(packagesDir.length + 1);
      return { folder, dir, manifest: existsSync(manifestPath) ? readManifest(manifestPath) : undefined };
    });
}

function readManifest(path: string): Manifest {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof json !== 'object' || json === null) throw new Error(`${path}: not a JSON object`);
  const fields = json as Record<string, unknown>;
  return {
    name: typeof fields.name === 'string' ? fields.name : '',
    dependencies: keysOf(fields.dependencies),
    devDependencies: keysOf(fields.devDependencies),
  };
}

function keysOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

/** The source files (TypeScript and JavaScript) under `dir`, recursively and sorted; none if it is missing. */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (skippedFolders.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (sourceExtension.test(entry)) out.push(path);
  }
  return out;
}

/** The module specifiers `file` imports or re-exports, in source order, type-only ones included. */
export function importSpecifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((ref) => ref.fileName);
}
