/**
 * One real `__consumer_offsets` Partition in a temp dir (no network, the
 * coordinators' shared coordinator-partition-fixture.ts) and an
 * OffsetsStore over it, with a lifecycle that records what it is told: the
 * fixture of the store tests (offsets-store*.test.ts).
 */
import { silentLogger, systemClock } from '@runnel/common';
import { afterEach } from 'vitest';
import { OffsetsStore, type OffsetsStoreOptions } from '../src/groups/offsets-store.ts';
import { type CoordinatorLifecycle, consumerOffsetsTopic, type LoadedPartition } from '../src/groups/types.ts';
import type { Partition } from '../src/replication/partition.ts';
import type { PartitionState } from '../src/replication/partition-api.ts';
import {
  applyState,
  closeFixtures,
  openPartition as openCoordinatorPartition,
} from './coordinator-partition-fixture.ts';

export { state, until } from './coordinator-partition-fixture.ts';

afterEach(closeFixtures);

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

export function openPartition(index = 0): Promise<Partition> {
  return openCoordinatorPartition(consumerOffsetsTopic, index);
}

/** Applies a state the way PartitionManager does, telling the store of role changes. */
export function apply(store: OffsetsStore, p: Partition, s: PartitionState): void {
  applyState(store, p, s);
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
