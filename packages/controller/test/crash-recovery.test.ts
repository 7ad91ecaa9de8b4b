/**
 * A one-voter quorum killed with SIGKILL while creating topics: on restart
 * from the same data directory (the Raft store in level) every create that
 * had been answered is there, and nothing half-written is.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalQuorum } from './fixtures/local-quorum.ts';

const child = join(import.meta.dirname, 'fixtures', 'create-topics-child.ts');
const fixture = useLocalQuorum('controller-crash');

/** Runs the child until it has reported `createdMin` topics, SIGKILLs it, and returns every name it reported. */
async function createThenKill(createdMin: number, deadlineMs: number): Promise<string[]> {
  const proc = spawn(process.execPath, [child, fixture.dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  const reported = () => stdout.split('\n').filter((l) => l.startsWith('created ')).length;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child reported ${reported()} topics; stderr: ${stderr}`)),
      deadlineMs,
    );
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (reported() >= createdMin) {
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
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('created '))
    .map((l) => l.slice('created '.length));
}

describe('one-voter quorum durability', () => {
  it('after kill -9 mid-stream every topic whose create had resolved exists on restart', async () => {
    const reported = await createThenKill(40, 30_000);
    expect(reported.length).toBeGreaterThanOrEqual(40);

    const q = await fixture.start();
    const image = q.image;
    for (const name of reported) {
      expect(image.topic(name)?.partitions, name).toHaveLength(2);
      expect(image.configOverrides('topic', name).get('retention.ms'), name).toBe('1000');
    }
    // Anything committed but not yet reported is fine; nothing half-written may appear.
    for (const name of image.topicNames()) expect(image.topic(name)?.partitions, name).toHaveLength(2);
    // The restarted quorum keeps working on top of the recovered log.
    const [created] = await q.channel.call('createTopics', {
      topics: [{ name: 'after-crash', numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      validateOnly: false,
    });
    expect(created?.result.ok).toBe(true);
  });
});
