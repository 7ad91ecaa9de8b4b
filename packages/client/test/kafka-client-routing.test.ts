import {
  ApiKeys,
  ErrorCode,
  type MetadataRequest,
  type MetadataResponse,
  type ProduceResponse,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClient } from '../src/index.ts';
import { type FakeBroker, type FakeRequest, reply, startFakeBroker } from './fake-broker.ts';

const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A one-broker cluster that leads partition 0 of every topic asked about; Produce answers come from `produceCodes`. */
async function scriptedCluster(produceCodes: number[]): Promise<{ broker: FakeBroker; count(apiKey: number): number }> {
  let port = 0;
  const broker = await startFakeBroker((request: FakeRequest) => {
    if (request.header.apiKey === ApiKeys.Metadata) {
      const body = request.body as unknown as MetadataRequest;
      const response: MetadataResponse = {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 7, host: '127.0.0.1', port, rack: null }],
        clusterId: 'fake',
        controllerId: 7,
        topics: (body.topics ?? []).map((t) => ({
          errorCode: 0,
          name: t.name,
          isInternal: false,
          partitions: [
            { errorCode: 0, partitionIndex: 0, leaderId: 7, replicaNodes: [7], isrNodes: [7], offlineReplicas: [] },
          ],
        })),
      };
      reply(request, response);
    } else if (request.header.apiKey === ApiKeys.Produce) {
      const errorCode = produceCodes.shift() ?? ErrorCode.NONE;
      const response: ProduceResponse = {
        throttleTimeMs: 0,
        responses: [
          {
            name: 'orders',
            partitionResponses: [
              {
                index: 0,
                errorCode,
                baseOffset: errorCode === 0 ? 42n : -1n,
                logAppendTimeMs: -1n,
                logStartOffset: 0n,
              },
            ],
          },
        ],
      };
      reply(request, response);
    }
  });
  port = broker.port;
  cleanup.push(() => broker.close());
  return { broker, count: (apiKey) => broker.requests.filter((r) => r.header.apiKey === apiKey).length };
}

async function client(port: number, retries: number): Promise<KafkaClient> {
  const c = await KafkaClient.connect({ bootstrap: `127.0.0.1:${port}`, retries, retryBackoffMs: 1 });
  cleanup.push(() => c.close());
  return c;
}

describe('KafkaClient routing', () => {
  it('refreshes metadata and retries a produce answered with NOT_LEADER_OR_FOLLOWER, then succeeds', async () => {
    const cluster = await scriptedCluster([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE]);
    const kafka = await client(cluster.broker.port, 5);
    const result = await kafka.produce('orders', 0, [{ key: null, value: Buffer.from('x') }], { acks: 1 });
    expect(result.baseOffset).toBe(42n);
    expect(cluster.count(ApiKeys.Produce)).toBe(3);
    expect(cluster.count(ApiKeys.Metadata)).toBe(3);
  });

  it('gives up after the configured retries and throws KafkaError with the last code', async () => {
    const cluster = await scriptedCluster(Array(4).fill(ErrorCode.NOT_LEADER_OR_FOLLOWER));
    const kafka = await client(cluster.broker.port, 2);
    await expect(kafka.produce('orders', 0, [{ key: null, value: null }], { acks: -1 })).rejects.toMatchObject({
      name: 'KafkaError',
      code: ErrorCode.NOT_LEADER_OR_FOLLOWER,
      errorName: 'NOT_LEADER_OR_FOLLOWER',
    });
    expect(cluster.count(ApiKeys.Produce)).toBe(3);
  });

  it('does not retry errors that are not leader changes', async () => {
    const cluster = await scriptedCluster([ErrorCode.MESSAGE_TOO_LARGE]);
    const kafka = await client(cluster.broker.port, 5);
    await expect(kafka.produce('orders', 0, [{ key: null, value: null }], { acks: 1 })).rejects.toMatchObject({
      errorName: 'MESSAGE_TOO_LARGE',
    });
    expect(cluster.count(ApiKeys.Produce)).toBe(1);
  });

  it('rejects a bootstrap list that does not parse with reason connect_failed', async () => {
    await expect(KafkaClient.connect({ bootstrap: ' , ' })).rejects.toMatchObject({ reason: 'connect_failed' });
  });
});
