/**
 * Transaction markers across real processes (1 controller, 2 brokers; a
 * topic whose partition 0 is led by broker 1 and partition 1 by broker 2).
 * Hand-built transactional batches open a transaction on each partition;
 * then:
 * - a BrokerMarkerWriter in this process (no partition led here, so every
 *   marker goes over the brokers' gRPC TxnMarkers service), routed by a
 *   metadata image followed from the controller, commits both: each
 *   leader's log then holds a COMMIT control batch and read_committed's
 *   last stable offset moves past it;
 * - a WriteTxnMarkers request over the Kafka wire (@runnel/client's
 *   Connection), as Kafka's Admin.abortTransaction sends it, aborts a
 *   transaction on broker 1's partition: read_committed then names it as
 *   aborted; the same request to broker 2 is refused NOT_LEADER_OR_FOLLOWER.
 */
import { BrokerMarkerWriter, grpcMarkerTransport, imageRouting } from '@runnel/broker';
import { Connection, fetchVersionBeforeTopicIds } from '@runnel/client';
import { silentLogger } from '@runnel/common';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import {
  decodeRecordBatchesSync,
  ErrorCode,
  encodeRecordBatchSync,
  type FetchResponse,
  isControl,
} from '@runnel/protocol';
import { ControllerClient, GrpcControllerChannel } from '@runnel/rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'txn-markers';
let cluster: TestCluster;
const connections = new Map<number, Connection>();

beforeAll(async () => {
  // Hand-built transactions no coordinator knows: KIP-890 verification off.
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 2,
    brokerArgs: () => ['--no-transaction-partition-verification'],
  });
  for (const id of [1, 2]) {
    connections.set(id, await Connection.connect({ host: '127.0.0.1', port: cluster.ports('broker', id).kafka }));
  }
  const created = await via(1).request(19, {
    topics: [
      {
        name: topic,
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [1] },
          { partitionIndex: 1, brokerIds: [2] },
        ],
        configs: [],
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
}, 120_000);

afterAll(async () => {
  for (const c of connections.values()) c.close();
  await cluster?.stop();
});

function via(brokerId: number): Connection {
  const c = connections.get(brokerId);
  if (c === undefined) throw new Error(`no connection to broker ${brokerId}`);
  return c;
}

/** Opens producer `producerId`'s transaction on `partition` with one record (acks=all, through its leader). */
async function openTransaction(leader: number, partition: number, producerId: bigint): Promise<void> {
  const records = encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(`txn-${producerId}`) }],
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  const response = await waitFor(
    async () => {
      // At most v11 (transaction version 1): v12 would have the leader add the partition to a transaction
      // with a coordinator, which knows nothing of these hand-built producers.
      const r = await via(leader).request(
        0,
        {
          transactionalId: `hand-built-${producerId}`,
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
        },
        { maxVersion: 11 },
      );
      // The leader may not know yet that it leads (the topic was just created).
      const code = r.responses[0]?.partitionResponses[0]?.errorCode;
      return code === ErrorCode.NOT_LEADER_OR_FOLLOWER || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? false : r;
    },
    { what: `produce to ${topic}-${partition}` },
  );
  expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
}

/** The read_committed end of `partition` (its last stable offset), asked of its leader. */
async function lastStableOffset(leader: number, partition: number): Promise<bigint | undefined> {
  const r = await via(leader).request(2, {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: -1n }] }],
  });
  return r.topics[0]?.partitions[0]?.offset;
}

async function fetchFromStart(leader: number, partition: number, isolationLevel: 0 | 1) {
  const r: FetchResponse = await via(leader).request(
    1,
    {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    { maxVersion: fetchVersionBeforeTopicIds },
  );
  const data = r.responses[0]?.partitions[0];
  const records = data?.records;
  const bytes =
    records === null || records === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(records)
        ? records
        : Buffer.concat(records);
  const batches = decodeRecordBatchesSync(bytes).map((b) => ({
    offset: b.header.baseOffset,
    producerId: b.header.producerId,
    control: isControl(b.header.attributes),
  }));
  return { data, batches };
}

describe('transaction markers between brokers', () => {
  it('a marker writer outside both leaders commits partitions led by two brokers over gRPC', {
    timeout: 60_000,
  }, async () => {
    await openTransaction(1, 0, 100n);
    await openTransaction(2, 1, 100n);
    expect(await lastStableOffset(1, 0)).toBe(0n);
    expect(await lastStableOffset(2, 1)).toBe(0n);

    // Metadata as a broker sees it: the committed records, replayed from the controller.
    const channel = new GrpcControllerChannel(new ControllerClient({ addresses: cluster.controllerServices() }));
    let image = MetadataImage.empty;
    const unsubscribe = channel.subscribe((batch) => {
      const base = batch.reset === true ? MetadataImage.empty : image;
      image = replayBatch(base, batch.records, batch.lastOffset);
    });
    const transport = grpcMarkerTransport(silentLogger());
    try {
      await waitFor(() => image.partition(topic, 0)?.leader === 1 && image.partition(topic, 1)?.leader === 2, {
        what: 'the image to show both leaders',
      });
      const writer = new BrokerMarkerWriter({
        nodeId: -1,
        routing: imageRouting(() => image),
        local: () => {
          throw new Error('this process leads nothing');
        },
        transport,
        logger: silentLogger(),
      });
      const written = await writer.write(
        {
          markersId: 1,
          transactionalId: 'two-leaders',
          result: 'commit',
          producerId: 100n,
          producerEpoch: 0,
          coordinatorEpoch: 0,
          partitions: [
            { topic, partition: 0 },
            { topic, partition: 1 },
          ],
        },
        () => false,
      );
      expect(written).toBe('written');
    } finally {
      transport.close();
      unsubscribe();
      channel.close();
    }

    for (const [leader, partition] of [
      [1, 0],
      [2, 1],
    ] as const) {
      // 'written' means committed (acks=all), so the LSO is already past the marker.
      expect(await lastStableOffset(leader, partition)).toBe(2n);
      const { batches } = await fetchFromStart(leader, partition, 0);
      expect(batches).toEqual([
        { offset: 0n, producerId: 100n, control: false },
        { offset: 1n, producerId: 100n, control: true },
      ]);
    }
  });

  it('WriteTxnMarkers over the Kafka wire aborts a transaction on the leader; another broker answers NOT_LEADER', {
    timeout: 60_000,
  }, async () => {
    await openTransaction(1, 0, 200n);
    const before = await lastStableOffset(1, 0);
    const request = {
      markers: [
        {
          producerId: 200n,
          producerEpoch: 0,
          transactionResult: false,
          topics: [{ name: topic, partitionIndexes: [0] }],
          coordinatorEpoch: 0,
        },
      ],
    };
    expect(via(1).versionOf(27)).toBe(1);
    const notLeader = await via(2).request(27, request);
    expect(notLeader.markers[0]?.topics[0]?.partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
    ]);
    expect(await lastStableOffset(1, 0)).toBe(before);

    const response = await via(1).request(27, request);
    expect(response.markers).toEqual([
      { producerId: 200n, topics: [{ name: topic, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] },
    ]);
    // The transaction's batch is at `before` (the LSO it held back), the ABORT marker right after it.
    if (before === undefined) throw new Error('ListOffsets answered no offset');
    const { data, batches } = await fetchFromStart(1, 0, 1);
    expect(data?.lastStableOffset).toBe(before + 2n);
    expect(data?.abortedTransactions).toEqual([{ producerId: 200n, firstOffset: before }]);
    expect(batches.filter((b) => b.offset >= before)).toEqual([
      { offset: before, producerId: 200n, control: false },
      { offset: before + 1n, producerId: 200n, control: true },
    ]);
  });
});
