/**
 * TransactionsAdmin against a scripted broker (DescribeTransactions goes to
 * the coordinator FindCoordinator key type 1 names, retried while it moves;
 * ListTransactions is merged over the brokers) and the find-hanging rule
 * over fake coordinator lookups.
 */
import {
  ApiKeys,
  type DescribeTransactionsResponse,
  ErrorCode,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
  type ListTransactionsRequest,
  type ListTransactionsResponse,
  type MetadataResponse,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findHangingTransactions,
  KafkaClient,
  type PartitionProducers,
  type TransactionDetails,
  type TransactionListing,
  TransactionsAdmin,
} from '../src/index.ts';
import { type FakeRequest, reply, startFakeBroker } from './fake-broker.ts';

const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('TransactionsAdmin against a scripted broker', () => {
  it('describeTransaction asks FindCoordinator (batched, v4+) with key type 1, waits out COORDINATOR_NOT_AVAILABLE, and reads the answer', async () => {
    const findCoordinatorCodes: number[] = [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NONE];
    let port = 0;
    const broker = await startFakeBroker((request: FakeRequest) => {
      if (request.header.apiKey === ApiKeys.FindCoordinator) {
        const body = request.body as unknown as FindCoordinatorRequest;
        const errorCode =
          body.keyType === 1 ? (findCoordinatorCodes.shift() ?? ErrorCode.NONE) : ErrorCode.INVALID_REQUEST;
        // The client speaks the batched form the broker advertises (v4+): one coordinator per key asked.
        const coordinators = (body.coordinatorKeys ?? []).map((key) => ({
          key,
          nodeId: 4,
          host: '127.0.0.1',
          port,
          errorCode,
          errorMessage: null,
        }));
        const response: FindCoordinatorResponse = { throttleTimeMs: 0, coordinators };
        reply(request, response);
      } else if (request.header.apiKey === ApiKeys.DescribeTransactions) {
        const response: DescribeTransactionsResponse = {
          throttleTimeMs: 0,
          transactionStates: [
            {
              errorCode: ErrorCode.NONE,
              transactionalId: 'tx-1',
              transactionState: 'Ongoing',
              transactionTimeoutMs: 60_000,
              transactionStartTimeMs: 1_000n,
              producerId: 12n,
              producerEpoch: 2,
              topics: [{ topic: 'orders', partitions: [0, 3] }],
            },
          ],
        };
        reply(request, response);
      }
    });
    port = broker.port;
    cleanup.push(() => broker.close());
    const client = await KafkaClient.connect({ bootstrap: `127.0.0.1:${port}` });
    cleanup.push(() => client.close());
    const described = await new TransactionsAdmin(client).describeTransaction('tx-1');
    expect(described).toEqual({
      errorCode: ErrorCode.NONE,
      transactionalId: 'tx-1',
      coordinator: 4,
      state: 'Ongoing',
      producerId: 12n,
      producerEpoch: 2,
      transactionTimeoutMs: 60_000,
      startTimeMs: 1_000n,
      partitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 3 },
      ],
    });
    const lookups = broker.requests.filter((r) => r.header.apiKey === ApiKeys.FindCoordinator);
    expect(lookups).toHaveLength(2);
    expect(lookups.every((r) => r.header.apiVersion >= 4)).toBe(true);
    expect(lookups[0]?.body).toMatchObject({ keyType: 1, coordinatorKeys: ['tx-1'] });
  });

  it('listTransactions sends the filters to every broker and merges the answers by id', async () => {
    let port = 0;
    const broker = await startFakeBroker((request: FakeRequest) => {
      if (request.header.apiKey === ApiKeys.Metadata) {
        const response: MetadataResponse = {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
          clusterId: 'fake',
          controllerId: 1,
          topics: [],
        };
        reply(request, response);
      } else if (request.header.apiKey === ApiKeys.ListTransactions) {
        const body = request.body as unknown as ListTransactionsRequest;
        const response: ListTransactionsResponse = {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          unknownStateFilters: body.stateFilters.filter((s) => s !== 'Ongoing'),
          transactionStates: [
            { transactionalId: 'b', producerId: 2n, transactionState: 'Ongoing' },
            { transactionalId: 'a', producerId: 1n, transactionState: 'Ongoing' },
          ],
        };
        reply(request, response);
      }
    });
    port = broker.port;
    cleanup.push(() => broker.close());
    const client = await KafkaClient.connect({ bootstrap: `127.0.0.1:${port}` });
    cleanup.push(() => client.close());
    const listing = await new TransactionsAdmin(client).listTransactions({
      states: ['Ongoing', 'Sleeping'],
      producerIds: [1n, 2n],
      durationMs: 5_000,
      transactionalIdPattern: '[ab]',
    });
    expect(listing).toEqual({
      transactions: [
        { transactionalId: 'a', producerId: 1n, state: 'Ongoing', coordinator: 1 },
        { transactionalId: 'b', producerId: 2n, state: 'Ongoing', coordinator: 1 },
      ],
      unknownStateFilters: ['Sleeping'],
      failures: [],
    });
    const sent = broker.requests.find((r) => r.header.apiKey === ApiKeys.ListTransactions);
    expect(sent?.header.apiVersion).toBe(2);
    expect(sent?.body).toMatchObject({
      stateFilters: ['Ongoing', 'Sleeping'],
      producerIdFilters: [1n, 2n],
      durationFilter: 5_000n,
      transactionalIdPattern: '[ab]',
    });
  });
});

const minute = 60_000;
const now = 100 * minute;

function partitionWith(
  producers: { id: bigint; start: bigint | null; lastMs: number }[],
  partition = 0,
): PartitionProducers {
  return {
    topic: 'orders',
    partition,
    errorCode: ErrorCode.NONE,
    leader: 1,
    producers: producers.map((p) => ({
      producerId: p.id,
      producerEpoch: 1,
      lastSequence: 0,
      lastTimestampMs: BigInt(p.lastMs),
      coordinatorEpoch: 4,
      currentTxnStartOffset: p.start,
    })),
  };
}

function details(id: string, producerId: bigint, state: string, partitions: number[]): TransactionDetails {
  return {
    errorCode: ErrorCode.NONE,
    transactionalId: id,
    coordinator: 1,
    state,
    producerId,
    producerEpoch: 1,
    transactionTimeoutMs: minute,
    startTimeMs: 0n,
    partitions: partitions.map((partition) => ({ topic: 'orders', partition })),
  };
}

function lookups(known: TransactionDetails[]) {
  const asked: bigint[][] = [];
  return {
    asked,
    listByProducerIds: async (ids: readonly bigint[]): Promise<TransactionListing[]> => {
      asked.push([...ids]);
      return known
        .filter((d) => ids.includes(d.producerId))
        .map((d) => ({ transactionalId: d.transactionalId, producerId: d.producerId, state: d.state, coordinator: 1 }));
    },
    describe: async (id: string): Promise<TransactionDetails> => {
      const d = known.find((x) => x.transactionalId === id);
      if (d === undefined) throw new Error(`asked for unknown ${id}`);
      return d;
    },
  };
}

describe('findHangingTransactions', () => {
  const options = { nowMs: now, maxTransactionTimeoutMs: 15 * minute };

  it('producers without an open transaction or written to within the timeout are never candidates', async () => {
    const fake = lookups([]);
    const found = await findHangingTransactions(
      [
        partitionWith([
          { id: 1n, start: null, lastMs: 0 },
          { id: 2n, start: 5n, lastMs: now - 15 * minute },
        ]),
      ],
      options,
      fake,
    );
    expect(found).toEqual([]);
    expect(fake.asked).toEqual([]);
  });

  it('an old open transaction hangs when no coordinator knows its producer, or its transaction is over or elsewhere', async () => {
    const fake = lookups([
      details('done', 3n, 'CompleteAbort', []),
      details('elsewhere', 4n, 'Ongoing', [1]),
      details('working', 5n, 'Ongoing', [0]),
      details('ending', 6n, 'PrepareCommit', [0]),
    ]);
    const old = now - 20 * minute;
    const found = await findHangingTransactions(
      [
        partitionWith([
          { id: 2n, start: 10n, lastMs: old },
          { id: 3n, start: 11n, lastMs: old },
          { id: 4n, start: 12n, lastMs: old },
          { id: 5n, start: 13n, lastMs: old },
          { id: 6n, start: 14n, lastMs: old },
        ]),
      ],
      options,
      fake,
    );
    expect(found.map((h) => [h.producerId, h.startOffset, h.transactionalId, h.reason, h.durationMs])).toEqual([
      [2n, 10n, null, 'no coordinator knows the producer id', 20 * minute],
      [3n, 11n, 'done', "the coordinator's transaction is CompleteAbort", 20 * minute],
      [4n, 12n, 'elsewhere', "the coordinator's Ongoing transaction does not include the partition", 20 * minute],
    ]);
    expect(fake.asked).toEqual([[2n, 3n, 4n, 5n, 6n]]);
  });
});
