/**
 * nodeFileSystem writes small buffers on the event loop and large ones in
 * the thread pool (file-system.ts): both paths, for write and writev, must
 * land every byte at its position, and a failure must reject, not throw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../src/file-system.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-node-writes-'));
  dirs.push(dir);
  return join(dir, 'f');
}

describe('nodeFileSystem writes', () => {
  it('small and large writes and writevs land at their positions, back to back', async () => {
    const path = tempFile();
    const file = await nodeFileSystem.open(path);
    const parts = [randomBytes(100), randomBytes(64 * 1024), randomBytes(64 * 1024 + 1), randomBytes(3 * 1024 * 1024)];
    let at = 0;
    for (const p of parts) {
      await file.write(p, at);
      at += p.length;
    }
    const small = [randomBytes(10), randomBytes(20_000)];
    const large = [randomBytes(40_000), randomBytes(40_000)];
    await file.writev(small, at);
    at += 20_010;
    await file.writev(large, at);
    await file.close();
    expect(readFileSync(path).equals(Buffer.concat([...parts, ...small, ...large]))).toBe(true);
  });

  it('a small write to a closed file rejects with the platform error', async () => {
    const file = await nodeFileSystem.open(tempFile());
    await file.close();
    await expect(file.write(Buffer.from('x'), 0)).rejects.toThrow();
    await expect(file.writev([Buffer.from('x')], 0)).rejects.toThrow();
  });
});
