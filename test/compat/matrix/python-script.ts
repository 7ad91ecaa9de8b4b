/**
 * Runs one matrix operation in a Python client's script
 * (test/harness/python/matrix_*.py) and returns the detail it printed
 * after "ok"; a script that fails rejects with its error output.
 */
import { PythonClient } from '../../harness/python-client.ts';

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
