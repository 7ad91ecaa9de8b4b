import { defineConfig } from 'vitest/config';

/**
 * Two projects, run one after the other. Package tests (units, and
 * in-process or single-process tests of one package) run two files at a time
 * on CI's two cores. System tests (test/: real clusters, chaos, real clients
 * and their timing) run one file at a time, so no two clusters compete for
 * the cores.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/*/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
