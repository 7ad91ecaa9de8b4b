/**
 * TxnMarkers.Verify over real gRPC on 127.0.0.1 (KIP-890 part 1, a
 * partition leader asking a transaction coordinator): the request reaches
 * the coordinator's handler field for field, its per-partition codes come
 * back checked against what was asked, and a broker without a verifier
 * answers UNIMPLEMENTED (an `internal` failure the caller retries later).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaFetchServer } from '../src/replica-fetch-server.ts';
import { TxnMarkersClient } from '../src/txn-markers-client.ts';
import type { TxnVerifyHandler, TxnVerifyRequest } from '../src/txn-markers-types.ts';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function startServer(txnVerify?: TxnVerifyHandler): Promise<number> {
  const started = await ReplicaFetchServer.start({
    handler: async () => ({ partitions: [] }),
    txnMarkers: async () => ({ markers: [] }),
    ...(txnVerify === undefined ? {} : { txnVerify }),
  });
  if (!started.ok) throw new Error(`server did not start: ${started.message}`);
  cleanups.push(() => started.value.close());
  return started.value.port;
}

function client(port: number): TxnMarkersClient {
  const c = new TxnMarkersClient({ address: `127.0.0.1:${port}` });
  cleanups.push(() => c.close());
  return c;
}

const request: TxnVerifyRequest = {
  transactionalId: 'orders-copier',
  producerId: 2n ** 63n - 1n,
  producerEpoch: 32766,
  partitions: [
    { topic: 'orders', partition: 3 },
    { topic: 'audit', partition: 0 },
  ],
};

describe('TxnMarkers.Verify', () => {
  it('carries the question to the coordinator and its per-partition codes back', async () => {
    const asked: TxnVerifyRequest[] = [];
    const port = await startServer(async (r) => {
      asked.push(r);
      return { partitions: r.partitions.map((p, i) => ({ ...p, errorCode: i === 0 ? 0 : 120 })) };
    });
    const answer = await client(port).verify(request, 5_000);
    expect(asked).toEqual([{ ...request, add: false }]);
    expect(answer).toEqual({
      ok: true,
      value: {
        partitions: [
          { topic: 'orders', partition: 3, errorCode: 0 },
          { topic: 'audit', partition: 0, errorCode: 120 },
        ],
      },
    });
  });

  it('an answer about other partitions is malformed_response', async () => {
    const port = await startServer(async () => ({ partitions: [{ topic: 'other', partition: 0, errorCode: 0 }] }));
    expect(await client(port).verify(request, 5_000)).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it('a broker that does not verify answers UNIMPLEMENTED, seen as internal; a closed port as unavailable', async () => {
    const port = await startServer();
    expect(await client(port).verify(request, 5_000)).toMatchObject({ ok: false, error: 'internal' });
    const closedPort = await startServer();
    cleanups.pop()?.();
    expect(await client(closedPort).verify(request, 5_000)).toMatchObject({ ok: false, error: 'unavailable' });
  });
});
