/**
 * The consumer Fetch handler over a real Partition (PartitionLog on an
 * in-memory disk): the read bounds (high watermark, log end), the errors,
 * the record count taken from batch headers, and the long poll ending on an
 * append.
 */
import { systemClock } from '@runnel/common';
import type { FetchRequest, FetchResponse } from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/handlers/fetch.ts';
import type { RequestContext } from '../src/handlers/handler.ts';
import type { Partition } from '../src/replication/partition.ts';
import { counterValue, handlerContext } from './handler-context.ts';
import {
  batchOf,
  fetchFrom,
  manualTime,
  partitionOn,
  settledFlag,
  state,
  turn,
  until,
  valuesIn,
} from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const context: RequestContext = {
  header: { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: 'test' },
  connection: { id: 1, remoteAddress: 'test' },
};

function request(fetchOffset: bigint, options: { maxWaitMs?: number; minBytes?: number } = {}): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
  };
}

function partitionData(response: FetchResponse | null) {
  const data = response?.responses[0]?.partitions[0];
  if (data === undefined) throw new Error('no partition in the response');
  return data;
}

async function append(p: Partition, ...values: string[]): Promise<void> {
  const result = await p.appendAsLeader(batchOf(...values), values.length, {
    acks: 1,
    minInsyncReplicas: 1,
    timeoutMs: 1_000,
  });
  if (!result.ok) throw new Error(result.error);
}

/** Broker 1 leads with follower 2; 'a','b' are committed (the follower has them), 'c' is not. */
async function committedAndNot() {
  const partition = await partitionOn(1, manualTime());
  partition.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
  await append(partition, 'a', 'b');
  await append(partition, 'c');
  await partition.answerFollowerFetch(fetchFrom(2, 2n), 1 << 20);
  const { context: broker, metrics } = handlerContext(partition, { clock: systemClock, replicas: [1, 2] });
  return { partition, handler: fetchHandler(broker), metrics };
}

describe('Fetch handler', () => {
  it('a consumer gets only the batches below the high watermark, with the high watermark, and they are counted', async () => {
    const s = await committedAndNot();
    const data = partitionData(await s.handler.handle(request(0n), context));
    expect(data).toMatchObject({
      errorCode: ErrorCode.NONE,
      highWatermark: 2n,
      lastStableOffset: 2n,
      logStartOffset: 0n,
    });
    expect(valuesIn(data.records as Buffer[]).map((r) => r.value)).toEqual(['a', 'b']);
    expect(await counterValue(s.metrics.messagesOut)).toBe(2);
  });

  it('a fetch at an offset between the high watermark and the log end gets no records and no error', async () => {
    const s = await committedAndNot();
    const data = partitionData(await s.handler.handle(request(2n), context));
    expect(data.errorCode).toBe(ErrorCode.NONE);
    expect(data.records).toEqual(Buffer.alloc(0));
  });

  it('a fetch past the log end answers OFFSET_OUT_OF_RANGE', async () => {
    const s = await committedAndNot();
    expect(partitionData(await s.handler.handle(request(9n), context)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('a broker that does not lead the partition answers NOT_LEADER_OR_FOLLOWER', async () => {
    const s = await committedAndNot();
    s.partition.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    expect(partitionData(await s.handler.handle(request(0n), context)).errorCode).toBe(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
  });

  it('a fetch waiting for min bytes at the high watermark answers as soon as new records are committed', async () => {
    const partition = await partitionOn(1, manualTime());
    partition.applyState(state(1, 1, [1]), { lagTimeMaxMs });
    const { context: broker } = handlerContext(partition, { clock: systemClock });
    const pending = settledFlag(fetchHandler(broker).handle(request(0n, { maxWaitMs: 60_000, minBytes: 1 }), context));
    await turn();
    expect(pending.settled).toBe(false);
    await append(partition, 'late');
    await until(() => pending.settled, 'the long poll to end');
    const data = partitionData(pending.value ?? null);
    expect(valuesIn(data.records as Buffer[]).map((r) => r.value)).toEqual(['late']);
  });
});
