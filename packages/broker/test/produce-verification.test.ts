/**
 * KIP-890 part 1 through the Produce handler over a real Partition: a
 * transactional batch opening its producer's transaction on the partition
 * is appended only after the coordinator (a fake TxnVerifier here) says the
 * partition is in the ongoing transaction, and only if no marker overtook
 * that answer; the coordinator's refusals become the codes the request's
 * Produce version knows (TRANSACTION_ABORTABLE from v11).
 */
import type { ProduceRequest, ProduceResponse } from '@runnel/protocol';
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/handlers/handler.ts';
import { produceHandler } from '../src/handlers/produce.ts';
import type { TxnVerifier } from '../src/transactions/txn-ports.ts';
import type { VerifyInput } from '../src/transactions/txn-verify.ts';
import { handlerContext } from './handler-context.ts';
import { manualTime, partitionOn, state } from './replication-fixture.ts';

/** A request context at Produce `apiVersion`; the handler reads only the header's version and the connection id. */
function at(apiVersion: number): RequestContext {
  return {
    header: { apiKey: 0, apiVersion, correlationId: 1, clientId: 'test' },
    connection: { id: 1, remoteAddress: '127.0.0.1' },
  } as RequestContext;
}
const context = at(10);
const producerId = 7000n;

function txnBatch(seq: number, value: string, transactional = true, producerEpoch = 0): Buffer {
  return encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(value) }],
    baseTimestamp: 1_700_000_000_000n,
    producerId,
    producerEpoch,
    baseSequence: seq,
    transactional,
  });
}

function request(records: Buffer, transactionalId: string | null = 'tx'): ProduceRequest {
  return {
    acks: 1,
    timeoutMs: 5_000,
    transactionalId,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  };
}

function code(response: ProduceResponse | null): number | undefined {
  return response?.responses[0]?.partitionResponses[0]?.errorCode;
}

/** A verifier answering `answer` for every partition, recording what it was asked. */
function fakeVerifier(answer: number, before?: () => Promise<void>): TxnVerifier & { asked: VerifyInput[] } {
  const asked: VerifyInput[] = [];
  return {
    asked,
    async verify(input) {
      asked.push(input);
      await before?.();
      return input.partitions.map((p) => ({ ...p, errorCode: answer }));
    },
  };
}

async function setup(verifier: TxnVerifier | null, verificationEnabled = true) {
  const time = manualTime();
  const partition = await partitionOn(1, time);
  partition.applyState(state(1, 1, [1], [1]), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
  const { context: broker } = handlerContext(partition, { clock: time.clock, minInsyncReplicas: 1, replicas: [1] });
  return { partition, handler: produceHandler(broker, verifier, verificationEnabled) };
}

describe('transactional produce verification (KIP-890 part 1)', () => {
  it('the first batch is verified with the coordinator and appended; later batches of the open transaction are not asked about', async () => {
    const verifier = fakeVerifier(ErrorCode.NONE);
    const s = await setup(verifier);
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), context))).toBe(ErrorCode.NONE);
    expect(verifier.asked).toEqual([
      { transactionalId: 'tx', producerId, producerEpoch: 0, partitions: [{ topic: 't', partition: 0 }], add: false },
    ]);
    expect(s.partition.log.producer(producerId)?.currentTxnFirstOffset).toBe(0n);
    expect(code(await s.handler.handle(request(txnBatch(1, 'b')), context))).toBe(ErrorCode.NONE);
    expect(verifier.asked).toHaveLength(1);
    expect(s.partition.logEndOffset).toBe(2n);
  });

  it.each([
    [ErrorCode.TRANSACTION_ABORTABLE, ErrorCode.INVALID_TXN_STATE],
    [ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH],
    [ErrorCode.INVALID_PRODUCER_ID_MAPPING, ErrorCode.INVALID_PRODUCER_ID_MAPPING],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_ENOUGH_REPLICAS],
    [ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_ENOUGH_REPLICAS],
    [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NOT_ENOUGH_REPLICAS],
  ])('a coordinator answer of %i is Produce error %i and nothing is appended', async (answer, expected) => {
    const s = await setup(fakeVerifier(answer));
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), context))).toBe(expected);
    expect(s.partition.logEndOffset).toBe(0n);
    expect(s.partition.log.producer(producerId)).toBeUndefined();
  });

  it('from Produce v11 a partition the coordinator does not know in the transaction is TRANSACTION_ABORTABLE', async () => {
    const s = await setup(fakeVerifier(ErrorCode.TRANSACTION_ABORTABLE));
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), at(11)))).toBe(ErrorCode.TRANSACTION_ABORTABLE);
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), at(10)))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(s.partition.logEndOffset).toBe(0n);
  });

  it('a marker written while the verification is on its way drops it: the late batch is INVALID_TXN_STATE', async () => {
    let partition: Awaited<ReturnType<typeof setup>>['partition'] | undefined;
    const s = await setup(
      fakeVerifier(ErrorCode.NONE, async () => {
        // The coordinator ends the producer's transaction (an abort) before the verification's answer arrives.
        await partition?.writeTxnMarker(producerId, 0, 3, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 });
      }),
    );
    partition = s.partition;
    expect(code(await s.handler.handle(request(txnBatch(0, 'late')), context))).toBe(ErrorCode.INVALID_TXN_STATE);
    // Only the marker is in the log; no transaction is left open.
    expect(s.partition.logEndOffset).toBe(1n);
    expect(s.partition.log.producer(producerId)?.currentTxnFirstOffset ?? null).toBeNull();
  });

  it('transactional records without a transactional id are TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    const s = await setup(fakeVerifier(ErrorCode.NONE));
    expect(code(await s.handler.handle(request(txnBatch(0, 'a'), null), context))).toBe(
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
  });

  it('idempotent batches are never verified, and with verification off transactional ones are appended unasked', async () => {
    const verifier = fakeVerifier(ErrorCode.TRANSACTION_ABORTABLE);
    const s = await setup(verifier);
    expect(code(await s.handler.handle(request(txnBatch(0, 'a', false), null), context))).toBe(ErrorCode.NONE);
    expect(verifier.asked).toHaveLength(0);
    const off = await setup(null);
    expect(code(await off.handler.handle(request(txnBatch(0, 'a')), context))).toBe(ErrorCode.NONE);
  });

  it('Produce v12 (transaction version 2) adds the partition, even with verification off; v11 then asks nothing', async () => {
    const verifier = fakeVerifier(ErrorCode.NONE);
    const s = await setup(verifier, false);
    expect(code(await s.handler.handle(request(txnBatch(0, 'a', true, 0)), at(11)))).toBe(ErrorCode.NONE);
    expect(verifier.asked).toHaveLength(0);
    const v2 = await setup(verifier, false);
    expect(code(await v2.handler.handle(request(txnBatch(0, 'a')), at(12)))).toBe(ErrorCode.NONE);
    expect(verifier.asked).toEqual([
      { transactionalId: 'tx', producerId, producerEpoch: 0, partitions: [{ topic: 't', partition: 0 }], add: true },
    ]);
    expect(v2.partition.log.producer(producerId)?.currentTxnFirstOffset).toBe(0n);
  });

  it('at v12 CONCURRENT_TRANSACTIONS reaches the client as itself (it retries), below v12 as NOT_ENOUGH_REPLICAS', async () => {
    const s = await setup(fakeVerifier(ErrorCode.CONCURRENT_TRANSACTIONS));
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), at(12)))).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(code(await s.handler.handle(request(txnBatch(0, 'a')), at(11)))).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(s.partition.logEndOffset).toBe(0n);
  });

  it('at v12 the previous transaction’s marker landing during the add is not the batch’s refusal: the leader asks again', async () => {
    let partition: Awaited<ReturnType<typeof setup>>['partition'] | undefined;
    let adds = 0;
    const verifier = fakeVerifier(ErrorCode.NONE, async () => {
      // The coordinator answers the next transaction's first add once the previous one's markers are written.
      if (verifier.asked.at(-1)?.add !== true || adds++ > 0) return;
      await partition?.writeTxnMarker(producerId, 1, 3, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 });
    });
    const s = await setup(verifier);
    partition = s.partition;
    // The first transaction (epoch 0) is open here.
    expect(code(await s.handler.handle(request(txnBatch(0, 'first')), at(11)))).toBe(ErrorCode.NONE);
    // The next one, at the epoch its EndTxn named.
    expect(code(await s.handler.handle(request(txnBatch(0, 'second', true, 1)), at(12)))).toBe(ErrorCode.NONE);
    expect(verifier.asked.filter((a) => a.add === true)).toHaveLength(2);
    // first, the commit marker, then second opening the new transaction.
    expect(s.partition.logEndOffset).toBe(3n);
    expect(s.partition.log.producer(producerId)).toMatchObject({ epoch: 1, currentTxnFirstOffset: 2n });
  });
});
