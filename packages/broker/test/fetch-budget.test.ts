/**
 * What one Fetch returns over several partitions, now that their reads are
 * issued together: still Kafka's in-order limits (each partition gets
 * min(partition_max_bytes, what is left of max_bytes), none once it is
 * spent, the first with data at least one whole batch, the others only
 * whole batches within their limit), and the records
 * the response carries are the read buffers themselves, in recycled memory
 * held until the response is written. Real Partitions on in-memory logs.
 */
import { systemClock } from '@runnel/common';
import { ErrorCode, type FetchRequest, type FetchResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/handlers/fetch.ts';
import type { RequestContext, ResponseMemory } from '../src/handlers/handler.ts';
import { type FrameClaim, FramePool, poisonByte } from '../src/network/frame-pool.ts';
import type { Partition } from '../src/replication/partition.ts';
import { handlerContext } from './handler-context.ts';
import { batchOf, manualTime, partitionOn, settledFlag, state, turn, until, valuesIn } from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
/** Bytes of a batch of one record of 1000 bytes: the unit the limits below are given in. */
const unit = batchOf('x'.repeat(1000)).length;

async function leaderWith(...values: string[]): Promise<Partition> {
  const partition = await partitionOn(1, manualTime());
  partition.applyState(state(1, 1, [1]), { lagTimeMaxMs });
  for (const v of values) await append(partition, v);
  return partition;
}

async function append(partition: Partition, value: string): Promise<void> {
  const appended = await partition.appendAsLeader(batchOf(value), 1, {
    acks: 1,
    minInsyncReplicas: 1,
    timeoutMs: 1_000,
  });
  if (!appended.ok) throw new Error(appended.error);
}

function request(
  partitions: number,
  o: { maxBytes: number; partitionMaxBytes: number; minBytes?: number },
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: o.minBytes === undefined ? 0 : 60_000,
    minBytes: o.minBytes ?? 0,
    maxBytes: o.maxBytes,
    isolationLevel: 0,
    topics: [
      {
        topic: 't',
        partitions: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          fetchOffset: 0n,
          partitionMaxBytes: o.partitionMaxBytes,
        })),
      },
    ],
  };
}

/** The values each partition of the response carries, in partition order. */
function valuesByPartition(response: FetchResponse | null): string[][] {
  return (response?.responses[0]?.partitions ?? []).map((p) => valuesIn(p.records as Buffer[]).map((r) => r.value));
}

/** ResponseMemory over a poisoning pool: what the test holds, as the request processor would until the write. */
class TestMemory implements ResponseMemory {
  readonly pool = new FramePool({
    frameBytesMin: 1,
    frameBytesMax: 1 << 22,
    freeBytesMax: 1 << 26,
    poisonReleased: true,
  });
  readonly held: FrameClaim[] = [];
  acquire(sizeBytes: number) {
    const acquired = this.pool.acquire(sizeBytes);
    return acquired === null ? null : { bytes: acquired.frame, claim: acquired.claim };
  }
  holdUntilWritten(claim: FrameClaim): void {
    this.held.push(claim);
  }
}

const small = (n: number) => `${n}`.padEnd(1000, '.');

/** A v11 fetch: topics by name, no leader hints. */
const v11: RequestContext = {
  header: { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: 'test' },
  connection: { id: 1, remoteAddress: 'test' },
};

describe('Fetch over several partitions', () => {
  it('fills partitions in request order: min(partition_max_bytes, what is left), none once max_bytes is spent', async () => {
    const partitions = await Promise.all(
      [0, 1, 2, 3].map((p) => leaderWith(small(p * 10), small(p * 10 + 1), small(p * 10 + 2))),
    );
    const [first, ...more] = partitions as [Partition, ...Partition[]];
    const { context: broker } = handlerContext(first, { clock: systemClock, more });
    const response = await fetchHandler(broker).handle(
      request(4, { maxBytes: 5 * unit, partitionMaxBytes: 2 * unit }),
      v11,
    );
    expect(valuesByPartition(response).map((values) => values.map((v) => v.trim().replace(/\.+$/, '')))).toEqual([
      ['0', '1'],
      ['10', '11'],
      ['20'],
      [],
    ]);
    const last = response?.responses[0]?.partitions[3];
    expect(last).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 3n, logStartOffset: 0n });
  });

  it('a first batch larger than its partition limit comes whole; the partitions after it get only what is left', async () => {
    const big = await leaderWith('b'.repeat(3000));
    const others = await Promise.all([1, 2].map((p) => leaderWith(small(p * 10), small(p * 10 + 1))));
    const { context: broker } = handlerContext(big, { clock: systemClock, more: others });
    const response = await fetchHandler(broker).handle(
      request(3, { maxBytes: 4 * unit, partitionMaxBytes: 2 * unit }),
      v11,
    );
    const sizes = valuesByPartition(response).map((values) => values.map((v) => v.length));
    // 3 units (over its limit: the first with data), one unit of the 2 the second partition's limit would
    // allow, and none of the third, whose next batch is larger than the part of a unit that is left.
    expect(sizes).toEqual([[3000], [1000], []]);
  });

  it('carries the read buffers themselves, held until written, and gives back those of a long poll it read again', async () => {
    const partitions = await Promise.all([0, 1].map((p) => leaderWith(small(p))));
    const [first, second] = partitions as [Partition, Partition];
    const { context: broker } = handlerContext(first, { clock: systemClock, more: [second] });
    const memory = new TestMemory();
    const context: RequestContext = {
      header: { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: 'test' },
      connection: { id: 1, remoteAddress: 'test' },
      responseMemory: memory,
    };
    // Wants more than the two batches there are: reads, waits for an append, reads again.
    const pending = settledFlag(
      fetchHandler(broker).handle(
        request(2, { maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, minBytes: 2 * unit + 1 }),
        context,
      ),
    );
    await until(() => memory.pool.stats.acquired === 2, 'the first reads');
    await turn();
    expect(pending.settled).toBe(false);
    await append(second, small(2));
    await until(() => pending.settled, 'the long poll to end');
    const response = pending.value ?? null;
    expect(valuesByPartition(response).map((values) => values.map((v) => v.replace(/\.+$/, '')))).toEqual([
      ['0'],
      ['1', '2'],
    ]);
    // Two reads per partition; the first two were given back (and poisoned), the last two are held.
    expect(memory.pool.stats.acquired).toBe(4);
    expect(memory.held).toHaveLength(2);
    expect(memory.pool.stats.freeBytes).toBeGreaterThan(0);
    for (const claim of memory.held) claim.release();
    // Released: the response's records were those very buffers.
    for (const p of response?.responses[0]?.partitions ?? []) {
      for (const chunk of p.records as Buffer[]) expect(chunk.every((b) => b === poisonByte)).toBe(true);
    }
  });

  it('fetch.max.bytes caps a request asking for 2^31 bytes: the response carries what the broker allows, not the log', async () => {
    const partitions = await Promise.all(
      [0, 1].map((p) => leaderWith(small(p * 10), small(p * 10 + 1), small(p * 10 + 2))),
    );
    const [first, second] = partitions as [Partition, Partition];
    const { context } = handlerContext(first, { clock: systemClock, more: [second] });
    const broker = { ...context, config: { ...context.config, fetchBytesMax: 4 * unit } };
    const response = await fetchHandler(broker).handle(
      request(2, { maxBytes: 2 ** 31 - 1, partitionMaxBytes: 2 ** 31 - 1 }),
      v11,
    );
    expect(valuesByPartition(response).map((values) => values.length)).toEqual([3, 1]);
  });

  it('reads nothing until the connection may send the response, and nothing at all once it closed', async () => {
    const partition = await leaderWith(small(0), small(1));
    const { context: broker } = handlerContext(partition, { clock: systemClock });
    const memory = new TestMemory();
    let letSend: (open: boolean) => void = () => {};
    const context = (sendable: Promise<boolean>): RequestContext => ({
      header: { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: 'test' },
      connection: { id: 1, remoteAddress: 'test', untilSendable: () => sendable },
      responseMemory: memory,
    });
    const ask = request(1, { maxBytes: 1 << 20, partitionMaxBytes: 1 << 20 });
    const waiting = settledFlag(
      fetchHandler(broker).handle(ask, context(new Promise((resolve) => (letSend = resolve)))),
    );
    await turn();
    expect(waiting.settled).toBe(false);
    expect(memory.pool.stats.acquired).toBe(0);
    letSend(true);
    await until(() => waiting.settled, 'the fetch to answer once it may send');
    expect(valuesByPartition(waiting.value ?? null)[0]).toHaveLength(2);
    const acquired = memory.pool.stats.acquired;
    const closed = await fetchHandler(broker).handle(ask, context(Promise.resolve(false)));
    expect(closed?.responses).toEqual([]);
    expect(memory.pool.stats.acquired).toBe(acquired);
  });
});
