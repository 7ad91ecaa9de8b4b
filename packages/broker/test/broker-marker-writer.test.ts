/**
 * BrokerMarkerWriter with a fake network and metadata, on manual timers:
 * routing per leader (local vs one call per remote leader), retries with
 * backoff that follow a moved leader, deleted partitions, cancellation, a
 * fenced coordinator, and the warn line for a partition that keeps failing.
 */
import { err, ok, silentLogger } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { TxnMarkersRequest, TxnMarkersResult } from '@runnel/rpc';
import { describe, expect, it, vi } from 'vitest';
import { BrokerMarkerWriter, type MarkerRouting } from '../src/transactions/broker-marker-writer.ts';
import type { MarkerRequest } from '../src/transactions/txn-core.ts';
import type { TxnMarkerEntry } from '../src/transactions/txn-marker-apply.ts';
import { manualTime, settledFlag, type Time, turn, until } from './replication-fixture.ts';

const self = 1;

interface Fake {
  readonly time: Time;
  readonly leaders: Map<string, number | null>;
  readonly calls: { address: string; partitions: string[] }[];
  readonly localCalls: string[][];
  readonly warnings: Record<string, unknown>[];
  /** What a remote leader answers per partition (default NONE); 'unavailable' for no answer at all. */
  answer: (address: string, partition: string) => number | 'unavailable';
  localAnswer: (partition: string) => number;
  readonly writer: BrokerMarkerWriter;
}

const key = (p: { topic: string; partition: number }): string => `${p.topic}-${p.partition}`;

function fake(leaders: [string, number | null][]): Fake {
  const time = manualTime();
  const warnings: Record<string, unknown>[] = [];
  const logger = silentLogger();
  vi.spyOn(logger, 'warn').mockImplementation((fields: unknown) => {
    warnings.push(fields as Record<string, unknown>);
  });
  const routing: MarkerRouting = {
    leaderOf: (topic, partition) => {
      const leader = f.leaders.get(`${topic}-${partition}`);
      return leader === undefined ? null : leader;
    },
    addressOf: (id) => (id === 9 ? undefined : `broker-${id}:9192`),
  };
  const f: Fake = {
    time,
    leaders: new Map(leaders),
    calls: [],
    localCalls: [],
    warnings,
    answer: () => ErrorCode.NONE,
    localAnswer: () => ErrorCode.NONE,
    writer: new BrokerMarkerWriter({
      nodeId: self,
      routing,
      local: async (entries: readonly TxnMarkerEntry[]) =>
        entries.map((e) => {
          f.localCalls.push(e.partitions.map(key));
          return {
            producerId: e.producerId,
            partitions: e.partitions.map((p) => ({ ...p, errorCode: f.localAnswer(key(p)) })),
          };
        }),
      transport: {
        write: async (address: string, request: TxnMarkersRequest): Promise<TxnMarkersResult> => {
          const entry = request.markers[0];
          if (entry === undefined) throw new Error('one marker per call');
          f.calls.push({ address, partitions: entry.partitions.map(key) });
          const codes = entry.partitions.map((p) => f.answer(address, key(p)));
          if (codes.includes('unavailable')) return err('unavailable');
          return ok({
            markers: [
              {
                producerId: entry.producerId,
                partitions: entry.partitions.map((p, i) => ({ ...p, errorCode: codes[i] as number })),
              },
            ],
          });
        },
        close: () => {},
      },
      logger,
      timers: time.timers,
      retryBackoffMsMin: 100,
      retryBackoffMsMax: 400,
      warnAfterAttempts: 3,
    }),
  };
  return f;
}

function request(partitions: string[]): MarkerRequest {
  return {
    markersId: 1,
    transactionalId: 'tx-1',
    result: 'commit',
    producerId: 42n,
    producerEpoch: 3,
    coordinatorEpoch: 7,
    partitions: partitions.map((p) => {
      const at = p.lastIndexOf('-');
      return { topic: p.slice(0, at), partition: Number(p.slice(at + 1)) };
    }),
  };
}

describe('BrokerMarkerWriter', () => {
  it('writes partitions led here through the local core and the others in one call per leader', async () => {
    const f = fake([
      ['t-0', self],
      ['t-1', 2],
      ['t-2', 2],
      ['u-0', 3],
    ]);
    expect(await f.writer.write(request(['t-0', 't-1', 'u-0', 't-2', 't-1']), () => false)).toBe('written');
    expect(f.localCalls).toEqual([['t-0']]);
    expect(f.calls).toEqual([
      { address: 'broker-2:9192', partitions: ['t-1', 't-2'] },
      { address: 'broker-3:9192', partitions: ['u-0'] },
    ]);
  });

  it('follows a leader that moved: NOT_LEADER_OR_FOLLOWER from the old one, written on the new one after a backoff', async () => {
    const f = fake([['t-0', 2]]);
    f.answer = (address) => (address === 'broker-2:9192' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE);
    const result = settledFlag(f.writer.write(request(['t-0']), () => false));
    await until(() => f.time.timers.pendingCount > 0, 'the backoff after the first call');
    f.leaders.set('t-0', 3);
    f.time.advance(99);
    await turn();
    expect(f.calls).toHaveLength(1);
    f.time.advance(1);
    await until(() => result.settled, 'the write');
    expect(result.value).toBe('written');
    expect(f.calls.map((c) => c.address)).toEqual(['broker-2:9192', 'broker-3:9192']);
  });

  it('retries an unreachable leader with doubling backoff, bounded, and warns while it keeps failing', async () => {
    const f = fake([
      ['t-0', 2],
      ['t-1', self],
    ]);
    let reachable = false;
    f.answer = () => (reachable ? ErrorCode.NONE : 'unavailable');
    const result = settledFlag(f.writer.write(request(['t-0', 't-1']), () => false));
    // Waits between calls: 100, 200, 400, 400 (the bound).
    for (const waitMs of [100, 200, 400, 400]) {
      const before = f.calls.length;
      await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
      f.time.advance(waitMs - 1);
      await turn();
      expect(f.calls).toHaveLength(before);
      f.time.advance(1);
      await until(() => f.calls.length === before + 1, 'the next call');
    }
    // The local partition was written in the first round and never sent again.
    expect(f.localCalls).toEqual([['t-1']]);
    expect(f.warnings).toHaveLength(1);
    expect(f.warnings[0]).toMatchObject({ topic: 't', partition: 0, attempts: 3, reason: 'leader 2: unavailable' });
    reachable = true;
    await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
    f.time.advance(400);
    await until(() => result.settled, 'the write');
    expect(result.value).toBe('written');
  });

  it('a partition whose topic was deleted counts as written, before or after a failed attempt', async () => {
    const f = fake([
      ['gone-0', null],
      ['t-0', 2],
    ]);
    f.answer = () => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const result = settledFlag(f.writer.write(request(['gone-0', 't-0']), () => false));
    await until(() => f.calls.length === 1, 'the first call');
    expect(f.calls[0]?.partitions).toEqual(['t-0']);
    f.leaders.delete('t-0');
    await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
    f.time.advance(100);
    await until(() => result.settled, 'the write');
    expect(result.value).toBe('written');
    expect(f.calls).toHaveLength(1);
  });

  it('a partition without a leader, or whose leader has no replication listener, waits; cancelled() ends the write', async () => {
    const f = fake([
      ['t-0', -1],
      ['t-1', 9],
    ]);
    let cancelled = false;
    const result = settledFlag(f.writer.write(request(['t-0', 't-1']), () => cancelled));
    await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
    f.time.advance(100);
    await until(() => f.time.timers.pendingCount > 0, 'the next backoff timer');
    expect(result.settled).toBe(false);
    cancelled = true;
    f.time.advance(200);
    await until(() => result.settled, 'the write to end');
    expect(result.value).toBe('cancelled');
    expect(f.calls).toEqual([]);
    expect(f.localCalls).toEqual([]);
  });

  it('a fenced coordinator (TRANSACTION_COORDINATOR_FENCED) is never told written; it keeps trying until cancelled', async () => {
    const f = fake([['t-0', self]]);
    f.localAnswer = () => ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    let cancelled = false;
    const result = settledFlag(f.writer.write(request(['t-0']), () => cancelled));
    for (const waitMs of [100, 200, 400]) {
      await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
      f.time.advance(waitMs);
    }
    await until(() => f.localCalls.length === 4, 'four attempts');
    expect(result.settled).toBe(false);
    expect(f.warnings[0]).toMatchObject({
      attempts: 3,
      reason: 'TRANSACTION_COORDINATOR_FENCED',
      transactionalId: 'tx-1',
    });
    cancelled = true;
    await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
    f.time.advance(400);
    await until(() => result.settled, 'the write to end');
    expect(result.value).toBe('cancelled');
    expect(f.localCalls).toHaveLength(4);
  });

  it('close() ends writes in progress as cancelled', async () => {
    const f = fake([['t-0', 2]]);
    f.answer = () => ErrorCode.NOT_ENOUGH_REPLICAS;
    const result = settledFlag(f.writer.write(request(['t-0']), () => false));
    await until(() => f.time.timers.pendingCount > 0, 'the backoff timer');
    f.writer.close();
    f.time.advance(100);
    await until(() => result.settled, 'the write to end');
    expect(result.value).toBe('cancelled');
    expect(f.calls).toHaveLength(1);
  });
});
