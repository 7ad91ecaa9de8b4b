/**
 * The broker's TxnVerifier (KIP-890 part 1) routes a partition leader's
 * question to the transactional id's coordinator: answered here when this
 * broker leads the id's `__transaction_state` partition, over
 * TxnMarkers.Verify when another does, COORDINATOR_NOT_AVAILABLE when no
 * coordinator can be asked.
 */
import { err, ok, silentLogger } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { TxnVerifyRequest } from '@runnel/rpc';
import { describe, expect, it } from 'vitest';
import { brokerTxnVerifier } from '../src/transactions/broker-txn-verifier.ts';
import { partitionForTransactionalId, transactionStateTopic } from '../src/transactions/txn-api.ts';
import type { VerifyInput } from '../src/transactions/txn-verify.ts';

const input: VerifyInput = {
  transactionalId: 'copier',
  producerId: 9n,
  producerEpoch: 2,
  partitions: [
    { topic: 'out', partition: 1 },
    { topic: 'out', partition: 2 },
  ],
};
const stateIndex = partitionForTransactionalId('copier', 50);

function setup(leader: number | null, opts: { partitions?: number | null; remoteFails?: boolean } = {}) {
  const remote: { address: string; request: TxnVerifyRequest }[] = [];
  const local: VerifyInput[] = [];
  const verifier = brokerTxnVerifier({
    nodeId: 1,
    routing: {
      leaderOf: (topic, partition) => (topic === transactionStateTopic && partition === stateIndex ? leader : -1),
      addressOf: (id) => (id === 3 ? undefined : `broker-${id}:9093`),
    },
    statePartitions: () => (opts.partitions === undefined ? 50 : opts.partitions),
    local: async (i) => {
      local.push(i);
      return i.partitions.map((p) => ({ ...p, errorCode: ErrorCode.NONE }));
    },
    transport: {
      verify: async (address, request) => {
        remote.push({ address, request });
        if (opts.remoteFails === true) return err('unavailable');
        return ok({
          partitions: request.partitions.map((p) => ({ ...p, errorCode: ErrorCode.TRANSACTION_ABORTABLE })),
        });
      },
    },
    logger: silentLogger(),
  });
  return { verifier, remote, local };
}

const codes = (verdicts: readonly { errorCode: number }[]) => verdicts.map((v) => v.errorCode);

describe('broker transaction verifier', () => {
  it('asks this broker’s coordinator when it leads the id’s __transaction_state partition', async () => {
    const s = setup(1);
    expect(codes(await s.verifier.verify(input))).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(s.local).toEqual([input]);
    expect(s.remote).toEqual([]);
  });

  it('asks the leading broker over gRPC otherwise, and passes its answer on', async () => {
    const s = setup(2);
    expect(codes(await s.verifier.verify(input))).toEqual([
      ErrorCode.TRANSACTION_ABORTABLE,
      ErrorCode.TRANSACTION_ABORTABLE,
    ]);
    expect(s.remote).toEqual([{ address: 'broker-2:9093', request: input }]);
  });

  it.each([
    ['no __transaction_state topic', setup(2, { partitions: null })],
    ['no leader', setup(-1)],
    ['a leader without a replication address', setup(3)],
    ['a failed call', setup(2, { remoteFails: true })],
  ])('%s answers COORDINATOR_NOT_AVAILABLE for every partition', async (_what, s) => {
    expect(codes(await s.verifier.verify(input))).toEqual([
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    ]);
  });
});
