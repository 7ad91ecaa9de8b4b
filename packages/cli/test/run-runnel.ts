/**
 * Runs the `runnel` CLI as a child process, as a user would, and collects
 * its exit code and output. `bootstrap` becomes RUNNEL_BOOTSTRAP_SERVER.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const mainPath = join(import.meta.dirname, '..', 'src', 'main.ts');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runRunnel(
  args: readonly string[],
  options: { bootstrap?: string; stdin?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env =
      options.bootstrap === undefined ? process.env : { ...process.env, RUNNEL_BOOTSTRAP_SERVER: options.bootstrap };
    const child = spawn(process.execPath, [mainPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A CLI that exits before reading all of its input makes the pipe fail with EPIPE: its exit code says why.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(options.stdin ?? '');
  });
}
