import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveControllerConfig } from '../src/controller-config.ts';
import { NodeIdentityError, QuorumController } from '../src/quorum/quorum-controller.ts';
import { freePort } from './fixtures/ports-and-waits.ts';

async function start(dataDir: string, nodeId: number, port: number): Promise<QuorumController> {
  const config = resolveControllerConfig({ nodeId, voters: `${nodeId}@127.0.0.1:${port}`, dataDir, tickMs: 20 });
  if (!config.ok) throw new Error(config.message);
  return QuorumController.start({ config: config.value, servicePort: 0 });
}

describe('controller identity', () => {
  it('refuses a data dir of another node id, and a sole voter whose Raft store lost its contents (nobody to copy from)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-identity-'));
    const port = await freePort();
    const first = await start(dataDir, 1, port);
    // A single voter elects itself and commits its no-op: the store is no longer empty.
    for (let i = 0; i < 500 && !first.isActive; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first.isActive).toBe(true);
    await first.stop();

    await expect(start(dataDir, 2, port)).rejects.toThrow(/belongs to controller 1, not 2/);

    await rm(join(dataDir, 'raft'), { recursive: true, force: true });
    const lost = start(dataDir, 1, port);
    await expect(lost).rejects.toBeInstanceOf(NodeIdentityError);
    await expect(lost).rejects.toThrow(
      /is empty although controller 1 has run from it before, and this controller is the only voter/,
    );
    await expect(lost).rejects.toThrow(/metadata .* is lost unless you restore that directory from a backup/);
  });
});
