/**
 * The dependency checker on small package trees built in a temp dir: an
 * undeclared import, a wrong direction and file circles each fail with a
 * message naming the culprit; a tree using every tolerated form passes; the
 * CLI exits 1 on the first and 0 on the last.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDependencyRule } from '../deps/dependency-rule.ts';
import { elementaryCycles } from '../deps/file-cycles.ts';
import type { PackageRule } from '../deps/package-imports.ts';

const rule: PackageRule = { scope: '@fx', allowed: { base: [], app: ['base'] } };

interface FixturePackage {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  /** Path inside the package → file text. */
  readonly files: Record<string, string>;
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Writes packages/<folder> for each entry, named `<scope>/<folder>`; returns the root. */
function fixture(packages: Record<string, FixturePackage>, scope = '@fx'): string {
  const root = mkdtempSync(join(tmpdir(), 'runnel-deps-'));
  roots.push(root);
  for (const [folder, pkg] of Object.entries(packages)) {
    const dir = join(root, 'packages', folder);
    mkdirSync(dir, { recursive: true });
    const { files, ...deps } = pkg;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `${scope}/${folder}`, ...deps }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  return root;
}

const base: FixturePackage = { files: { 'src/index.ts': 'export const one = 1;\n' } };

describe('declared imports', () => {
  it('an import of a package missing from package.json fails naming the file and the package', () => {
    const root = fixture({
      base,
      app: {
        dependencies: { 'left-pad': '^1.0.0' },
        files: {
          'src/main.ts': "import { one } from '@fx/base';\nimport pad from 'left-pad';\nexport const x = pad(one);\n",
        },
      },
    });
    expect(checkDependencyRule(root, rule)).toEqual([
      'packages/app/src/main.ts: imports @fx/base, which packages/app/package.json does not declare',
    ]);
  });

  it('type-only imports, re-exports, side-effect and dynamic imports and subpaths all count', () => {
    const root = fixture({
      base,
      app: {
        files: {
          'src/forms.ts': [
            "import type { Logger } from 'pino';",
            "export * from 'lodash/fp';",
            "import 'reflect-metadata';",
            "export const lazy = () => import('@grpc/grpc-js/build/src/index.js');",
            'export type L = Logger;',
          ].join('\n'),
        },
      },
    });
    const violations = checkDependencyRule(root, rule);
    expect(violations).toEqual(
      ['pino', 'lodash', 'reflect-metadata', '@grpc/grpc-js'].map(
        (name) => `packages/app/src/forms.ts: imports ${name}, which packages/app/package.json does not declare`,
      ),
    );
  });

  it('a devDependency serves test/ but not src/', () => {
    const root = fixture({
      base,
      app: {
        devDependencies: { vitest: '^5.0.0' },
        files: {
          'src/main.ts': "import { it } from 'vitest';\nexport const t = it;\n",
          'test/main.test.ts': "import { it } from 'vitest';\nit('runs', () => {});\n",
        },
      },
    });
    expect(checkDependencyRule(root, rule)).toEqual([
      'packages/app/src/main.ts: imports vitest, which packages/app/package.json declares only in devDependencies (enough for test/ alone)',
    ]);
  });

  it('importing a workspace package against the direction table fails even when declared', () => {
    const root = fixture({
      app: { files: { 'src/index.ts': 'export const app = 1;\n' } },
      base: {
        dependencies: { '@fx/app': '0.1.0' },
        files: { 'src/index.ts': "import { app } from '@fx/app';\nexport const one = app;\n" },
      },
    });
    expect(checkDependencyRule(root, rule)).toEqual([
      'packages/base/package.json: depends on @fx/app, which base may not use',
      'packages/base/src/index.ts: imports @fx/app, which base may not use',
    ]);
  });
});

describe('file circles', () => {
  it('a two-file and a three-file circle fail, each named as its chain of files', () => {
    const root = fixture({
      base: {
        files: {
          'src/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
          'src/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
          // The edge back to the start is type-only: it still closes the circle.
          'src/groups/coordinator.ts': "import { all } from './handlers.ts';\nexport class Coordinator { h = all; }\n",
          'src/groups/handlers.ts': "import { join } from '../handlers/join.ts';\nexport const all = [join];\n",
          'src/handlers/join.ts':
            "import type { Coordinator } from '../groups/coordinator.ts';\nexport const join = (c: Coordinator) => c;\n",
          'src/index.ts': "export { a } from './a.ts';\n",
        },
      },
    });
    expect(checkDependencyRule(root, rule)).toEqual([
      'packages/base/src: import circle a.ts -> b.ts -> a.ts',
      'packages/base/src: import circle groups/coordinator.ts -> groups/handlers.ts -> handlers/join.ts -> groups/coordinator.ts',
    ]);
  });

  it('every elementary circle of a component is listed once, from its smallest node', () => {
    // 0 ⇄ 1, 0 → 2 → 3 → 0, 2 → 2 (a file importing itself), 3 → 4 (no way back).
    const adjacency = [[1, 2], [0], [2, 3], [0, 4], []];
    expect(elementaryCycles(adjacency, 50)).toEqual([
      [0, 1, 0],
      [0, 2, 3, 0],
      [2, 2],
    ]);
    expect(elementaryCycles(adjacency, 1)).toEqual([[0, 1, 0]]);
  });
});

describe('a clean tree', () => {
  it('passes with builtins, self-imports, test devDependencies, a diamond of relative imports and import-like text', () => {
    const root = fixture({
      base,
      app: {
        dependencies: { '@fx/base': '0.1.0' },
        devDependencies: { vitest: '^5.0.0' },
        files: {
          'src/index.ts': "export { top } from './top.ts';\n",
          'src/top.ts': "import { l } from './left.ts';\nimport { r } from './right.ts';\nexport const top = l + r;\n",
          'src/left.ts': "import { one } from './shared/one.ts';\nexport const l = one;\n",
          'src/right.ts': "import type { One } from './shared/one.ts';\nexport const r: One = 2;\n",
          'src/shared/one.ts': [
            "import { readFileSync } from 'node:fs';",
            "import { join } from 'path';",
            "import { one as baseOne } from '@fx/base';",
            "// import { top } from '../top.ts'",
            'export const text = "import x from \'undeclared\'";',
            'export type One = number;',
            'export const one: One = baseOne + (readFileSync && join ? 0 : 0);',
          ].join('\n'),
          'test/top.test.ts': "import { it } from 'vitest';\nimport { top } from '@fx/app';\nit('adds', () => top);\n",
        },
      },
    });
    expect(checkDependencyRule(root, rule)).toEqual([]);
  });
});

describe('npm run deps', () => {
  const script = resolve(import.meta.dirname, '..', 'check-deps.ts');
  const run = promisify(execFile);
  const tree = (declared: boolean): string =>
    fixture(
      {
        common: { files: { 'src/index.ts': 'export const one = 1;\n' } },
        broker: {
          dependencies: declared ? { '@runnel/common': '0.1.0' } : {},
          files: { 'src/index.ts': "import { one } from '@runnel/common';\nexport const b = one;\n" },
        },
      },
      '@runnel',
    );

  it('exits 1 and lists the violation on a failing tree', async () => {
    const failure = await run(process.execPath, [script, '--root', tree(false)]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      'packages/broker/src/index.ts: imports @runnel/common, which packages/broker/package.json does not declare',
    );
  });

  it('exits 0 on a clean tree', async () => {
    const { stdout } = await run(process.execPath, [script, '--root', tree(true)]);
    expect(stdout).toContain('dependency rule: ok');
  });
});
