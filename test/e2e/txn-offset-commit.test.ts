/**
 * Transactional offset commits end to end: a combined node in this process
 * (real sockets and files). An idempotent producer id (InitProducerId
 * without a transactional id) commits offsets with TxnOffsetCommit over the
 * wire; OffsetFetch keeps serving the committed value and, with
 * requireStable (v7), answers UNSTABLE_OFFSET_COMMIT while the transaction
 * is open. The transaction coordinator is not wired yet, so its part is
 * played in-process: the marker is written through the hosted
 * `__consumer_offsets` Partition and its completion reported to the group
 * coordinator, as the marker writer will. A restart reloads the partition:
 * committed and aborted outcomes stay, an open transaction stays pending.
 */
import { ErrorCode, type OffsetFetchResponse, type TxnOffsetCommitRequest } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'src';
const groupId = 'g-txn';
let cluster: InProcessCluster | null = null;
let client: ProtocolClient | null = null;

afterEach(async () => {
  client?.close();
  await cluster?.stop();
  client = null;
  cluster = null;
});

async function fetchOffset(p: ProtocolClient, requireStable: boolean) {
  const response: OffsetFetchResponse = await p.request(9, 7, {
    groupId,
    topics: [{ name: topic, partitionIndexes: [0] }],
    requireStable,
  });
  const partition = response.topics?.[0]?.partitions[0];
  return { errorCode: response.errorCode, offset: partition?.committedOffset, partitionError: partition?.errorCode };
}

/** Waits until this node coordinates the group (the offsets topic exists and its partition is loaded). */
async function coordinatorReady(p: ProtocolClient): Promise<void> {
  await waitFor(
    async () => {
      const found = await p.request(10, 2, { key: groupId, keyType: 0 });
      if (found.errorCode !== ErrorCode.NONE) return false;
      return (await fetchOffset(p, false)).errorCode === ErrorCode.NONE;
    },
    { what: 'the group coordinator to be loaded' },
  );
}

async function txnCommit(p: ProtocolClient, producerId: bigint, producerEpoch: number, offset: bigint) {
  const request: TxnOffsetCommitRequest = {
    transactionalId: 'tx-1',
    groupId,
    producerId,
    producerEpoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: null }] }],
  };
  const response = await p.request(28, 3, request);
  expect(response.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
}

/** Writes the producer's marker on the group's offsets partition and reports it once committed, as the marker writer will. */
async function endTxn(c: InProcessCluster, producerId: bigint, producerEpoch: number, result: 'commit' | 'abort') {
  const coordinator = c.broker.groupCoordinator;
  const index = coordinator.partitionFor(groupId);
  const partition = c.broker.hostedPartition('__consumer_offsets', index);
  if (partition === undefined) throw new Error('the broker hosts the offsets partition');
  const marker = await partition.writeTxnMarker(producerId, producerEpoch, 0, result, {
    minInsyncReplicas: 1,
    timeoutMs: 5_000,
  });
  if (!marker.ok) throw new Error(`marker refused: ${marker.error}`);
  await waitFor(() => partition.highWatermark > marker.value.offset, { what: 'the marker to commit' });
  coordinator.completeTransaction(index, producerId, result, marker.value.offset);
  return partition;
}

describe('TxnOffsetCommit over the wire', () => {
  it('pending until the marker (requireStable answers UNSTABLE_OFFSET_COMMIT); commit, abort and an open transaction survive a restart', async () => {
    cluster = await startInProcess();
    client = await ProtocolClient.connect(cluster.broker.port);
    expect(await client.createTopic(topic, 1)).toBe(ErrorCode.NONE);
    await coordinatorReady(client);
    const init = await client.request(22, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const { producerId, producerEpoch } = init;

    // A plain commit, then the transaction's.
    const plain = await client.request(8, 7, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: null }] }],
    });
    expect(plain.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    await txnCommit(client, producerId, producerEpoch, 10n);
    expect(await fetchOffset(client, false)).toMatchObject({ offset: 3n, partitionError: ErrorCode.NONE });
    expect(await fetchOffset(client, true)).toMatchObject({
      offset: -1n,
      partitionError: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    const offsetsPartition = cluster.broker.hostedPartition(
      '__consumer_offsets',
      cluster.broker.groupCoordinator.partitionFor(groupId),
    );
    // The open transaction holds the offsets partition's last stable offset below its end.
    expect(offsetsPartition?.lastStableOffset).toBeLessThan(offsetsPartition?.highWatermark ?? 0n);

    const afterCommit = await endTxn(cluster, producerId, producerEpoch, 'commit');
    expect(afterCommit.lastStableOffset).toBe(afterCommit.highWatermark);
    expect(await fetchOffset(client, true)).toMatchObject({ offset: 10n, partitionError: ErrorCode.NONE });

    await txnCommit(client, producerId, producerEpoch, 20n);
    await endTxn(cluster, producerId, producerEpoch, 'abort');
    expect(await fetchOffset(client, true)).toMatchObject({ offset: 10n, partitionError: ErrorCode.NONE });

    // Left open across the restart.
    await txnCommit(client, producerId, producerEpoch, 30n);
    client.close();
    const dataDir = cluster.dataDir;
    await cluster.stop();
    cluster = await startInProcess({}, dataDir);
    client = await ProtocolClient.connect(cluster.broker.port);
    await coordinatorReady(client);
    expect(await fetchOffset(client, false)).toMatchObject({ offset: 10n, partitionError: ErrorCode.NONE });
    expect(await fetchOffset(client, true)).toMatchObject({ partitionError: ErrorCode.UNSTABLE_OFFSET_COMMIT });

    await endTxn(cluster, producerId, producerEpoch, 'commit');
    expect(await fetchOffset(client, true)).toMatchObject({ offset: 30n, partitionError: ErrorCode.NONE });
  });
});
