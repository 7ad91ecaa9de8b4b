/**
 * A real coordinator-topic Partition over a PartitionLog in a temp dir (no
 * network), for the stores of the group and transaction coordinators:
 * `openPartition`, partition states to apply, and `until` to poll for a
 * condition. Call `closeFixtures` from afterEach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock, systemTimers } from '@runnel/common';
import { MetadataImage } from '@runnel/metadata';
import { PartitionLog } from '@runnel/storage';
import { defaultBrokerConfig } from '../src/config.ts';
import { logConfigFor } from '../src/log-config.ts';
import { Partition } from '../src/replication/partition.ts';
import type { PartitionRole, PartitionState } from '../src/replication/partition-api.ts';

const dirs: string[] = [];
const logs: PartitionLog[] = [];
const lagTimeMaxMs = 30_000;

export async function closeFixtures(): Promise<void> {
  for (const log of logs.splice(0)) await log.close().catch(() => {});
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

export async function openPartition(topic: string, index = 0): Promise<Partition> {
  const dir = await mkdtemp(join(tmpdir(), 'runnel-coordinator-'));
  dirs.push(dir);
  const log = await PartitionLog.open({
    dir,
    config: logConfigFor(MetadataImage.empty, topic, defaultBrokerConfig),
    clock: systemClock,
    logger: silentLogger(),
  });
  logs.push(log);
  return new Partition({
    topic,
    index,
    topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
    log,
    nodeId: 1,
    state: state(-1, 0, [1]),
    highWatermark: 0n,
    clock: systemClock,
    timers: systemTimers,
  });
}

export function state(leader: number, leaderEpoch: number, replicas: number[], isr = replicas): PartitionState {
  return { leader, leaderEpoch, partitionEpoch: leaderEpoch, replicas, isr, addingReplicas: [] };
}

/** Applies a state the way PartitionManager does, telling the store of role changes. */
export function applyState(
  store: { onRoleChange(p: Partition, before: PartitionRole, after: PartitionRole): void },
  p: Partition,
  s: PartitionState,
): void {
  const before = p.role;
  const epoch = p.leaderEpoch;
  p.applyState(s, { lagTimeMaxMs });
  if (before !== p.role || (p.role === 'leader' && p.leaderEpoch !== epoch)) store.onRoleChange(p, before, p.role);
}

/** Follower `followerId` fetches from the leader's log end in `leaderEpoch`: the high watermark reaches it. */
export async function followerCatchesUp(p: Partition, followerId: number, leaderEpoch: number): Promise<string> {
  const fetch = {
    followerId,
    brokerEpoch: -1n,
    fetchOffset: p.logEndOffset,
    lastFetchedEpoch: -1,
    currentLeaderEpoch: leaderEpoch,
  };
  return (await p.answerFollowerFetch(fetch, 0)).error;
}

export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
