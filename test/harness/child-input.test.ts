/**
 * Harness helpers that feed a child process's stdin must not leave an error
 * unhandled when the child exits without reading it (an uncaught EPIPE made
 * `npm test` exit 1 after every test had passed). Each helper runs here in a
 * Node process of its own, so an unhandled error shows as that process
 * crashing rather than being caught by the test runner.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { endInput } from './child-input.ts';

const harness = import.meta.dirname;
/** More than a pipe buffer holds, so the write is still pending when the child exits. */
const inputBytes = 8 * 1024 * 1024;

/** Runs `script` (an ES module body) in a fresh Node process; its exit code, stdout and stderr. */
function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('child process input', () => {
  it('kcat that exits without reading 8 MiB of input: the helper resolves with its exit code, nothing uncaught', async () => {
    const kcatModule = JSON.stringify(resolve(harness, 'kcat.ts'));
    const result = await runNode(`
      const { kcat } = await import(${kcatModule});
      const r = await kcat(['-V'], Buffer.alloc(${inputBytes}));
      console.log(JSON.stringify({ code: r.code, version: r.stdout.toString().split('\\n')[0] }));
    `);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ code: 0, version: expect.stringMatching(/^kcat - /) });
  });

  it('runnel --version with 8 MiB of unread input: the CLI helper resolves with its exit code, nothing uncaught', async () => {
    const cliModule = JSON.stringify(resolve(harness, 'runnel-cli.ts'));
    const result = await runNode(`
      const { runnel } = await import(${cliModule});
      const r = await runnel(['--version'], 'x'.repeat(${inputBytes}));
      console.log(JSON.stringify({ code: r.code, version: r.stdout.trim() }));
    `);
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ code: 0, version: '0.1.0' });
  });

  it('an input pipe error other than EPIPE goes to the helper (its reject); EPIPE does not', async () => {
    const failing = (code: string): Writable =>
      new Writable({
        write: (_chunk, _encoding, callback) => callback(Object.assign(new Error(code), { code })),
      });
    const seen: string[] = [];
    for (const code of ['EPIPE', 'EIO']) {
      const stdin = failing(code);
      const closed = new Promise((done) => stdin.once('close', done));
      endInput(stdin, 'data', (error) => seen.push(error.message));
      await closed;
    }
    expect(seen).toEqual(['EIO']);
  });
});
