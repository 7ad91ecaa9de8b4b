/**
 * The replication port speaks gRPC's wire protocol over node:http2
 * (grpc-http2.ts) rather than through grpc-js. These tests hold it to the
 * protocol by pairing each side with grpc-js, the reference implementation:
 * a grpc-js client against ReplicaFetchServer, and ReplicaFetchClient
 * against a grpc-js server; and they pin the message framing at every
 * chunk boundary.
 */
import { randomBytes } from 'node:crypto';
import type { ServerDuplexStream, ServiceError } from '@grpc/grpc-js';
import { Client, credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { offset, partitionId } from '@runnel/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from '../src/generated/replica-fetch-proto.ts';
import { GrpcMessageReader, GrpcWireError, grpcStatus, messagePrefix } from '../src/grpc-http2.ts';
import { replicaFetchServiceName, rpcMethod, serviceDefinition } from '../src/load-protos.ts';
import { ReplicaFetchClient } from '../src/replica-fetch-client.ts';
import {
  replicaFetchRequestFromProto,
  replicaFetchRequestToProto,
  replicaFetchResponseFromProto,
  replicaFetchResponseToProto,
} from '../src/replica-fetch-codec.ts';
import { ReplicaFetchServer } from '../src/replica-fetch-server.ts';
import type { ReplicaFetchResponse } from '../src/replica-fetch-types.ts';
import { fetchRequest, partitionFetch, responseFor, topicA } from './replica-fetch-fixtures.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const method = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');

function withRecords(records: Buffer): ReplicaFetchResponse {
  const only = responseFor(fetchRequest()).partitions[0];
  if (only === undefined) throw new Error('fixture has no partition');
  const first = { ...only, records };
  const second = { ...first, partition: partitionId(1), error: 'not_leader' as const, records: Buffer.alloc(0) };
  return { partitions: [first, second] };
}

describe('gRPC over node:http2 against grpc-js', () => {
  it('a grpc-js client gets every field and 1 MiB of records byte-identical from ReplicaFetchServer, twice on one stream', async () => {
    const records = randomBytes(1024 * 1024);
    const started = await ReplicaFetchServer.start({ handler: () => Promise.resolve(withRecords(records)) });
    if (!started.ok) throw new Error(started.message);
    cleanups.push(() => started.value.close());
    const client = new Client(`127.0.0.1:${started.value.port}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    cleanups.push(() => client.close());
    const stream = client.makeBidiStreamRequest(method.path, method.serializeRequest, method.deserializeResponse);
    const answers: ReplicaFetchResponseProto[] = [];
    const both = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: ReplicaFetchResponseProto) => {
        answers.push(r);
        if (answers.length === 2) resolve();
      });
      stream.on('error', (e: ServiceError) => reject(e));
    });
    stream.write(replicaFetchRequestToProto(1, fetchRequest()));
    stream.write(replicaFetchRequestToProto(2, fetchRequest()));
    await both;
    const decoded = answers.map((a) => replicaFetchResponseFromProto(a));
    expect(decoded.map((d) => (d.ok ? d.value.requestId : -1))).toEqual([1, 2]);
    for (const d of decoded) {
      if (!d.ok) throw new Error(d.message);
      expect(d.value.value).toEqual(withRecords(records));
    }
    const ended = new Promise<number>((resolve) => stream.on('status', (s: { code: number }) => resolve(s.code)));
    stream.end();
    expect(await ended).toBe(status.OK);
  });

  it('with memory given, a 1 MiB response is assembled there and carries release(); a small one is not pooled and has no release', async () => {
    const big = randomBytes(1024 * 1024);
    let records = big;
    const started = await ReplicaFetchServer.start({ handler: () => Promise.resolve(withRecords(records)) });
    if (!started.ok) throw new Error(started.message);
    cleanups.push(() => started.value.close());
    const acquired: Buffer[] = [];
    let released = 0;
    const client = new ReplicaFetchClient({
      address: `127.0.0.1:${started.value.port}`,
      memory: {
        // Like the broker's FramePool: small messages are not pooled.
        acquire: (sizeBytes) => {
          if (sizeBytes < 64 * 1024) return null;
          const buffer = Buffer.allocUnsafe(sizeBytes);
          acquired.push(buffer);
          return { buffer, release: () => released++ };
        },
      },
    });
    cleanups.push(() => client.close());
    const first = await client.fetch(fetchRequest());
    if (!first.ok) throw new Error(first.message);
    expect(first.value.partitions[0]?.records.equals(big)).toBe(true);
    expect(first.value.partitions[0]?.records.buffer).toBe(acquired[0]?.buffer);
    expect(released).toBe(0);
    first.value.release?.();
    expect(released).toBe(1);

    records = Buffer.from('small');
    const second = await client.fetch(fetchRequest());
    if (!second.ok) throw new Error(second.message);
    expect(second.value.partitions[0]?.records.toString()).toBe('small');
    expect(acquired).toHaveLength(1);
    expect(second.value.release).toBeUndefined();
  });

  it('ReplicaFetchClient fetches from a grpc-js ReplicaFetch server, and reads its INVALID_ARGUMENT as internal', async () => {
    const records = randomBytes(300 * 1024);
    const server = new Server();
    server.addService(serviceDefinition(replicaFetchServiceName), {
      Fetch: (call: ServerDuplexStream<ReplicaFetchRequestProto, ReplicaFetchResponseProto>) => {
        call.on('data', (proto: ReplicaFetchRequestProto) => {
          const request = replicaFetchRequestFromProto(proto);
          if (!request.ok) throw new Error(request.message);
          if (request.value.value.partitions[0]?.fetchOffset === offset(99n)) {
            call.emit('error', { code: status.INVALID_ARGUMENT, details: 'offset 99 refused' });
            return;
          }
          call.write(replicaFetchResponseToProto(request.value.requestId, withRecords(records)));
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    cleanups.push(() => server.forceShutdown());
    const client = new ReplicaFetchClient({ address: `127.0.0.1:${port}` });
    cleanups.push(() => client.close());

    const first = await client.fetch(fetchRequest());
    if (!first.ok) throw new Error(first.message);
    expect(first.value).toEqual(withRecords(records));
    const refused = await client.fetch(fetchRequest({ partitions: [{ ...partitionFetch, fetchOffset: offset(99n) }] }));
    expect(refused).toMatchObject({ ok: false, error: 'internal', message: 'offset 99 refused' });
    const again = await client.fetch(fetchRequest());
    expect(again.ok && again.value.partitions[0]?.topicId).toBe(topicA);
  });
});

describe('GrpcMessageReader', () => {
  const messages = [Buffer.alloc(0), randomBytes(1), randomBytes(70_000), randomBytes(5)];
  const wire = Buffer.concat(messages.flatMap((m) => [messagePrefix(m.length), m]));

  it('reassembles the same messages whatever the chunk boundaries', () => {
    for (const size of [1, 2, 4, 5, 6, 7, 4096, 65_536, wire.length]) {
      const reader = new GrpcMessageReader(1024 * 1024);
      const out: Buffer[] = [];
      for (let at = 0; at < wire.length; at += size)
        out.push(...reader.push(wire.subarray(at, at + size)).map((m) => m.bytes));
      expect(
        out.map((m) => m.toString('hex')),
        `chunks of ${size}`,
      ).toEqual(messages.map((m) => m.toString('hex')));
    }
  });

  it('refuses a compressed message with UNIMPLEMENTED and one over the limit with RESOURCE_EXHAUSTED before it arrives', () => {
    const compressed = Buffer.from([1, 0, 0, 0, 1, 0]);
    expect(() => new GrpcMessageReader(100).push(compressed)).toThrow(GrpcWireError);
    try {
      new GrpcMessageReader(100).push(compressed);
    } catch (e: unknown) {
      expect(e instanceof GrpcWireError && e.code).toBe(grpcStatus.UNIMPLEMENTED);
    }
    try {
      new GrpcMessageReader(100).push(messagePrefix(101));
      expect.unreachable('an oversized prefix must throw');
    } catch (e: unknown) {
      expect(e instanceof GrpcWireError && e.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
    }
  });

  it('a message sent one byte per chunk comes out whole; between messages the reader holds only what is pending', () => {
    const message = randomBytes(200_000);
    const reader = new GrpcMessageReader(1024 * 1024);
    const bytes = Buffer.concat([messagePrefix(message.length), message, messagePrefix(3), Buffer.from('abc')]);
    const out: Buffer[] = [];
    const firstEnd = message.length + 5;
    const pending: number[] = [];
    const expected: number[] = [];
    for (let at = 0; at < bytes.length; at++) {
      out.push(...reader.push(bytes.subarray(at, at + 1)).map((m) => m.bytes));
      const seen = at + 1;
      // Sampled: what is held is the current message's bytes so far, nothing of finished ones.
      if (seen % 997 === 0 || seen >= firstEnd - 2) {
        pending.push(reader.pendingBytes);
        expected.push(seen < firstEnd ? seen : seen === firstEnd || seen === bytes.length ? 0 : seen - firstEnd);
      }
    }
    expect(pending).toEqual(expected);
    expect(out.map((m) => m.length)).toEqual([message.length, 3]);
    expect(out[0]?.equals(message)).toBe(true);
    expect(out[1]?.toString()).toBe('abc');
  });

  it('a message inside one chunk is a view of it, not a copy', () => {
    const chunk = Buffer.concat([messagePrefix(4), Buffer.from('wxyz'), messagePrefix(0)]);
    const out = new GrpcMessageReader(100).push(chunk);
    expect(out.map((m) => m.bytes.toString())).toEqual(['wxyz', '']);
    expect(out[0]?.bytes.buffer).toBe(chunk.buffer);
    expect(out.map((m) => m.release)).toEqual([null, null]);
  });

  it('a message spanning chunks is assembled in the memory given, released once by its owner', () => {
    const slabs: Buffer[] = [];
    let released = 0;
    const reader = new GrpcMessageReader(1024 * 1024, {
      acquire: (sizeBytes) => {
        const buffer = Buffer.alloc(sizeBytes);
        slabs.push(buffer);
        return { buffer, release: () => released++ };
      },
    });
    const message = randomBytes(10_000);
    const wire = Buffer.concat([messagePrefix(message.length), message]);
    const out = [...reader.push(wire.subarray(0, 4000)), ...reader.push(wire.subarray(4000))];
    expect(out).toHaveLength(1);
    expect(out[0]?.bytes.equals(message)).toBe(true);
    expect(out[0]?.bytes.buffer).toBe(slabs[0]?.buffer);
    out[0]?.release?.();
    expect(released).toBe(1);

    // A stream that ends mid-message gives the memory back through discard().
    reader.push(wire.subarray(0, 100));
    reader.discard();
    expect(released).toBe(2);
  });
});
