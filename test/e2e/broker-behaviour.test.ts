/**
 * Broker behaviour over real sockets, with the controller and broker in
 * this process: pipelining order, acks=0, long-poll fetch, KIP-74 oversized
 * batches, min.insync.replicas, offsets out of range, configs, topic
 * deletion, connection limits, restart, and the HTTP endpoints.
 */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  type CreateTopicsRequest,
  decodeRecordBatchesSync,
  ErrorCode,
  encodeRecordBatchSync,
  type FetchRequest,
  type FetchResponse,
  type ProduceRequest,
  type ProduceResponse,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const open: InProcessCluster[] = [];
const clients: ProtocolClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const c of open.splice(0)) await c.stop();
});

async function cluster(
  overrides: Parameters<typeof startInProcess>[0] = {},
  dataDir?: string,
): Promise<InProcessCluster> {
  const c = await startInProcess(overrides, dataDir);
  open.push(c);
  return c;
}

async function client(c: InProcessCluster): Promise<ProtocolClient> {
  const p = await ProtocolClient.connect(c.broker.port);
  clients.push(p);
  return p;
}

function createTopic(name: string, configs: Record<string, string> = {}, numPartitions = 1): CreateTopicsRequest {
  return {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  };
}

function produceRequest(topic: string, records: Buffer, acks = 1): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

function fetchRequest(
  topic: string,
  offset: bigint,
  options: Partial<{ maxWaitMs: number; minBytes: number; maxBytes: number; partitionMaxBytes: number }> = {},
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: offset,
            logStartOffset: -1n,
            partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const batch = (values: string[]): Buffer =>
  encodeRecordBatchSync({ records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [] })) });

function partitionOf(response: ProduceResponse) {
  return response.responses[0]?.partitionResponses[0];
}

function fetched(response: FetchResponse) {
  const p = response.responses[0]?.partitions[0];
  const records = p?.records;
  const buf =
    records === null || records === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(records)
        ? records
        : Buffer.concat(records);
  return {
    partition: p,
    values: decodeRecordBatchesSync(buf).flatMap((b) => b.records.map((r) => r.value?.toString())),
  };
}

describe('broker behaviour', () => {
  it('answers pipelined requests in request order even when the first one waits', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('pipeline'));
    const slow = p.send(1, 11, fetchRequest('pipeline', 0n, { maxWaitMs: 300, minBytes: 1 }));
    const fast = p.send(3, 6, { topics: [{ name: 'pipeline' }], allowAutoTopicCreation: false });
    expect((await p.next()).correlationId).toBe(slow);
    expect((await p.next()).correlationId).toBe(fast);
  });

  it('sends no response to acks=0 produce, but stores the records', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('acks0'));
    p.send(0, 7, produceRequest('acks0', batch(['fire', 'forget']), 0));
    const metadata = p.send(3, 6, { topics: [{ name: 'acks0' }], allowAutoTopicCreation: false });
    expect((await p.next()).correlationId).toBe(metadata);
    const read = fetched(await p.request(1, 11, fetchRequest('acks0', 0n)));
    expect(read.values).toEqual(['fire', 'forget']);
  });

  it('wakes a long-polling fetch when a producer appends', async () => {
    const c = await cluster();
    const consumer = await client(c);
    const producer = await client(c);
    await producer.request(19, 4, createTopic('longpoll'));
    const pending = consumer.request(1, 11, fetchRequest('longpoll', 0n, { maxWaitMs: 20_000, minBytes: 1 }));
    // Produce only once the fetch is parked, so the append is what wakes it.
    await waitFor(() => c.broker.metrics.parkedFetches.get().then((m) => m.values[0]?.value === 1), {
      what: 'the fetch to be parked',
    });
    expect(partitionOf(await producer.request(0, 7, produceRequest('longpoll', batch(['wake up']))))?.errorCode).toBe(
      0,
    );
    const read = fetched(await pending);
    expect(read.values).toEqual(['wake up']);
    expect(read.partition?.highWatermark).toBe(1n);
  });

  it('returns a whole batch larger than max_bytes and partition_max_bytes (KIP-74)', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('big'));
    const value = 'x'.repeat(100_000);
    await p.request(0, 7, produceRequest('big', batch([value, value])));
    await p.request(0, 7, produceRequest('big', batch(['next'])));
    const read = fetched(await p.request(1, 11, fetchRequest('big', 1n, { maxBytes: 1000, partitionMaxBytes: 1000 })));
    expect(read.values).toEqual([value, value]);
  });

  it('acks=all with min.insync.replicas above the ISR size returns NOT_ENOUGH_REPLICAS; acks=1 succeeds', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('strict', { 'min.insync.replicas': '2' }));
    expect(partitionOf(await p.request(0, 7, produceRequest('strict', batch(['a']), -1)))?.errorCode).toBe(
      ErrorCode.NOT_ENOUGH_REPLICAS,
    );
    const ok = partitionOf(await p.request(0, 7, produceRequest('strict', batch(['b']), 1)));
    expect(ok?.errorCode).toBe(ErrorCode.NONE);
    expect(ok?.baseOffset).toBe(0n);
    await p.request(19, 4, createTopic('relaxed'));
    expect(partitionOf(await p.request(0, 7, produceRequest('relaxed', batch(['c']), -1)))?.errorCode).toBe(
      ErrorCode.NONE,
    );
  });

  it('refuses a batch above max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('small', { 'max.message.bytes': '1000' }));
    const response = await p.request(0, 7, produceRequest('small', batch(['y'.repeat(2000)])));
    expect(partitionOf(response)?.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
  });

  it('refuses an old-format (magic 1) message set sent with Produce v2 as UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('legacy'));
    // offset, size, crc, magic=1, attributes, timestamp, key=-1, value="v"
    const message = Buffer.alloc(8 + 4 + 4 + 1 + 1 + 8 + 4 + 4 + 1);
    message.writeInt32BE(message.length - 12, 8);
    message.writeInt8(1, 16);
    message.writeInt32BE(-1, 26);
    message.writeInt32BE(1, 30);
    message.write('v', 34);
    const response = await p.request(0, 2, produceRequest('legacy', message));
    expect(partitionOf(response)?.errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    const read = fetched(await p.request(1, 11, fetchRequest('legacy', 0n)));
    expect(read.partition?.highWatermark).toBe(0n);
  });

  it('answers a fetch beyond the log end with OFFSET_OUT_OF_RANGE', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('range'));
    await p.request(0, 7, produceRequest('range', batch(['only'])));
    const response = await p.request(1, 11, fetchRequest('range', 5n));
    expect(response.responses[0]?.partitions[0]?.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('describes topic and broker configs with Kafka names, overrides and defaults', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('configured', { 'retention.ms': '1234' }));
    const response = await p.request(32, 2, {
      resources: [
        { resourceType: 2, resourceName: 'configured', configurationKeys: null },
        { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'auto.create.topics.enable'] },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
      ],
      includeSynonyms: true,
    });
    const [topic, broker, missing] = response.results;
    const retention = topic?.configs.find((e) => e.name === 'retention.ms');
    expect(retention?.value).toBe('1234');
    expect(retention?.configSource).toBe(1);
    expect(topic?.configs.find((e) => e.name === 'cleanup.policy')?.value).toBe('delete');
    expect(broker?.configs.map((e) => [e.name, e.value])).toEqual(
      expect.arrayContaining([
        ['num.partitions', '1'],
        ['auto.create.topics.enable', 'true'],
      ]),
    );
    expect(broker?.configs.length).toBe(2);
    expect(missing?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('takes a dynamic broker config and reports it as DYNAMIC_BROKER_CONFIG; a read-only one is INVALID_REQUEST', async () => {
    const c = await cluster();
    const p = await client(c);
    const alter = (name: string, value: string) =>
      p.request(44, 0, {
        resources: [{ resourceType: 4, resourceName: '1', configs: [{ name, configOperation: 0, value }] }],
        validateOnly: false,
      });
    expect((await alter('log.retention.ms', '3600000')).responses[0]?.errorCode).toBe(ErrorCode.NONE);
    const described = await waitFor(
      async () => {
        const response = await p.request(32, 3, {
          resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['log.retention.ms'] }],
          includeSynonyms: false,
          includeDocumentation: false,
        });
        const entry = response.results[0]?.configs[0];
        return entry?.value === '3600000' ? entry : undefined;
      },
      { what: 'the dynamic value in DescribeConfigs' },
    );
    // ConfigSource 2 is DYNAMIC_BROKER_CONFIG (1 is a topic override); LONG is config type 5.
    expect(described).toMatchObject({ configSource: 2, configType: 5 });
    const readOnly = await alter('log.dirs', '/elsewhere');
    expect(readOnly.responses[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(readOnly.responses[0]?.errorMessage).toMatch(/read-only/i);
  });

  it('deletes a topic with its data, and a new topic of the same name starts empty', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('again'));
    await p.request(0, 7, produceRequest('again', batch(['old'])));
    const deleted = await p.request(20, 3, { topicNames: ['again', 'never-was'], timeoutMs: 5000 });
    expect(deleted.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['again', ErrorCode.NONE],
      ['never-was', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    expect(await readdir(join(c.dataDir, 'broker-1'))).not.toContain('again-0');
    await p.request(19, 4, createTopic('again'));
    const read = fetched(await p.request(1, 11, fetchRequest('again', 0n)));
    expect(read.values).toEqual([]);
    expect(read.partition?.highWatermark).toBe(0n);
  });

  it('closes connections beyond max.connections and keeps serving the others', async () => {
    const c = await cluster({ connectionsMax: 2 });
    const a = await client(c);
    const b = await client(c);
    const third = await client(c);
    await third.socket.waitClosed();
    const metadata = await a.request(3, 6, { topics: null, allowAutoTopicCreation: false });
    expect(metadata.brokers.length).toBe(1);
    expect((await b.request(3, 6, { topics: null, allowAutoTopicCreation: false })).brokers.length).toBe(1);
  });

  it('keeps topics, configs and records across a restart', async () => {
    const first = await startInProcess();
    let p = await ProtocolClient.connect(first.broker.port);
    await p.request(19, 4, createTopic('durable', { 'retention.ms': '99999' }, 2));
    await p.request(0, 7, produceRequest('durable', batch(['one', 'two'])));
    p.close();
    await first.stop();

    const second = await cluster({}, first.dataDir);
    p = await client(second);
    const metadata = await p.request(3, 6, { topics: [{ name: 'durable' }], allowAutoTopicCreation: false });
    expect(metadata.topics[0]?.partitions.length).toBe(2);
    expect(fetched(await p.request(1, 11, fetchRequest('durable', 0n))).values).toEqual(['one', 'two']);
    expect(second.broker.image.configOverrides('topic', 'durable').get('retention.ms')).toBe('99999');
  });

  it('serves /metrics with per-API and per-topic counters, and /healthz and /readyz', async () => {
    const c = await cluster();
    const p = await client(c);
    await p.request(19, 4, createTopic('measured'));
    await p.request(0, 7, produceRequest('measured', batch(['a', 'b', 'c'])));
    await p.request(1, 11, fetchRequest('measured', 0n));
    const base = `http://127.0.0.1:${c.broker.httpPort}`;
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/kafka_network_requests_total\{request="Produce"\} 1/);
    expect(text).toMatch(/kafka_network_request_duration_seconds_bucket\{le="[^"]+",request="Fetch"\} 1/);
    expect(text).toMatch(/kafka_server_brokertopicmetrics_messagesin_total\{topic="measured"\} 3/);
    expect(text).toMatch(/kafka_server_brokertopicmetrics_messagesout_total\{topic="measured"\} 3/);
    expect(text).toMatch(/kafka_server_brokertopicmetrics_bytesin_total\{topic="measured"\} \d+/);
    expect(text).toMatch(/kafka_server_replicamanager_partitioncount 1/);
    expect(text).toMatch(/kafka_log_segments 1/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('a client that floods requests without reading its responses stops being read, while another client is served correctly', {
    timeout: 60_000,
  }, async () => {
    const c = await cluster({ inflightRequestsPerConnectionMax: 4 });
    const p = await client(c);
    await p.request(19, 4, createTopic('beside-flood'));
    const base = `http://127.0.0.1:${c.broker.httpPort}`;
    const metric = async (pattern: RegExp): Promise<number> => {
      const match = pattern.exec(await (await fetch(`${base}/metrics`)).text());
      return match === null ? 0 : Number(match[1]);
    };
    const apiVersionsServed = () => metric(/^kafka_network_requests_total\{request="ApiVersions"\} (\d+)$/m);
    const connections = () => metric(/^kafka_server_socketserver_connections (\d+)$/m);

    // 2,000,000 ApiVersions v0 requests (correlation ids 0, 1, ...) in one write, far more than the broker
    // buffers for a peer that reads nothing back (its write buffer bound plus the kernel's socket buffers).
    const floodCount = 2_000_000;
    const flood = Buffer.alloc(floodCount * 14);
    for (let i = 0; i < floodCount; i++) {
      const at = i * 14;
      flood.writeInt32BE(10, at);
      flood.writeInt16BE(18, at + 4); // ApiVersions
      flood.writeInt16BE(0, at + 6); // v0
      flood.writeInt32BE(i, at + 8);
      flood.writeInt16BE(-1, at + 12); // null client id
    }
    const flooder = connect(c.broker.port, '127.0.0.1');
    flooder.on('error', () => undefined);
    await new Promise<void>((resolve) => flooder.once('connect', () => resolve()));
    flooder.write(flood);

    // Bounded: the broker stops taking requests from the flooder (its count stays put over 5 polls) while most
    // of the flood is still unsent on the client side. A broker that read without bound would drain it all.
    let last = -1;
    let unchangedPolls = 0;
    const servedAtPlateau = await waitFor(
      async () => {
        const served = await apiVersionsServed();
        unchangedPolls = served === last ? unchangedPolls + 1 : 0;
        last = served;
        return served > 0 && unchangedPolls >= 5 && flooder.writableLength > 0 && served;
      },
      { timeoutMs: 45_000, intervalMs: 100, what: 'the broker to stop reading the flooding connection' },
    );
    expect(servedAtPlateau).toBeLessThan(floodCount);

    // Meanwhile another connection gets correct answers.
    const produced = partitionOf(await p.request(0, 7, produceRequest('beside-flood', batch(['x', 'y']))));
    expect(produced).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(fetched(await p.request(1, 11, fetchRequest('beside-flood', 0n))).values).toEqual(['x', 'y']);
    const metadata = await p.request(3, 6, { topics: [{ name: 'beside-flood' }], allowAutoTopicCreation: false });
    expect(metadata.topics.map((t) => [t.name, t.errorCode])).toEqual([['beside-flood', ErrorCode.NONE]]);
    expect(await apiVersionsServed()).toBe(servedAtPlateau);

    // Once the flooder reads, the broker resumes: responses come in request order, past where it had stopped.
    let pending: Buffer = Buffer.alloc(0);
    let nextCorrelationId = 0;
    let outOfOrder: string | null = null;
    flooder.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (pending.length - at >= 4 && pending.length - at >= 4 + pending.readInt32BE(at)) {
        const size = pending.readInt32BE(at);
        const correlationId = pending.readInt32BE(at + 4);
        const errorCode = pending.readInt16BE(at + 8);
        if (outOfOrder === null && (correlationId !== nextCorrelationId || errorCode !== ErrorCode.NONE)) {
          outOfOrder = `response ${correlationId} (error ${errorCode}) where ${nextCorrelationId} was due`;
        }
        nextCorrelationId++;
        at += 4 + size;
      }
      pending = pending.subarray(at);
    });
    await waitFor(() => outOfOrder !== null || nextCorrelationId > servedAtPlateau + 1000, {
      timeoutMs: 30_000,
      what: 'responses past the point where the broker had stopped reading',
    });
    expect(outOfOrder).toBeNull();

    // Dropping the flooder releases its connection; the other client is still served.
    flooder.destroy();
    await waitFor(async () => (await connections()) === 1, { what: 'the flooding connection to be released' });
    const after = await p.request(3, 6, { topics: null, allowAutoTopicCreation: false });
    expect(after.brokers.map((b) => b.nodeId)).toEqual([c.broker.config.nodeId]);
  });
});
