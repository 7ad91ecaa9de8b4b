/**
 * A real broker on an injected FaultyFileSystem keeps each partition's topic
 * id in partition.metadata beside its log, and never serves a log whose id
 * is not the image's: a topic deleted and re-created under the same name
 * while the broker was down comes back empty (its old log deleted), also
 * when a power cut left the old log half deleted (no partition.metadata,
 * segments still there) or cut the new file's write short. A file it cannot
 * read keeps the log closed and on disk rather than guessing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { encodeRecordBatchSync } from '@runnel/protocol';
import { FaultyFileSystem, replaceFile } from '@runnel/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  brokerOneRegistration,
  clusterIdRecord,
  scriptedChannel,
  singleReplicaTopic,
} from '../harness/scripted-channel.ts';
import { waitFor } from '../harness/wait.ts';

const oldId = '0a0a0a0a-0000-4000-8000-00000000000a';
const newId = '0b0b0b0b-0000-4000-8000-00000000000b';

let realDir: string;
let dataDir: string;
const running: Broker[] = [];
beforeEach(async () => {
  realDir = await mkdtemp(join(tmpdir(), 'runnel-topic-id-'));
  dataDir = join(realDir, 'broker-1');
});
afterEach(async () => {
  for (const broker of running.splice(0)) await broker.stop().catch(() => undefined);
  await rm(realDir, { recursive: true, force: true });
});

/** A broker whose metadata holds topic `t` (one partition, led by broker 1) under `topicId`. */
async function start(fs: FaultyFileSystem, topicId: string): Promise<Broker> {
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
  return broker;
}

async function stop(broker: Broker): Promise<void> {
  running.splice(running.indexOf(broker), 1);
  await broker.stop();
}

async function leaderOfT(broker: Broker) {
  return waitFor(() => (broker.hostedPartition('t', 0)?.role === 'leader' ? broker.hostedPartition('t', 0) : false), {
    what: 't-0 to open as leader',
  });
}

/** Three durable records in the old topic's log, then a clean stop. */
async function oldTopicWithRecords(fs: FaultyFileSystem): Promise<void> {
  const broker = await start(fs, oldId);
  const partition = await leaderOfT(broker);
  const batch = encodeRecordBatchSync({
    records: ['a', 'b', 'c'].map((v) => ({ key: null, value: Buffer.from(`old-${v}`) })),
  });
  const appended = await partition.appendAsLeader(batch, 3, { acks: 1, minInsyncReplicas: 1, timeoutMs: 1000 });
  expect(appended.ok).toBe(true);
  await partition.log.flush();
  expect(partition.log.logEndOffset).toBe(3n);
  await stop(broker);
}

async function topicIdOnDisk(fs: FaultyFileSystem): Promise<string> {
  const file = await fs.open(join(dataDir, 't-0', 'partition.metadata'));
  try {
    const bytes = Buffer.alloc(256);
    const n = await file.read(bytes, 0, bytes.length, 0);
    return bytes.subarray(0, n).toString('utf8');
  } finally {
    await file.close();
  }
}

/** The new topic's partition opened empty, under the new id, and reads no record. */
async function expectFreshLog(broker: Broker, fs: FaultyFileSystem): Promise<void> {
  const partition = await leaderOfT(broker);
  expect(partition.topicId).toBe(newId);
  expect(partition.log.logStartOffset).toBe(0n);
  expect(partition.log.logEndOffset).toBe(0n);
  expect(partition.highWatermark).toBe(0n);
  const read = await partition.log.read(0n, 1 << 20);
  expect(read).toEqual({ ok: true, records: [], sizeBytes: 0 });
  expect(await topicIdOnDisk(fs)).toBe(`version: 0\ntopic_id: ${newId}\n`);
}

describe('partition logs carry their topic id', () => {
  it('a topic re-created under its name while the broker was down comes back with an empty log', async () => {
    const fs = new FaultyFileSystem();
    await oldTopicWithRecords(fs);
    expect(await topicIdOnDisk(fs)).toBe(`version: 0\ntopic_id: ${oldId}\n`);
    const restarted = fs.crash();
    await expectFreshLog(await start(restarted, newId), restarted);
  });

  it('the same topic id across a restart keeps its log and records', async () => {
    const fs = new FaultyFileSystem();
    await oldTopicWithRecords(fs);
    const partition = await leaderOfT(await start(fs.crash(), oldId));
    expect(partition.log.logEndOffset).toBe(3n);
  });

  it('a deletion cut short by a power cut (partition.metadata gone, segments left) is never served', async () => {
    const fs = new FaultyFileSystem();
    await oldTopicWithRecords(fs);
    // What a recursive delete that removed the id file first and lost power leaves.
    await fs.unlink(join(dataDir, 't-0', 'partition.metadata'));
    const afterCut = fs.crash();
    expect((await afterCut.readdir(join(dataDir, 't-0'))).some((name) => name.endsWith('.log'))).toBe(true);
    await expectFreshLog(await start(afterCut, newId), afterCut);
  });

  it('a power cut while the new id is written leaves nothing of the old log to serve', async () => {
    const fs = new FaultyFileSystem();
    await oldTopicWithRecords(fs);
    const restarted = fs.crash();
    // The rename that puts the new partition.metadata in place never happens.
    restarted.crashBefore('rename', 'partition.metadata.tmp');
    // The broker starts (the partition stays closed: its disk is gone) or fails to; either way the power is out.
    const broker = await start(restarted, newId).catch(() => null);
    if (broker !== null) await stop(broker).catch(() => undefined);
    // The power went where it was aimed: the old log is gone and the new id never landed.
    expect(restarted.entries(join(dataDir, 't-0'))).toEqual(['partition.metadata.tmp']);
    const afterCut = restarted.crash();
    await expectFreshLog(await start(afterCut, newId), afterCut);
  });

  it('an unreadable partition.metadata keeps the log closed and its records on disk', async () => {
    const fs = new FaultyFileSystem();
    await oldTopicWithRecords(fs);
    const path = join(dataDir, 't-0', 'partition.metadata');
    await replaceFile(fs, path, Buffer.from(`version: 9\ntopic_id: ${oldId}\n`));
    const restarted = fs.crash();
    const broker = await start(restarted, oldId);
    await waitFor(() => broker.image.topic('t') !== undefined, { what: 'the topic in the image' });
    expect(broker.hostedPartition('t', 0)).toBeUndefined();
    expect(restarted.entries(join(dataDir, 't-0')).some((name) => name.endsWith('.log'))).toBe(true);
  });
});
