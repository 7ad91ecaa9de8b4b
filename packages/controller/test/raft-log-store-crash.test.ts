import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@runnel/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftLogStore } from '../src/raft/raft-log-store.ts';
import { ready, text } from './fixtures/raft-readies.ts';

const child = join(import.meta.dirname, 'fixtures', 'raft-persist-child.ts');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-raft-crash-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the child until it has reported `persistedMin` readies, SIGKILLs it, and returns every index it reported. */
async function persistThenKill(persistedMin: number, deadlineMs: number): Promise<number[]> {
  const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  const reportedLines = () => stdout.split('\n').filter((l) => l.startsWith('persisted '));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child reported ${reportedLines().length} readies; stderr: ${stderr}`)),
      deadlineMs,
    );
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (reportedLines().length >= persistedMin) {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`child exited early; stderr: ${stderr}`));
    });
  });
  expect(await exited).toBe('SIGKILL');
  return reportedLines().map((l) => Number(l.slice('persisted '.length)));
}

const termOf = (index: number) => 1 + Math.floor(index / 64);

describe('RaftLogStore durability', () => {
  it('after kill -9 mid-stream every Ready whose persist had resolved is there on reopen, and the log is whole', async () => {
    const first = await persistThenKill(250, 30_000);
    // A second life on top of the recovered store, killed again.
    const second = await persistThenKill(130, 30_000);
    const reported = [...first, ...second];
    expect(second[0]).toBeGreaterThan(Math.max(...first));
    const reportedMax = Math.max(...reported);

    const store = await RaftLogStore.open({ dir, logger: silentLogger() });
    try {
      expect(store.lastIndex()).toBeGreaterThanOrEqual(reportedMax);
      expect(store.initialState().hardState.commit).toBeGreaterThanOrEqual(reportedMax);
      // The child snapshots and compacts after each hundredth entry, before reporting the next one.
      const lastCompaction = Math.floor((reportedMax - 1) / 100) * 100 - 40;
      expect(store.firstIndex()).toBeGreaterThanOrEqual(lastCompaction + 1);
      expect(store.snapshot().metadata.index).toBeGreaterThanOrEqual(store.firstIndex() - 1);
      // Every entry still in the log is exactly what the child wrote, resolved or not.
      const entries = store.entries(store.firstIndex(), store.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
      expect(entries).toHaveLength(store.lastIndex() - store.firstIndex() + 1);
      for (const e of entries) {
        expect(text(e), `entry ${e.index}`).toBe(`entry-${e.index}`);
        expect(e.term, `entry ${e.index}`).toBe(termOf(e.index));
      }
      const snap = store.snapshot();
      expect(Buffer.from(snap.data).toString()).toBe(`image-${snap.metadata.index}`);
      expect(snap.metadata.term).toBe(termOf(snap.metadata.index));
      // The recovered store keeps working.
      const next = store.lastIndex() + 1;
      await store.persist(
        ready({
          entries: [{ index: next, term: termOf(next), type: 'normal', data: Buffer.from('after-crash') }],
          hardState: { term: termOf(next), vote: 1, commit: next },
        }),
      );
      expect(store.lastIndex()).toBe(next);
    } finally {
      await store.close();
    }
  });
});
