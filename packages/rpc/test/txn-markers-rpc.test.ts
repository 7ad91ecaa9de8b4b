/**
 * TxnMarkers.Write over real gRPC on 127.0.0.1: the request reaches the
 * leader's handler field for field (int64 extremes), the answer comes back
 * checked against the request, and each way a call can fail resolves to
 * its member of TxnMarkersCallError.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { Client, credentials, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteTxnMarkersRequestProto, WriteTxnMarkersResponseProto } from '../src/generated/txn-markers-proto.ts';
import { rpcMethod, txnMarkersServiceName } from '../src/load-protos.ts';
import { ReplicaFetchServer } from '../src/replica-fetch-server.ts';
import { TxnMarkersClient } from '../src/txn-markers-client.ts';
import type { TxnMarkersHandler, TxnMarkersRequest, TxnMarkersResponse } from '../src/txn-markers-types.ts';

const int64Max = 2n ** 63n - 1n;
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function startServer(txnMarkers?: TxnMarkersHandler): Promise<number> {
  const started = await ReplicaFetchServer.start({
    handler: async () => ({ partitions: [] }),
    ...(txnMarkers === undefined ? {} : { txnMarkers }),
  });
  if (!started.ok) throw new Error(`server did not start: ${started.message}`);
  cleanups.push(() => started.value.close());
  return started.value.port;
}

function client(port: number): TxnMarkersClient {
  const c = new TxnMarkersClient({ address: `127.0.0.1:${port}`, backoff: { backoffMsMin: 20, backoffMsMax: 200 } });
  cleanups.push(() => c.close());
  return c;
}

const request: TxnMarkersRequest = {
  markers: [
    {
      producerId: int64Max,
      producerEpoch: 32767,
      coordinatorEpoch: 2 ** 31 - 1,
      result: 'commit',
      partitions: [
        { topic: 'orders', partition: 0 },
        { topic: '__consumer_offsets', partition: 49 },
      ],
    },
    { producerId: 0n, producerEpoch: -1, coordinatorEpoch: 0, result: 'abort', partitions: [] },
  ],
};

/** Answers every partition with `errorCode`. */
function answerAll(r: TxnMarkersRequest, errorCode: number): TxnMarkersResponse {
  return {
    markers: r.markers.map((m) => ({
      producerId: m.producerId,
      partitions: m.partitions.map((p) => ({ ...p, errorCode })),
    })),
  };
}

describe('TxnMarkers.Write over gRPC', () => {
  it('delivers every field exactly and returns the per-partition codes', async () => {
    const seen: TxnMarkersRequest[] = [];
    const port = await startServer(async (r) => {
      seen.push(r);
      return answerAll(r, 52);
    });
    const result = await client(port).write(request, 5_000);
    expect(seen).toEqual([request]);
    expect(result).toEqual({ ok: true, value: answerAll(request, 52) });
  });

  it('an answer for other partitions than asked is malformed_response', async () => {
    const port = await startServer(async (r) => ({
      markers: r.markers.map((m) => ({
        producerId: m.producerId,
        partitions: [{ topic: 'other', partition: 0, errorCode: 0 }],
      })),
    }));
    expect(await client(port).write(request, 5_000)).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it('a failing handler answers internal; a leader without the service answers internal too', async () => {
    const failing = await startServer(async () => {
      throw new Error('bug');
    });
    expect(await client(failing).write(request, 5_000)).toMatchObject({ ok: false, error: 'internal', message: 'bug' });
    const without = await startServer();
    expect(await client(without).write(request, 5_000)).toMatchObject({ ok: false, error: 'internal' });
  });

  it('a handler that does not answer in time is timed_out; an unreachable leader is unavailable', async () => {
    const port = await startServer(() => new Promise<TxnMarkersResponse>(() => {}));
    expect(await client(port).write(request, 200)).toMatchObject({ ok: false, error: 'timed_out' });
    const closedPort = await startServer();
    cleanups.pop()?.();
    expect(await client(closedPort).write(request, 5_000)).toMatchObject({ ok: false, error: 'unavailable' });
  });

  it('a request with an unknown result is refused with INVALID_ARGUMENT before the handler', async () => {
    const seen: TxnMarkersRequest[] = [];
    const port = await startServer(async (r) => {
      seen.push(r);
      return answerAll(r, 0);
    });
    const method = rpcMethod<WriteTxnMarkersRequestProto, WriteTxnMarkersResponseProto>(txnMarkersServiceName, 'Write');
    const raw = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    cleanups.push(() => raw.close());
    const code = await new Promise<number>((resolve) => {
      const bad: WriteTxnMarkersRequestProto = {
        markers: [
          { producerId: '1', producerEpoch: 0, coordinatorEpoch: 0, result: 'TXN_RESULT_UNSPECIFIED', partitions: [] },
        ],
      };
      raw.makeUnaryRequest(
        method.path,
        method.serializeRequest,
        method.deserializeResponse,
        bad,
        (e: ServiceError | null) => resolve(e?.code ?? status.OK),
      );
    });
    expect(code).toBe(status.INVALID_ARGUMENT);
    expect(seen).toEqual([]);
  });

  it('after close() a write resolves closed', async () => {
    const port = await startServer(async (r) => answerAll(r, 0));
    const c = client(port);
    c.close();
    expect(await c.write(request, 5_000)).toMatchObject({ ok: false, error: 'closed' });
  });
});
