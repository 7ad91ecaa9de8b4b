import { AssertionError, leaderEpoch, offset, partitionId } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from '../src/generated/replica-fetch-proto.ts';
import { protoMessageType } from '../src/load-protos.ts';
import {
  replicaFetchRequestFromProto,
  replicaFetchRequestToProto,
  replicaFetchResponseFromProto,
  replicaFetchResponseToProto,
} from '../src/replica-fetch-codec.ts';
import type { ReplicaFetchPartitionError, ReplicaFetchResponse } from '../src/replica-fetch-types.ts';
import {
  fetchRequest,
  int64Max,
  int64Min,
  partitionFetch,
  responseFor,
  topicA,
  topicB,
} from './replica-fetch-fixtures.ts';

const requestType = protoMessageType<ReplicaFetchRequestProto>('runnel.replica.v1.ReplicaFetchRequest');
const responseType = protoMessageType<ReplicaFetchResponseProto>('runnel.replica.v1.ReplicaFetchResponse');

const allErrors: ReplicaFetchPartitionError[] = [
  'none',
  'not_leader',
  'fenced_leader_epoch',
  'unknown_leader_epoch',
  'offset_out_of_range',
  'unknown_partition',
];

function responseWithEveryError(): ReplicaFetchResponse {
  return {
    partitions: allErrors.map((error, i) => ({
      topicId: i % 2 === 0 ? topicA : topicB,
      partition: partitionId(i),
      error,
      highWatermark: offset(i === 0 ? int64Max : BigInt(i)),
      logStartOffset: offset(i === 0 ? int64Min : -1n),
      logEndOffset: offset(int64Max),
      divergingEpoch: i === 1 ? { epoch: leaderEpoch(2 ** 31 - 1), endOffset: offset(int64Min) } : null,
      records: Buffer.from([i, 0xff, 0x00]),
    })),
  };
}

describe('replica fetch codec', () => {
  it('a request with int64 extremes and int32 bounds survives encode, wire bytes and decode exactly', () => {
    const request = fetchRequest({
      brokerEpoch: int64Min,
      maxWaitMs: 2 ** 31 - 1,
      minBytes: 0,
      maxBytes: 2 ** 31 - 1,
      partitions: [
        {
          topicId: topicA,
          partition: partitionId(2 ** 31 - 1),
          fetchOffset: offset(int64Max),
          lastFetchedEpoch: leaderEpoch(-1),
          currentLeaderEpoch: leaderEpoch(2 ** 31 - 1),
          logStartOffset: offset(int64Min),
        },
        {
          topicId: topicB,
          partition: partitionId(0),
          fetchOffset: offset(0n),
          lastFetchedEpoch: leaderEpoch(0),
          currentLeaderEpoch: leaderEpoch(-1),
          logStartOffset: offset(int64Max),
        },
      ],
    });
    const wire = requestType.serialize(replicaFetchRequestToProto(Number.MAX_SAFE_INTEGER, request));
    const decoded = replicaFetchRequestFromProto(requestType.deserialize(wire));
    expect(decoded).toEqual({ ok: true, value: { requestId: Number.MAX_SAFE_INTEGER, value: request } });
  });

  it('a response with every partition error, diverging epoch present and absent, and int64 extremes decodes exactly', () => {
    const response = responseWithEveryError();
    const wire = responseType.serialize(replicaFetchResponseToProto(42, response));
    const decoded = replicaFetchResponseFromProto(responseType.deserialize(wire));
    expect(decoded).toEqual({ ok: true, value: { requestId: 42, value: response } });
  });

  it('decoded records are a view into the received message, not a copy', () => {
    const records = Buffer.alloc(4096, 7);
    const wire = responseType.serialize(replicaFetchResponseToProto(1, responseFor(fetchRequest(), records)));
    const decoded = replicaFetchResponseFromProto(responseType.deserialize(wire));
    expect(decoded.ok).toBe(true);
    const got = decoded.ok ? decoded.value.value.partitions[0]?.records : undefined;
    expect(got?.equals(records)).toBe(true);
    expect(got?.buffer).toBe(wire.buffer);
  });

  it('a partition error number the proto does not define is malformed_message', () => {
    const proto = replicaFetchResponseToProto(1, responseWithEveryError());
    const first = proto.partitions[0];
    if (first !== undefined) first.error = 99;
    const decoded = replicaFetchResponseFromProto(responseType.deserialize(responseType.serialize(proto)));
    expect(decoded).toMatchObject({ ok: false, error: 'malformed_message' });
  });

  it('a request whose topic id is not a UUID is malformed_message', () => {
    const proto = replicaFetchRequestToProto(1, fetchRequest());
    const first = proto.partitions[0];
    if (first !== undefined) first.topicId = 'orders';
    expect(replicaFetchRequestFromProto(proto)).toMatchObject({ ok: false, error: 'malformed_message' });
  });

  it('a request id above 2^53 or a negative partition is malformed_message', () => {
    const proto = replicaFetchRequestToProto(1, fetchRequest());
    expect(replicaFetchRequestFromProto({ ...proto, requestId: '18446744073709551615' })).toMatchObject({
      ok: false,
      error: 'malformed_message',
    });
    const negative = { ...proto, partitions: proto.partitions.map((p) => ({ ...p, partition: -1 })) };
    expect(replicaFetchRequestFromProto(negative)).toMatchObject({ ok: false, error: 'malformed_message' });
  });

  it('encoding an offset beyond int64 or a non-UUID topic id is a bug and asserts', () => {
    const p = partitionFetch;
    expect(() =>
      replicaFetchRequestToProto(1, fetchRequest({ partitions: [{ ...p, fetchOffset: offset(int64Max + 1n) }] })),
    ).toThrow(AssertionError);
    expect(() => replicaFetchRequestToProto(1, fetchRequest({ partitions: [{ ...p, topicId: 'x' }] }))).toThrow(
      AssertionError,
    );
  });
});
