/** Runs kcat (librdkafka) as a child process: the reference client in compat tests. */
import { spawn } from 'node:child_process';
import { endInput } from './child-input.ts';

export interface KcatResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function kcat(args: readonly string[], input?: Buffer | string, timeoutMs = 120_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} timed out; stderr:\n${stderr}`));
    }, timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.on('data', (c: Buffer) => out.push(c)).on('error', fail);
    child.stderr
      .on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      })
      .on('error', fail);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    endInput(child.stdin, input ?? '', fail);
  });
}

/** kcat -C of one partition from the beginning to the current end (-e), quietly, in `format` (kcat -f). */
export function kcatReadAll(options: {
  bootstrap: string;
  topic: string;
  partition?: number;
  format?: string;
  timeoutMs?: number;
}): Promise<KcatResult> {
  const args = ['-C', '-b', options.bootstrap, '-t', options.topic, '-p', String(options.partition ?? 0)];
  args.push('-o', 'beginning', '-e', '-q');
  if (options.format !== undefined) args.push('-f', options.format);
  return kcat(args, undefined, options.timeoutMs);
}

/** The values (`%s`) of partitions 0..partitions-1 of `topic` from the beginning to their end, at an isolation level, sorted. */
export async function kcatReadValues(options: {
  bootstrap: string;
  topic: string;
  partitions: number;
  isolation: 'read_committed' | 'read_uncommitted';
}): Promise<string[]> {
  const values: string[] = [];
  for (let p = 0; p < options.partitions; p++) {
    const result = await kcat([
      ...['-C', '-b', options.bootstrap, '-t', options.topic, '-p', String(p), '-o', 'beginning', '-e', '-q'],
      ...['-f', '%s\n', '-X', `isolation.level=${options.isolation}`],
    ]);
    if (result.code !== 0) throw new Error(`kcat read of ${options.topic}-${p} failed: ${result.stderr}`);
    values.push(...result.stdout.toString('utf8').split('\n').filter(Boolean));
  }
  return values.sort();
}
