/**
 * One real `__consumer_offsets` Partition in a temp dir (no network) and an
 * OffsetsStore over it, with a lifecycle that records what it is told: the
 * fixture of the store tests (offsets-store*.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock, systemTimers } from '@runnel/common';
import { PartitionLog } from '@runnel/storage';
import { afterEach } from 'vitest';
import { defaultBrokerConfig } from '../src/config.ts';
import { OffsetsStore, type OffsetsStoreOptions } from '../src/groups/offsets-store.ts';
import { type CoordinatorLifecycle, consumerOffsetsTopic, type LoadedPartition } from '../src/groups/types.ts';
import { logConfigFor } from '../src/log-config.ts';
import { Partition } from '../src/replication/partition.ts';
import type { PartitionState } from '../src/replication/partition-api.ts';

const lagTimeMaxMs = 30_000;

/** Records every lifecycle call in order; `loaded` keeps the state it was handed. */
export class RecordingLifecycle implements CoordinatorLifecycle {
  readonly calls: string[] = [];
  readonly states = new Map<number, LoadedPartition>();
  loading(partition: number): void {
    this.calls.push(`loading ${partition}`);
  }
  loaded(partition: number, state: LoadedPartition): void {
    this.calls.push(`loaded ${partition}`);
    this.states.set(partition, state);
  }
  unloaded(partition: number): void {
    this.calls.push(`unloaded ${partition}`);
  }
}

const dirs: string[] = [];
const logs: PartitionLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close().catch(() => {});
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

export async function openPartition(index = 0): Promise<Partition> {
  const dir = await mkdtemp(join(tmpdir(), 'runnel-offsets-'));
  dirs.push(dir);
  const log = await PartitionLog.open({
    dir,
    config: logConfigFor(new Map(), defaultBrokerConfig),
    clock: systemClock,
    logger: silentLogger(),
  });
  logs.push(log);
  return new Partition({
    topic: consumerOffsetsTopic,
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
export function apply(store: OffsetsStore, p: Partition, s: PartitionState): void {
  const before = p.role;
  const epoch = p.leaderEpoch;
  p.applyState(s, { lagTimeMaxMs });
  if (before !== p.role || (p.role === 'leader' && p.leaderEpoch !== epoch)) store.onRoleChange(p, before, p.role);
}

export function storeFor(
  p: Partition,
  lifecycle: CoordinatorLifecycle,
  overrides: Partial<OffsetsStoreOptions> = {},
): OffsetsStore {
  return new OffsetsStore({
    partition: (index) => (index === p.index ? p : undefined),
    partitionCount: () => 1,
    lifecycle,
    minInsyncReplicas: () => 1,
    messageBytesMax: () => 1024 * 1024,
    logger: silentLogger(),
    clock: systemClock,
    ...overrides,
  });
}

export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
