/**
 * Runs one matrix operation in a Python client's script
 * (test/harness/python/matrix_*.py) and returns the detail it printed
 * after "ok"; a script that fails rejects with its error output.
 */
import { afterAll, beforeAll } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { PythonClient } from '../../harness/python-client.ts';
import { clients, operations } from './catalogue.ts';
import { matrixDevArgs, matrixFor } from './cell.ts';

export async function runPythonOperation(
  script: string,
  bootstrap: string,
  operation: string,
  prefix: string,
): Promise<string> {
  const client = new PythonClient(script, [bootstrap, operation, prefix]);
  const code = await client.exited;
  const [detail] = client.linesStartingWith('ok');
  if (code !== 0 || detail === undefined) {
    // The exception's last line only: the traceback above it names this machine's paths.
    const lastLine = client.stderr.trim().split('\n').at(-1) ?? '';
    throw new Error(`${script} ${operation} exited ${code}: ${lastLine}`);
  }
  return detail;
}

/**
 * One cell per catalogue operation the client exposes, each a run of
 * `script` against a `runnel dev` started for the file.
 */
export function pythonClientCells(clientId: string, script: string, prefix: string): void {
  const cell = matrixFor(clientId);
  const notExposed = clients.find((c) => c.id === clientId)?.notExposed ?? {};
  let dev: DevProcess;
  beforeAll(async () => {
    dev = await DevProcess.start({ args: matrixDevArgs });
  });
  afterAll(async () => {
    await dev?.kill('SIGTERM');
  });
  for (const operation of operations) {
    if (notExposed[operation.id] !== undefined) continue;
    cell(operation.id, () => runPythonOperation(script, dev.bootstrap, operation.id, `${prefix}-${operation.id}`));
  }
}
