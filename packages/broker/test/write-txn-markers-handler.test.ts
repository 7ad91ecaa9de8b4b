/**
 * The WriteTxnMarkers handler's reshaping: every marker, topic and
 * partition of the request gets its own answer in the request's order (the
 * flag's COMMIT/ABORT is covered end to end in test/e2e/txn-markers.test.ts).
 * The partitions' codes come from a
 * host whose metadata knows some partitions and which leads none, so each
 * position's code says whether it was answered for the right partition.
 */
import { silentLogger } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/handlers/handler.ts';
import { writeTxnMarkersHandler } from '../src/handlers/write-txn-markers.ts';

describe('WriteTxnMarkers handler', () => {
  it('answers each marker’s topics and partitions in request order with that partition’s code', async () => {
    const known = new Set(['a-1', 'b-0', 'a-5']);
    const handler = writeTxnMarkersHandler({
      exists: (t, p) => known.has(`${t}-${p}`),
      partition: () => undefined,
      minInsyncReplicas: () => 1,
      timeoutMs: 1_000,
      logger: silentLogger(),
    });
    const response = await handler.handle(
      {
        markers: [
          {
            producerId: 5n,
            producerEpoch: 0,
            transactionResult: true,
            coordinatorEpoch: 1,
            topics: [
              { name: 'a', partitionIndexes: [0, 1] },
              { name: 'b', partitionIndexes: [0] },
            ],
          },
          {
            producerId: 6n,
            producerEpoch: 2,
            transactionResult: false,
            coordinatorEpoch: 1,
            topics: [{ name: 'a', partitionIndexes: [5, 6] }],
          },
        ],
      },
      {} as RequestContext,
    );
    const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const notLeader = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(response).toEqual({
      markers: [
        {
          producerId: 5n,
          topics: [
            {
              name: 'a',
              partitions: [
                { partitionIndex: 0, errorCode: unknown },
                { partitionIndex: 1, errorCode: notLeader },
              ],
            },
            { name: 'b', partitions: [{ partitionIndex: 0, errorCode: notLeader }] },
          ],
        },
        {
          producerId: 6n,
          topics: [
            {
              name: 'a',
              partitions: [
                { partitionIndex: 5, errorCode: notLeader },
                { partitionIndex: 6, errorCode: unknown },
              ],
            },
          ],
        },
      ],
    });
  });
});
