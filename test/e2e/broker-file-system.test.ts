/**
 * A real broker (sockets, logs) on an injected FaultyFileSystem: every file
 * it keeps — meta.properties, partition logs and partition.metadata, the
 * high-watermark checkpoint, the clean-shutdown marker — lives in that file
 * system and none on the real disk, so fault injection reaches all of them.
 * A checkpoint the disk refuses at stop fails the stop and the next start
 * reports an unclean shutdown; an unusable meta.properties stops the start.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { FaultyFileSystem } from '@runnel/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  brokerOneRegistration,
  clusterIdRecord,
  scriptedChannel,
  scriptedClusterId,
  singleReplicaTopic,
} from '../harness/scripted-channel.ts';
import { waitFor } from '../harness/wait.ts';

const topicId = '22222222-2222-2222-2222-222222222222';

let realDir: string;
let dataDir: string;
const running: Broker[] = [];
beforeEach(async () => {
  realDir = await mkdtemp(join(tmpdir(), 'runnel-broker-fs-'));
  // A path on the real disk that the broker must never create: its files go to the FaultyFileSystem.
  dataDir = join(realDir, 'broker-1');
});
afterEach(async () => {
  for (const broker of running.splice(0)) await broker.stop().catch(() => undefined);
  await rm(realDir, { recursive: true, force: true });
});

async function start(fs: FaultyFileSystem) {
  const scripted = scriptedChannel({
    records: [clusterIdRecord, brokerOneRegistration, ...singleReplicaTopic('t', topicId)],
    lastOffset: 3n,
  });
  const broker = await Broker.start({
    config: { ...defaultBrokerConfig, port: 0, httpPort: null, replicationPort: 0, dataDir },
    controller: scripted.channel,
    logger: silentLogger(),
    fs,
  });
  running.push(broker);
  await waitFor(() => broker.image.topic('t') !== undefined, { what: 'the topic in the image' });
  await waitFor(async () => (await fs.stat(join(dataDir, 't-0', 'partition.metadata'))) !== null, {
    what: 'the partition directory',
  });
  return { broker, registrations: scripted.registrations };
}

async function stop(broker: Broker): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  await broker.stop();
}

describe('broker files through the FileSystem seam', () => {
  it('keeps every file in the injected file system and none on the real disk', async () => {
    const fs = new FaultyFileSystem();
    const { broker } = await start(fs);
    await stop(broker);
    expect(await fs.readdir(dataDir)).toEqual([
      '.clean-shutdown',
      'meta.properties',
      'replication-offset-checkpoint',
      't-0',
    ]);
    expect(await fs.readdir(join(dataDir, 't-0'))).toContain('partition.metadata');
    expect(await readdir(realDir)).toEqual([]);
  });

  it('a clean stop survives a power cut: the restart keeps its cluster id and reports a clean shutdown', async () => {
    const fs = new FaultyFileSystem();
    const first = await start(fs);
    expect(first.broker.clusterId).toBe(scriptedClusterId);
    expect(first.registrations.map((r) => r.clusterId)).toEqual([null]);
    await stop(first.broker);
    const second = await start(fs.crash());
    expect(second.broker.clusterId).toBe(scriptedClusterId);
    // The restart tells the controller which cluster its data belongs to.
    expect(second.registrations.map((r) => r.clusterId)).toEqual([scriptedClusterId]);
    expect(second.registrations.map((r) => r.previousShutdownClean)).toEqual([true]);
  });

  it('a checkpoint the disk refuses at stop fails the stop, and the next start reports an unclean shutdown', async () => {
    const fs = new FaultyFileSystem();
    const { broker } = await start(fs);
    fs.failNext('write', 'replication-offset-checkpoint.tmp', 'ENOSPC');
    running.splice(running.indexOf(broker), 1);
    await expect(broker.stop()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await fs.stat(join(dataDir, '.clean-shutdown'))).toBeNull();
    const restarted = await start(fs);
    expect(restarted.registrations.map((r) => r.previousShutdownClean)).toEqual([false]);
  });

  it('an unusable meta.properties stops the start, naming the file, instead of minting a new cluster id', async () => {
    const fs = new FaultyFileSystem();
    fs.setContent(join(dataDir, 'meta.properties'), Buffer.from('version=1\nnode.id=1\n'));
    await expect(start(fs)).rejects.toThrow(/meta\.properties is unusable \(cluster\.id is missing/);
  });
});
