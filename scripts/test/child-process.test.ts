/**
 * The bench's child processes: a child becomes ready on its stdout line
 * and its output lands in the log; a log that cannot be opened rejects the
 * start before any child runs (it used to crash the bench and leave the
 * child running).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeChild } from '../bench/child-process.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-child-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isReady = (line: string): number | undefined => (line.startsWith('ready ') ? Number(line.slice(6)) : undefined);

describe('bench child processes', () => {
  it('is ready on its line, logs its output, and stops with its exit code', async () => {
    const logPath = join(dir, 'child.log');
    const child = await NodeChild.start(
      ['-e', 'process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000); console.log("ready 42")'],
      { logPath, timeoutMs: 10_000, isReady },
    );
    expect(child.ready).toBe(42);
    expect(await child.stop()).toBe(0);
    expect(await readFile(logPath, 'utf8')).toContain('ready 42');
  });

  it('a log that cannot be opened rejects the start', async () => {
    const logPath = join(dir, 'missing-dir', 'child.log');
    await expect(
      NodeChild.start(['-e', 'console.log("ready 1")'], { logPath, timeoutMs: 10_000, isReady }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
