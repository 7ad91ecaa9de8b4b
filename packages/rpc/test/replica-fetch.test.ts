import { createHash, randomBytes } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { Client, credentials, status } from '@grpc/grpc-js';
import { leaderEpoch, offset, partitionId } from '@runnel/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from '../src/generated/replica-fetch-proto.ts';
import { replicaFetchServiceName, rpcMethod } from '../src/load-protos.ts';
import type { ReplicaFetchResult } from '../src/replica-fetch-client.ts';
import { ReplicaFetchClient } from '../src/replica-fetch-client.ts';
import { replicaFetchRequestToProto } from '../src/replica-fetch-codec.ts';
import type { ReplicaFetchHandler } from '../src/replica-fetch-server.ts';
import { ReplicaFetchServer } from '../src/replica-fetch-server.ts';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from '../src/replica-fetch-types.ts';
import { sendGarbage } from './garbage.ts';
import {
  fetchRequest,
  int64Max,
  int64Min,
  partitionFetch,
  responseFor,
  topicA,
  topicB,
} from './replica-fetch-fixtures.ts';
import { waitFor } from './wait-for.ts';

const fastBackoff = { backoffMsMin: 20, backoffMsMax: 200 };
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function startServer(handler: ReplicaFetchHandler, port = 0): Promise<ReplicaFetchServer> {
  const started = await ReplicaFetchServer.start({ handler, port });
  if (!started.ok) throw new Error(`server did not start: ${started.message}`);
  cleanups.push(() => started.value.close());
  return started.value;
}

function startClient(port: number, outstandingRequestsMax?: number): ReplicaFetchClient {
  const client = new ReplicaFetchClient({
    address: `127.0.0.1:${port}`,
    backoff: fastBackoff,
    connectWaitMs: 300,
    ...(outstandingRequestsMax === undefined ? {} : { outstandingRequestsMax }),
  });
  cleanups.push(() => client.close());
  return client;
}

const echo: ReplicaFetchHandler = (request) => Promise.resolve(responseFor(request));

/** A promise plus its resolver, for handlers the test releases by hand. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

function responseOf(result: ReplicaFetchResult): ReplicaFetchResponse {
  if (!result.ok) throw new Error(`fetch failed: ${result.error} ${result.message ?? ''}`);
  return result.value;
}

describe('replica fetch', () => {
  it('every request and response field crosses the wire exactly, with int64 extremes and 1 MiB of records byte-identical', async () => {
    const records = randomBytes(1024 * 1024);
    const request = fetchRequest({
      brokerEpoch: int64Max,
      partitions: [
        {
          topicId: topicA,
          partition: partitionId(3),
          fetchOffset: offset(int64Max),
          lastFetchedEpoch: leaderEpoch(-1),
          currentLeaderEpoch: leaderEpoch(2 ** 31 - 1),
          logStartOffset: offset(int64Min),
        },
      ],
    });
    const response: ReplicaFetchResponse = {
      partitions: [
        {
          topicId: topicA,
          partition: partitionId(3),
          error: 'none',
          highWatermark: offset(int64Max),
          logStartOffset: offset(int64Min),
          logEndOffset: offset(int64Max),
          divergingEpoch: null,
          records,
        },
        {
          topicId: topicB,
          partition: partitionId(0),
          error: 'fenced_leader_epoch',
          highWatermark: offset(-1n),
          logStartOffset: offset(0n),
          logEndOffset: offset(5n),
          divergingEpoch: { epoch: leaderEpoch(4), endOffset: offset(int64Min) },
          records: Buffer.alloc(0),
        },
      ],
    };
    const seen: ReplicaFetchRequest[] = [];
    const server = await startServer((r) => {
      seen.push(r);
      return Promise.resolve(response);
    });
    const result = responseOf(await startClient(server.port).fetch(request));
    expect(seen).toEqual([request]);
    expect(result).toEqual(response);
    expect(result.partitions[0]?.records.equals(records)).toBe(true);
  });

  it('many fetches on one stream get their own responses in request order, and the handler sees them in that order', async () => {
    const handled: bigint[] = [];
    const server = await startServer(async (r) => {
      handled.push(r.partitions[0]?.fetchOffset ?? -1n);
      // Yield so later requests arrive while this one is still being answered.
      await new Promise((resolve) => setImmediate(resolve));
      return responseFor(r);
    });
    const client = startClient(server.port, 16);
    const offsets = [5n, 1n, 9n, 3n, 7n, 2n, 8n];
    const results = await Promise.all(
      offsets.map((o) => client.fetch(fetchRequest({ partitions: [{ ...partitionFetch, fetchOffset: offset(o) }] }))),
    );
    expect(results.map((r) => responseOf(r).partitions[0]?.logEndOffset)).toEqual(offsets);
    expect(handled).toEqual(offsets);
  });

  it("a response's release is called once, after its records are serialized: overwriting them then does not reach the follower", async () => {
    const records = randomBytes(256 * 1024);
    const original = Buffer.from(records);
    let releases = 0;
    const server = await startServer((r) => {
      const response = responseFor(r);
      return Promise.resolve({
        partitions: response.partitions.map((p) => ({ ...p, records })),
        release: () => {
          releases++;
          records.fill(0xdb);
        },
      });
    });
    const client = startClient(server.port);
    const result = responseOf(await client.fetch(fetchRequest({ partitions: [partitionFetch] })));
    // Digests, not the bytes: a 256 KiB diff would take the reporter minutes.
    const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(digest(result.partitions[0]?.records ?? Buffer.alloc(0))).toBe(digest(original));
    await waitFor('the response to be released', () => releases > 0);
    expect(releases).toBe(1);
    expect(records.every((b) => b === 0xdb)).toBe(true);
  });

  it('a handler that long-polls holds its fetch and the ones behind it until data arrives', async () => {
    const dataArrived = gate<void>();
    const calls: ReplicaFetchRequest[] = [];
    const server = await startServer(async (r) => {
      calls.push(r);
      if (calls.length === 1) await dataArrived.promise;
      return responseFor(r, Buffer.from(`batch ${calls.length}`));
    });
    const client = startClient(server.port);
    let settled = 0;
    const first = client.fetch(fetchRequest()).then((r) => {
      settled++;
      return r;
    });
    const second = client.fetch(fetchRequest()).then((r) => {
      settled++;
      return r;
    });
    await waitFor('the first fetch to reach the handler', () => calls.length === 1);
    expect(settled).toBe(0);
    dataArrived.open();
    expect(responseOf(await first).partitions[0]?.records.toString()).toBe('batch 1');
    expect(responseOf(await second).partitions[0]?.records.toString()).toBe('batch 2');
  });

  it('closing the server aborts a long-polling handler and the waiting fetch resolves unavailable', async () => {
    let aborted = false;
    let polling = false;
    const server = await startServer(
      (_r, signal) =>
        new Promise((_resolve, reject) => {
          polling = true;
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    const client = startClient(server.port);
    const pending = client.fetch(fetchRequest());
    await waitFor('the handler to hold the fetch', () => polling);
    server.close();
    expect(await pending).toMatchObject({ ok: false, error: 'unavailable' });
    expect(aborted).toBe(true);
  });

  it('after the leader restarts on the same port the client reconnects and the next fetch succeeds', async () => {
    const first = await startServer(echo);
    const port = first.port;
    const client = startClient(port);
    expect((await client.fetch(fetchRequest())).ok).toBe(true);

    first.close();
    expect(await client.fetch(fetchRequest())).toMatchObject({ ok: false, error: 'unavailable' });

    await startServer(echo, port);
    let result: ReplicaFetchResult = await client.fetch(fetchRequest());
    const deadline = Date.now() + 10_000;
    while (!result.ok && Date.now() < deadline) result = await client.fetch(fetchRequest());
    expect(responseOf(result).partitions[0]?.logEndOffset).toBe(10n);
  });

  it('beyond outstandingRequestsMax a fetch resolves queue_full at once while the others complete', async () => {
    const release = gate<void>();
    const server = await startServer(async (r) => {
      await release.promise;
      return responseFor(r);
    });
    const client = startClient(server.port, 2);
    const a = client.fetch(fetchRequest());
    const b = client.fetch(fetchRequest());
    expect(await client.fetch(fetchRequest())).toMatchObject({ ok: false, error: 'queue_full' });
    release.open();
    expect((await a).ok && (await b).ok).toBe(true);
  });

  it('a handler that throws fails the fetch as internal and the next fetch works on a new stream', async () => {
    let calls = 0;
    const server = await startServer((r) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('handler bug')) : Promise.resolve(responseFor(r));
    });
    const client = startClient(server.port);
    expect(await client.fetch(fetchRequest())).toMatchObject({ ok: false, error: 'internal' });
    expect((await client.fetch(fetchRequest())).ok).toBe(true);
  });

  it('close() resolves outstanding fetches as closed and later fetches as closed', async () => {
    const server = await startServer(() => new Promise<ReplicaFetchResponse>(() => undefined));
    const client = startClient(server.port);
    const pending = client.fetch(fetchRequest());
    await waitFor('the stream to open', () => client.connected);
    client.close();
    expect(await pending).toMatchObject({ ok: false, error: 'closed' });
    expect(await client.fetch(fetchRequest())).toMatchObject({ ok: false, error: 'closed' });
  });

  it('garbage bytes on the port and a malformed request on another stream do not stop the server serving others', async () => {
    const server = await startServer(echo);
    await sendGarbage(server.port);

    const method = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cleanups.push(() => raw.close());
    const bad = raw.makeBidiStreamRequest(method.path, method.serializeRequest, method.deserializeResponse);
    const proto = replicaFetchRequestToProto(1, fetchRequest());
    bad.write({ ...proto, partitions: proto.partitions.map((p) => ({ ...p, topicId: 'not-a-uuid' })) });
    const code = await new Promise<number>((resolve) => bad.on('error', (e: ServiceError) => resolve(e.code)));
    expect(code).toBe(status.INVALID_ARGUMENT);

    const result = await startClient(server.port).fetch(fetchRequest());
    expect(responseOf(result).partitions[0]?.topicId).toBe(topicA);
  });
});
