/**
 * Shared pieces for the replication unit tests: real PartitionLogs on an
 * in-memory FaultyFileSystem, Partitions on a ManualClock and ManualTimers
 * (nothing fires unless the test moves time), record batches with known
 * values, and a way to let the code under test run until it waits again.
 */
import { ManualClock, ManualTimers, silentLogger } from '@runnel/common';
import { decodeRecordBatchesSync, encodeRecordBatchSync } from '@runnel/protocol';
import { defaultLogConfig, FaultyFileSystem, PartitionLog } from '@runnel/storage';
import { Partition } from '../src/replication/partition.ts';
import type { FollowerFetch, PartitionState } from '../src/replication/partition-api.ts';
import type { ReplicationRules } from '../src/replication/replication-rules.ts';

export const topicId = '00000000-0000-4000-8000-00000000000a';

export interface Time {
  readonly clock: ManualClock;
  readonly timers: ManualTimers;
  /** Moves the clock and fires what came due. */
  advance(ms: number): void;
}

export function manualTime(): Time {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  return {
    clock,
    timers,
    advance(ms) {
      clock.advance(ms);
      timers.fireDue();
    },
  };
}

export async function openLog(fs = new FaultyFileSystem(), dir = '/data/t-0'): Promise<PartitionLog> {
  return PartitionLog.open({ dir, config: defaultLogConfig, fs, logger: silentLogger() });
}

export function state(leader: number, leaderEpoch: number, replicas: number[], isr = replicas): PartitionState {
  return { leader, leaderEpoch, partitionEpoch: leaderEpoch, replicas, isr, addingReplicas: [] };
}

export async function partitionOn(
  nodeId: number,
  time: Time,
  options: { log?: PartitionLog; rules?: ReplicationRules; highWatermark?: bigint } = {},
): Promise<Partition> {
  const log = options.log ?? (await openLog());
  return new Partition({
    topic: 't',
    index: 0,
    topicId,
    log,
    nodeId,
    state: { leader: -1, leaderEpoch: -1, partitionEpoch: -1, replicas: [], isr: [], addingReplicas: [] },
    highWatermark: options.highWatermark ?? 0n,
    clock: time.clock,
    timers: time.timers,
    ...(options.rules === undefined ? {} : { rules: options.rules }),
  });
}

/** One batch holding `values` (null keys), as a producer sends it. */
export function batchOf(...values: string[]): Buffer {
  return batchAt(1_700_000_000_000n, ...values);
}

/** Like batchOf, with the records timestamped `timestampMs`. */
export function batchAt(timestampMs: bigint, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: timestampMs,
  });
}

/** One batch of an idempotent producer holding `values` (null keys), its first record at sequence `seq`. */
export function idempotentBatch(producer: { id: bigint; epoch: number }, seq: number, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: 1_700_000_000_000n,
    producerId: producer.id,
    producerEpoch: producer.epoch,
    baseSequence: seq,
  });
}

/** The values in `chunks` of stored batches, with the offset of each. */
export function valuesIn(chunks: readonly Buffer[] | Buffer): { offset: bigint; value: string }[] {
  const buf = Buffer.isBuffer(chunks) ? chunks : Buffer.concat(chunks);
  return decodeRecordBatchesSync(buf).flatMap((b) =>
    b.records.map((r) => ({ offset: r.offset, value: r.value?.toString() ?? '' })),
  );
}

/** A follower's fetch as the leader receives it. */
export function fetchFrom(
  followerId: number,
  fetchOffset: bigint,
  options: { leaderEpoch?: number; lastFetchedEpoch?: number; brokerEpoch?: bigint } = {},
): FollowerFetch {
  return {
    followerId,
    brokerEpoch: options.brokerEpoch ?? 1n,
    fetchOffset,
    lastFetchedEpoch: options.lastFetchedEpoch ?? -1,
    currentLeaderEpoch: options.leaderEpoch ?? -1,
  };
}

/** Lets promises and (in-memory) I/O run until `done` holds; fails after a bounded number of event-loop turns. */
export async function until(done: () => boolean, what: string, turnsMax = 1000): Promise<void> {
  for (let i = 0; i < turnsMax; i++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!done()) throw new Error(`never happened: ${what}`);
}

/** Lets the work already queued run (one event-loop turn), before checking that something has not happened. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `p` has settled, without waiting for it. */
export function settledFlag<T>(p: Promise<T>): { readonly settled: boolean; readonly value: T | undefined } {
  const flag: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  p.then((value) => {
    flag.settled = true;
    flag.value = value;
  });
  return flag;
}
