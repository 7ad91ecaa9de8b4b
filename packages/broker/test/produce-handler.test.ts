/**
 * The Produce handler over a real Partition (PartitionLog on an in-memory
 * disk, manual clock and timers): each acks mode and each way an acks=all
 * produce ends, mapped to its Kafka code, and the leader hints of v10+.
 */
import { type MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import type { ProduceRequest, ProduceResponse } from '@runnel/protocol';
import { ApiKeys, advertisedApis, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/handlers/handler.ts';
import { produceHandler } from '../src/handlers/produce.ts';
import type { Partition } from '../src/replication/partition.ts';
import { counterValue, handlerContext } from './handler-context.ts';
import {
  batchOf,
  fetchFrom,
  idempotentBatch,
  manualTime,
  partitionOn,
  settledFlag,
  state,
  type Time,
  topicId,
  until,
} from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
/** A request context at Produce `apiVersion`; the handler reads only the header's version and the connection id. */
function at(apiVersion: number): RequestContext {
  return {
    header: { apiKey: 0, apiVersion, correlationId: 1, clientId: 'test' },
    connection: { id: 1, remoteAddress: '127.0.0.1' },
  } as RequestContext;
}
const context = at(9);

function request(acks: number, records: Buffer, timeoutMs = 5_000): ProduceRequest {
  return { acks, timeoutMs, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] };
}

function partitionResponse(response: ProduceResponse | null) {
  return response?.responses[0]?.partitionResponses[0];
}

async function setup(replicas: number[], minInsyncReplicas = 1, isr = replicas) {
  const time: Time = manualTime();
  const partition: Partition = await partitionOn(1, time);
  partition.applyState(state(1, 1, replicas, isr), { lagTimeMaxMs, minInsyncReplicas });
  const { context: broker, metrics } = handlerContext(partition, { clock: time.clock, minInsyncReplicas, replicas });
  return { time, partition, handler: produceHandler(broker), metrics, broker };
}

/** `image` after broker 2 registered and became leader of t-0 at `leaderEpoch`. */
function imageWithLeader(image: MetadataImage, leader: number, leaderEpoch: number): MetadataImage {
  const records: MetadataRecord[] = [
    {
      type: 'register-broker',
      brokerId: leader,
      incarnationId: 'inc',
      brokerEpoch: 1n,
      listeners: [{ name: 'PLAINTEXT', host: `broker-${leader}`, port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
    },
    {
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [1, 2],
      isr: [1, 2],
      leader,
      leaderEpoch,
      partitionEpoch: leaderEpoch,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
  ];
  return replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

describe('Produce handler', () => {
  it('serves the advertised row, 0-13 (v12: transaction version 2, v13: topic ids)', async () => {
    const s = await setup([1]);
    const row = advertisedApis.find((a) => a.apiKey === ApiKeys.Produce);
    expect([s.handler.minVersion, s.handler.maxVersion]).toEqual([0, 13]);
    expect([row?.minVersion, row?.maxVersion]).toEqual([0, 13]);
  });

  it('acks=1 answers NONE with the base offset once the leader has appended, and counts the records in', async () => {
    const s = await setup([1]);
    await s.handler.handle(request(1, batchOf('a')), context);
    const response = await s.handler.handle(request(1, batchOf('b', 'c')), context);
    expect(partitionResponse(response)).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 1n,
      logStartOffset: 0n,
    });
    expect(s.partition.logEndOffset).toBe(3n);
    expect(await counterValue(s.metrics.messagesIn)).toBe(3);
  });

  it('pipelined produces on one connection append in arrival order, though a compressed batch is checked for longer', async () => {
    const s = await setup([1]);
    // Inflates past the one-shot size, so its check streams on the thread pool while the small one is checked at once.
    const slow = encodeRecordBatchSync({
      baseTimestamp: 1_700_000_000_000n,
      compression: 'gzip',
      records: Array.from({ length: 3000 }, (_, i) => ({ key: null, value: Buffer.alloc(1024, i & 0xff) })),
    });
    const first = s.handler.handle(request(1, slow), context);
    const second = s.handler.handle(request(1, batchOf('after')), context);
    expect(partitionResponse(await second)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3000n });
    expect(partitionResponse(await first)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
  });

  it('acks=0 appends and sends no response', async () => {
    const s = await setup([1]);
    expect(await s.handler.handle(request(0, batchOf('a')), context)).toBeNull();
    expect(s.partition.logEndOffset).toBe(1n);
  });

  it('acks=-1 with the ISR below min.insync.replicas answers NOT_ENOUGH_REPLICAS and appends nothing', async () => {
    const s = await setup([1, 2], 2, [1]);
    const response = await s.handler.handle(request(-1, batchOf('a')), context);
    expect(partitionResponse(response)).toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, baseOffset: -1n });
    expect(s.partition.logEndOffset).toBe(0n);
  });

  it('acks=-1 answers NONE only once the follower has fetched past the batch', async () => {
    const s = await setup([1, 2], 2);
    const pending = settledFlag(s.handler.handle(request(-1, batchOf('a')), context));
    await until(() => s.partition.logEndOffset === 1n, 'the append');
    expect(pending.settled).toBe(false);
    await s.partition.answerFollowerFetch(fetchFrom(2, 1n), 1 << 20);
    await until(() => pending.settled, 'the answer');
    expect(partitionResponse(pending.value ?? null)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
  });

  it('acks=-1 whose ISR shrinks below min.insync.replicas while it waits answers NOT_ENOUGH_REPLICAS_AFTER_APPEND', async () => {
    const s = await setup([1, 2], 2);
    const pending = s.handler.handle(request(-1, batchOf('a')), context);
    await until(() => s.partition.logEndOffset === 1n, 'the append');
    s.partition.applyState({ ...state(1, 1, [1, 2], [1]), partitionEpoch: 2 }, { lagTimeMaxMs, minInsyncReplicas: 2 });
    expect(partitionResponse(await pending)?.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
  });

  it('acks=-1 that no follower confirms within the request timeout answers REQUEST_TIMED_OUT', async () => {
    const s = await setup([1, 2], 2);
    const pending = s.handler.handle(request(-1, batchOf('a'), 2_000), context);
    await until(() => s.partition.ackWaiterCount === 1, 'the produce waiting');
    s.time.advance(2_000);
    expect(partitionResponse(await pending)?.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('acks=-1 waiting when leadership moves away answers NOT_LEADER_OR_FOLLOWER', async () => {
    const s = await setup([1, 2], 2);
    const pending = s.handler.handle(request(-1, batchOf('a')), context);
    await until(() => s.partition.ackWaiterCount === 1, 'the produce waiting');
    s.partition.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    expect(partitionResponse(await pending)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('a broker that follows the partition answers NOT_LEADER_OR_FOLLOWER and appends nothing', async () => {
    const s = await setup([1, 2]);
    s.partition.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    const response = await s.handler.handle(request(1, batchOf('a')), context);
    expect(partitionResponse(response)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(s.partition.logEndOffset).toBe(0n);
  });

  it("from v10 a follower's NOT_LEADER_OR_FOLLOWER names the leader of its metadata image and that leader's endpoint", async () => {
    const s = await setup([1, 2]);
    s.partition.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    const image = imageWithLeader(s.broker.image(), 2, 2);
    const handler = produceHandler({ ...s.broker, image: () => image });
    for (const version of [10, 11, 12]) {
      const response = await handler.handle(request(1, batchOf('a')), at(version));
      expect(partitionResponse(response)).toMatchObject({
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        currentLeader: { leaderId: 2, leaderEpoch: 2 },
      });
      expect(response?.nodeEndpoints).toEqual([{ nodeId: 2, host: 'broker-2', port: 9092, rack: null }]);
    }
    // v9 responses have no such fields: the codec would refuse to encode them.
    const v9 = await handler.handle(request(1, batchOf('a')), at(9));
    expect(partitionResponse(v9)).not.toHaveProperty('currentLeader');
    expect(v9).not.toHaveProperty('nodeEndpoints');
    expect(s.partition.logEndOffset).toBe(0n);
  });

  it('an acks value other than 0, 1 and -1 answers INVALID_REQUIRED_ACKS', async () => {
    const s = await setup([1]);
    const response = await s.handler.handle(request(2, batchOf('a')), context);
    expect(partitionResponse(response)?.errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(s.partition.logEndOffset).toBe(0n);
  });
});

describe('Produce handler: idempotent producers', () => {
  const producer = { id: 1000n, epoch: 0 };

  it('a resent batch answers NONE with its original base offset, appends nothing and counts no new records', async () => {
    const s = await setup([1]);
    await s.handler.handle(request(1, idempotentBatch(producer, 0, 'a', 'b')), context);
    await s.handler.handle(request(1, batchOf('other')), context);
    const retry = await s.handler.handle(request(1, idempotentBatch(producer, 0, 'a', 'b')), context);
    expect(partitionResponse(retry)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(s.partition.logEndOffset).toBe(3n);
    expect(await counterValue(s.metrics.messagesIn)).toBe(3);
  });

  it('a gap answers OUT_OF_ORDER_SEQUENCE_NUMBER with an errorMessage naming the sequences', async () => {
    const s = await setup([1]);
    await s.handler.handle(request(1, idempotentBatch(producer, 0, 'a')), context);
    const gap = await s.handler.handle(request(1, idempotentBatch(producer, 5, 'f')), context);
    expect(partitionResponse(gap)).toMatchObject({
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      baseOffset: -1n,
      errorMessage: expect.stringMatching(/sequence 5 .* last sequence 0/),
    });
    expect(s.partition.logEndOffset).toBe(1n);
  });

  it('a batch of an older producer epoch answers INVALID_PRODUCER_EPOCH', async () => {
    const s = await setup([1]);
    await s.handler.handle(request(1, idempotentBatch({ id: 1000n, epoch: 1 }, 0, 'a')), context);
    const old = await s.handler.handle(request(1, idempotentBatch(producer, 1, 'b')), context);
    expect(partitionResponse(old)).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('a control batch or a producer id without a sequence from a client answers INVALID_RECORD', async () => {
    const s = await setup([1]);
    const control = encodeRecordBatchSync({
      records: [{ key: Buffer.alloc(4), value: Buffer.alloc(6) }],
      baseTimestamp: 1n,
      producerId: 1000n,
      producerEpoch: 0,
      baseSequence: -1,
      transactional: true,
      control: true,
    });
    const noSequence = idempotentBatch(producer, -1, 'a');
    for (const records of [control, noSequence]) {
      const response = await s.handler.handle(request(1, records), context);
      expect(partitionResponse(response)).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
    }
    expect(s.partition.logEndOffset).toBe(0n);
  });
});
