import { ApiKeys, advertisedApis, encodeApiVersionsUnsupportedFrame, type MetadataResponse } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, ConnectionError } from '../src/index.ts';
import { type FakeBroker, type FakeRequest, reply, startFakeBroker, waitFor } from './fake-broker.ts';

const brokers: FakeBroker[] = [];
const connections: Connection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  for (const b of brokers.splice(0)) await b.close();
});

async function fake(...args: Parameters<typeof startFakeBroker>): Promise<FakeBroker> {
  const broker = await startFakeBroker(...args);
  brokers.push(broker);
  return broker;
}

async function connect(port: number, requestTimeoutMs?: number): Promise<Connection> {
  const connection = await Connection.connect({
    host: '127.0.0.1',
    port,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
  connections.push(connection);
  return connection;
}

function metadataNamed(host: string): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host, port: 1, rack: null }],
    clusterId: null,
    controllerId: 1,
    topics: [],
  };
}

describe('Connection', () => {
  it('negotiates the highest version both sides support for each API', async () => {
    const apis = advertisedApis.map((a) => (a.apiKey === ApiKeys.Metadata ? { ...a, maxVersion: 2 } : a));
    const broker = await fake(() => {}, { apis: apis.filter((a) => a.apiKey !== ApiKeys.DeleteTopics) });
    const connection = await connect(broker.port);
    expect(broker.requests[0]?.header.apiVersion).toBe(3);
    expect(connection.versionOf(ApiKeys.Metadata)).toBe(2);
    expect(connection.versionOf(ApiKeys.Produce)).toBe(12);
    expect(connection.versionOf(ApiKeys.DeleteTopics)).toBeUndefined();
    await expect(connection.request(ApiKeys.DeleteTopics, { topicNames: ['t'], timeoutMs: 1 })).rejects.toMatchObject({
      reason: 'unsupported_api',
    });
  });

  it('falls back to ApiVersions v0 when the broker answers v3 with UNSUPPORTED_VERSION', async () => {
    const broker = await fake(() => {}, {
      onApiVersions: (request) => {
        if (request.header.apiVersion === 3) {
          for (const chunk of encodeApiVersionsUnsupportedFrame(request.header.correlationId))
            request.socket.write(chunk);
        } else {
          reply(request, {
            errorCode: 0,
            apiKeys: [{ apiKey: ApiKeys.Metadata, minVersion: 0, maxVersion: 1 }],
          });
        }
      },
    });
    const connection = await connect(broker.port);
    expect(broker.requests.map((r) => r.header.apiVersion)).toEqual([3, 0]);
    expect(connection.versionOf(ApiKeys.Metadata)).toBe(1);
    expect(connection.versionOf(ApiKeys.Produce)).toBeUndefined();
  });

  it('matches pipelined responses to their requests by correlation id, even out of order', async () => {
    const held: FakeRequest[] = [];
    const broker = await fake((request) => held.push(request));
    const connection = await connect(broker.port);
    const first = connection.request(ApiKeys.Metadata, { topics: null, allowAutoTopicCreation: false });
    const second = connection.request(ApiKeys.Metadata, { topics: null, allowAutoTopicCreation: false });
    await waitFor(() => held.length === 2);
    const [a, b] = held;
    if (a === undefined || b === undefined) throw new Error('requests missing');
    expect(a.header.correlationId).not.toBe(b.header.correlationId);
    reply(b, metadataNamed('second'));
    reply(a, metadataNamed('first'));
    expect((await first).brokers[0]?.host).toBe('first');
    expect((await second).brokers[0]?.host).toBe('second');
  });

  it('rejects an unanswered request with a timeout and keeps the connection usable', async () => {
    let answer = false;
    const broker = await fake((request) => {
      if (answer) reply(request, metadataNamed('late'));
    });
    const connection = await connect(broker.port, 100);
    const error = await connection.request(ApiKeys.Metadata, { topics: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).reason).toBe('timeout');
    answer = true;
    expect((await connection.request(ApiKeys.Metadata, { topics: null })).brokers[0]?.host).toBe('late');
    expect(connection.closed).toBe(false);
  });

  it('rejects pending and later requests with reason closed when the broker drops the socket', async () => {
    const broker = await fake((request) => request.socket.destroy());
    const connection = await connect(broker.port);
    let closedEvents = 0;
    connection.onClose(() => closedEvents++);
    await expect(connection.request(ApiKeys.Metadata, { topics: null })).rejects.toMatchObject({ reason: 'closed' });
    await expect(connection.request(ApiKeys.Metadata, { topics: null })).rejects.toMatchObject({ reason: 'closed' });
    expect(connection.closed).toBe(true);
    expect(closedEvents).toBe(1);
  });

  it('fails to connect with reason connect_failed when nothing listens', async () => {
    const broker = await fake(() => {});
    const port = broker.port;
    await broker.close();
    brokers.splice(0);
    await expect(Connection.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({ reason: 'connect_failed' });
  });

  it('send() writes a request without waiting for a response', async () => {
    const broker = await fake(() => {});
    const connection = await connect(broker.port);
    const batch = Buffer.alloc(4096, 7);
    await connection.send(ApiKeys.Produce, {
      transactionalId: null,
      acks: 0,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }] }],
    });
    await waitFor(() => broker.requests.length === 2);
    const body = broker.requests[1]?.body as { acks: number; topicData: { partitionData: { records: Buffer }[] }[] };
    expect(body.acks).toBe(0);
    expect(body.topicData[0]?.partitionData[0]?.records.equals(batch)).toBe(true);
  });
});
