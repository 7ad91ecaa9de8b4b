/**
 * One cell of the compatibility matrix: a vitest test for (client,
 * operation) whose outcome is also written to `build/compat-matrix/<client>.json`,
 * from which `scripts/compat-matrix.ts` renders docs/compatibility-matrix.md.
 * A failing cell is recorded as failed and still fails the test run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'vitest';
import { clients, operations } from './catalogue.ts';

/** `runnel dev` flags for the matrix: a group's first join does not wait 3 s for more members. */
export const matrixDevArgs: readonly string[] = ['--group-initial-rebalance-delay-ms', '0'];

export const resultsDir = resolve(import.meta.dirname, '..', '..', '..', 'build', 'compat-matrix');

export interface CellResult {
  readonly operation: string;
  readonly outcome: 'pass' | 'fail';
  /** What the client showed (a version it inferred, an offset it found), or the failure. */
  readonly detail: string;
}

export interface ClientResults {
  readonly client: string;
  readonly finishedAt: string;
  readonly cells: CellResult[];
}

/** `cell(operation, fn)` declares the test; `fn` may return a detail to show on the page. */
export function matrixFor(clientId: string): (operation: string, fn: () => Promise<string | undefined>) => void {
  const client = clients.find((c) => c.id === clientId);
  if (client === undefined) throw new Error(`unknown matrix client ${clientId}`);
  const results: ClientResults = { client: clientId, finishedAt: '', cells: [] };
  const file = join(resultsDir, `${clientId}.json`);
  const save = (): void => {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...results, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  };
  return (operation, fn) => {
    const op = operations.find((o) => o.id === operation);
    if (op === undefined) throw new Error(`unknown matrix operation ${operation}`);
    if (client.notExposed[operation] !== undefined) {
      throw new Error(`${clientId} declares ${operation} not exposed: remove that or this cell`);
    }
    it(`${client.name}: ${op.title}`, async () => {
      try {
        const detail = (await fn()) ?? '';
        results.cells.push({ operation, outcome: 'pass', detail });
      } catch (error) {
        results.cells.push({
          operation,
          outcome: 'fail',
          detail: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        save();
      }
    });
  };
}
