/**
 * A controller that was down while the leader compacted its log past it
 * catches up from the leader's snapshot (InstallSnapshot over gRPC), then
 * becomes the active controller itself with the full image. Controllers
 * only: the entries come from config changes on the cluster default, one
 * Raft entry each, so no broker has to host anything.
 */
import { ControllerClient } from '@runnel/rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;
let client: ControllerClient | undefined;
/** More entries than the leader keeps behind a snapshot (1000), so the lagging node's next entry is gone. */
const entriesWhileDown = 1100;
/** The entries behind a snapshot the leader keeps, plus a bound on those the lagging node had (bootstrap, one config). */
const compactedPastLagging = 1000 + 10;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 3,
    brokers: 0,
    controllerArgs: ['--snapshot-interval-records', '50'],
  });
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

function offsetOf(controllerId: number): Promise<number> {
  return cluster.controllerMetadataOffset(controllerId);
}

async function setRetention(ms: number): Promise<void> {
  const reply = await client?.call('alterConfigs', {
    resources: [
      {
        resourceType: 'broker',
        resourceName: '',
        changes: [{ name: 'log.retention.ms', op: 'set', value: String(ms) }],
      },
    ],
    validateOnly: false,
  });
  if (reply === undefined || !reply.ok) throw new Error(`alter configs failed: ${reply?.message ?? 'no client'}`);
  expect(reply.value.value[0]?.result.ok).toBe(true);
}

describe('controller catch-up from a leader snapshot', () => {
  it('a controller behind the leader compacted log installs the leader snapshot, reaches its offset, and leads with the full image', async () => {
    client = new ControllerClient({ addresses: cluster.controllerServices(), callTimeoutMs: 10_000 });
    const leader = await cluster.waitForActiveController();
    const [lagging, voterOnly] = [1, 2, 3].filter((id) => id !== leader);
    if (lagging === undefined || voterOnly === undefined) throw new Error('expected two followers');
    await setRetention(1);
    await waitFor(async () => (await offsetOf(lagging)) === (await offsetOf(leader)), { what: 'followers in step' });

    await cluster.kill('controller', lagging, 'SIGKILL');
    for (let i = 0; i < entriesWhileDown; i++) await setRetention(1000 + i);
    const leaderOffset = await offsetOf(leader);
    const leaderProcess = cluster.process('controller', leader);
    const lastSnapshot = leaderProcess.logs.filter((l) => l.msg === 'metadata snapshot taken').at(-1);
    // Snapshots fall every 50 metadata records, so where the last one lands depends on how many the bootstrap wrote.
    expect(Number(lastSnapshot?.index)).toBeGreaterThan(compactedPastLagging);

    await cluster.restart('controller', lagging);
    const opened = await cluster.waitForLog('controller', lagging, (l) => l.msg === 'raft store opened', 'store open');
    // Its log ends far below what the leader still keeps (it compacts to 1000 entries behind its snapshot).
    expect(Number(opened.lastIndex) + 1000).toBeLessThan(Number(lastSnapshot?.index));
    await waitFor(async () => (await offsetOf(lagging)) >= leaderOffset, {
      timeoutMs: 20_000,
      what: `controller ${lagging} to reach metadata offset ${leaderOffset}`,
    });

    // The third controller comes back as a voter that never campaigns (and, fresh, knows no leader whose
    // lease would make it ignore votes), so the caught-up controller is the only candidate.
    await Promise.all([
      cluster.kill('controller', leader, 'SIGKILL'),
      cluster.kill('controller', voterOnly, 'SIGKILL'),
    ]);
    await cluster.restart('controller', voterOnly, ['--election-ticks', '2000']);
    expect(await cluster.waitForActiveController({ other: leader })).toBe(lagging);
    await setRetention(424_242);
    expect(await offsetOf(lagging)).toBe(leaderOffset + 1);
    await waitFor(async () => (await offsetOf(voterOnly)) === leaderOffset + 1, { what: 'the voter to follow' });
  });
});
