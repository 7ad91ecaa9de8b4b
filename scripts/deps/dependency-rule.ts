/**
 * Runnel's dependency rule (docs/architecture.md, "Packages and the
 * dependency rule"): which workspace package may import which, every
 * imported package declared, no relative import leaving its package, and no
 * import circle among the files of a package.
 */
import { checkFileCycles } from './file-cycles.ts';
import { checkPackageImports, type PackageRule } from './package-imports.ts';

export const runnelRule: PackageRule = {
  scope: '@runnel',
  allowed: {
    common: [],
    protocol: ['common'],
    raft: ['common'],
    storage: ['common', 'protocol'],
    metadata: ['common', 'protocol'],
    rpc: ['common', 'raft', 'metadata', 'protocol'],
    controller: ['common', 'raft', 'rpc', 'metadata', 'protocol'],
    broker: ['common', 'protocol', 'storage', 'rpc', 'metadata'],
    client: ['common', 'protocol'],
    gateway: ['common', 'client', 'protocol', 'schema-serde'],
    'schema-serde': [],
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
      'schema-serde',
      'testkit',
    ],
  },
};

/** Every violation of the rule in the repository at `rootDir` (its packages under `packages/`); empty when it holds. */
export function checkDependencyRule(rootDir: string, rule: PackageRule = runnelRule): string[] {
  return [...checkPackageImports(rootDir, rule), ...checkFileCycles(rootDir)];
}
