/** Runs the `runnel` CLI (packages/cli) as a child process. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { endInput } from './child-input.ts';

const cliMain = join(resolve(import.meta.dirname, '..', '..'), 'packages', 'cli', 'src', 'main.ts');

export function runnel(
  args: readonly string[],
  input?: string,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runnel ${args.join(' ')} timed out; stderr:\n${stderr}`));
    }, timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout
      .on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
      })
      .on('error', fail);
    child.stderr
      .on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      })
      .on('error', fail);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    endInput(child.stdin, input ?? '', fail);
  });
}
