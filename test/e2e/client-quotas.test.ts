/**
 * Client quotas against a real `runnel dev` process and real clients:
 * `runnel quotas alter|describe`, and a produce quota held the Kafka way
 * (throttle_time_ms, the connection muted) that kafkajs and librdkafka
 * obey and report.
 *
 * The second test measures a rate over time, so it runs for the
 * acceptance window: 30 s of producing under a 1 MB/s quota. It is the one
 * long test of the quota work; everything else waits on conditions.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { PythonClient } from '../harness/python-client.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'] });
});

afterAll(async () => {
  await dev?.kill();
});

const quotas = (...args: string[]) => runnel(['quotas', ...args, '--bootstrap-server', dev.bootstrap]);

/** AlterClientQuotas v1 of one entity over a raw connection; returns the entry's error code. */
async function alterQuota(
  entity: { entityType: string; entityName: string | null }[],
  ops: { key: string; value: number; remove: boolean }[],
  validateOnly = false,
): Promise<number> {
  const client = await ProtocolClient.connect(dev.port);
  try {
    const response = await client.request(49, 1, { entries: [{ entity, ops }], validateOnly });
    return response.entries[0]?.errorCode ?? -1;
  } finally {
    client.close();
  }
}

describe('runnel quotas', () => {
  it('alters and describes client-id and <default> entities; a bad value is INVALID_REQUEST', async () => {
    const altered = await Promise.all([
      quotas('alter', '--client-id', 'cli-app', '--add', 'producer_byte_rate=2048,request_percentage=50'),
      quotas('alter', '--client-defaults', '--add-config', 'consumer_byte_rate=4096'),
      quotas('alter', '--client-id', 'cli-app', '--add', 'producer_byte_rate=1.5'),
    ]);
    expect(altered.map((r) => r.code)).toEqual([0, 0, 1]);
    expect(altered[2]?.stderr).toContain('INVALID_REQUEST');
    const [one, all] = await Promise.all([
      quotas('describe', '--client-id', 'cli-app', '--output', 'json'),
      quotas('describe'),
    ]);
    expect(JSON.parse(one.stdout)).toEqual([
      { entity: { 'client-id': 'cli-app' }, values: { producer_byte_rate: 2048, request_percentage: 50 } },
    ]);
    expect(all.stdout).toContain('Quota configs for the default client-id are consumer_byte_rate=4096');
  });

  it('DescribeClientQuotas matches strictly or not, answers UNSUPPORTED_VERSION for ip; validateOnly and removals', async () => {
    const user = { entityType: 'user', entityName: 'ANONYMOUS' };
    const client = { entityType: 'client-id', entityName: 'raw-app' };
    expect(await alterQuota([user, client], [{ key: 'producer_byte_rate', value: 1024, remove: false }])).toBe(0);
    expect(await alterQuota([client], [{ key: 'consumer_byte_rate', value: 10, remove: false }], true)).toBe(0);
    const raw = await ProtocolClient.connect(dev.port);
    try {
      const describe = (
        components: { entityType: string; matchType: number; match: string | null }[],
        strict: boolean,
      ) => raw.request(48, 1, { components, strict });
      const loose = await describe([{ entityType: 'client-id', matchType: 0, match: 'raw-app' }], false);
      expect(loose.entries?.map((e) => e.entity)).toEqual([[user, client]]);
      // Strict: only entities of exactly the named types; the validate-only alter wrote nothing.
      expect((await describe([{ entityType: 'client-id', matchType: 0, match: 'raw-app' }], true)).entries).toEqual([]);
      const ip = await describe([{ entityType: 'ip', matchType: 2, match: null }], false);
      expect(ip).toMatchObject({ errorCode: 35, entries: null });
    } finally {
      raw.close();
    }
    expect(await alterQuota([user, client], [{ key: 'producer_byte_rate', value: 0, remove: true }])).toBe(0);
    // Leave no quota that applies to the clients of the next test.
    expect(
      await alterQuota(
        [{ entityType: 'client-id', entityName: null }],
        [{ key: 'consumer_byte_rate', value: 0, remove: true }],
      ),
    ).toBe(0);
  });
});

/** A kafkajs client whose "Client side throttling in effect" lines (kafkajs logs them at debug) go to `throttles`. */
function throttleReportingKafka(clientId: string, throttles: string[]): Kafka {
  return new Kafka({
    brokers: [dev.bootstrap],
    clientId,
    logLevel: logLevel.DEBUG,
    logCreator: () => (e) => {
      if (e.log.message.startsWith('Client side throttling')) throttles.push(e.log.message);
    },
  });
}

/** A kafkajs producer sending 4 × 16 KiB per request, one request at a time, until stopped; it counts what was acknowledged. */
function producerLoop(clientId: string, topic: string, onLog: (entry: LogEntry) => void) {
  const kafka = new Kafka({
    brokers: [dev.bootstrap],
    clientId,
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => onLog(entry),
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const value = Buffer.alloc(16 * 1024, 7);
  const messages = Array.from({ length: 4 }, () => ({ value }));
  const state = { bytes: 0, startedMs: 0, stop: false, done: Promise.resolve() };
  state.done = (async () => {
    await producer.connect();
    state.startedMs = performance.now();
    while (!state.stop) {
      await producer.send({ topic, acks: 1, messages });
      state.bytes += 4 * value.length;
    }
    await producer.disconnect();
  })();
  return state;
}

describe('produce quota', () => {
  it('holds a 1 MB/s client within ±20% over 30 s while an unquota’d client keeps its throughput; kafkajs and librdkafka report the throttle', async () => {
    const topic = 'quota-produce';
    const admin = new Kafka({ brokers: [dev.bootstrap], clientId: 'quota-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const quota = 1_048_576;
    expect((await quotas('alter', '--client-id', 'quota-limited', '--add', `producer_byte_rate=${quota}`)).code).toBe(
      0,
    );
    expect((await quotas('alter', '--client-id', 'quota-rdkafka', '--add', 'producer_byte_rate=262144')).code).toBe(0);

    const throttles: number[] = [];
    const freeThrottles: string[] = [];
    const limited = producerLoop('quota-limited', topic, (e) => {
      const m = /Client side throttling in effect for (\d+)ms/.exec(e.log.message);
      if (m?.[1] !== undefined) throttles.push(Number(m[1]));
    });
    const free = producerLoop('quota-free', topic, (e) => {
      if (e.log.message.includes('throttling')) freeThrottles.push(e.log.message);
    });
    const rdkafka = new PythonClient('quota_throttle.py', [dev.bootstrap, topic, 'quota-rdkafka']);
    try {
      // From the limited client's first request: the quota window lets a new client burst up to
      // (quota.window.num - 1) windows' worth before its first throttle, and 30 s averages that in.
      await waitFor(() => limited.startedMs > 0 && free.startedMs > 0, { what: 'both producers to start' });
      await delay(30_000 - (performance.now() - limited.startedMs));
      const now = performance.now();
      const limitedRate = limited.bytes / ((now - limited.startedMs) / 1000);
      const freeRate = free.bytes / ((now - free.startedMs) / 1000);

      expect(limitedRate).toBeGreaterThan(quota * 0.8);
      expect(limitedRate).toBeLessThan(quota * 1.2);
      expect(freeRate).toBeGreaterThan(quota * 2);
      expect(freeThrottles).toEqual([]);
      expect(throttles.length).toBeGreaterThan(0);
      // librdkafka hands the broker's throttle_time_ms to throttle_cb and its statistics.
      await waitFor(() => rdkafka.events().some((e) => e.event === 'throttle' && Number(e.throttle_ms) > 0), {
        what: 'librdkafka throttle_cb',
      });
      await waitFor(() => rdkafka.events().some((e) => e.event === 'stats_throttle'), {
        what: 'librdkafka stats throttle',
      });
      const metrics = await (await fetch(`http://127.0.0.1:${dev.httpPort}/metrics`)).text();
      expect(metrics).toMatch(
        /kafka_server_client_quota_throttle_time_ms_total\{quota_type="Produce",user="",client_id="quota-limited"\} [1-9]/,
      );
    } finally {
      limited.stop = true;
      free.stop = true;
      rdkafka.writeLine('stop');
      await Promise.all([limited.done, free.done, rdkafka.exited]);
    }
  }, 120_000);
});

describe('fetch quota', () => {
  it('a consumer over consumer_byte_rate gets data, then empty throttled answers that kafkajs reports', async () => {
    const topic = 'quota-fetch';
    const clientId = 'quota-consumer';
    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'quota-fetch-producer', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const value = Buffer.alloc(16 * 1024, 3);
    // 1.25 MiB: twice what one answer may carry under a 64 KiB/s quota (its rate over the 10 s minimum window).
    for (let i = 0; i < 8; i++)
      await producer.send({ topic, acks: 1, messages: Array.from({ length: 10 }, () => ({ value })) });
    await producer.disconnect();
    const entity = [{ entityType: 'client-id', entityName: clientId }];
    expect(await alterQuota(entity, [{ key: 'consumer_byte_rate', value: 65_536, remove: false }])).toBe(0);

    const throttles: string[] = [];
    let received = 0;
    const consumer = throttleReportingKafka(clientId, throttles).consumer({
      groupId: 'quota-fetch-group',
      maxBytes: 10 * 1024 * 1024,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async () => {
          received++;
        },
      });
      await waitFor(() => throttles.length > 0, { timeoutMs: 60_000, what: 'kafkajs to report a fetch throttle' });
      // The first answer carried at most the quota's window of bytes (640 KiB = 40 records), not all 80.
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThanOrEqual(40);
    } finally {
      await consumer.disconnect();
    }
  });
});

describe('request-time quota', () => {
  it('a client over request_percentage is throttled on any API (kafkajs reports it on Metadata)', async () => {
    const clientId = 'quota-busy';
    const entity = [{ entityType: 'client-id', entityName: clientId }];
    // 0.01% of a thread: about 1 ms of broker time per 10 s, so a few requests spend it.
    expect(await alterQuota(entity, [{ key: 'request_percentage', value: 0.01, remove: false }])).toBe(0);
    const throttles: string[] = [];
    const admin = throttleReportingKafka(clientId, throttles).admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          await admin.fetchTopicMetadata({ topics: [] });
          return throttles.length > 0;
        },
        { what: 'kafkajs to report a request-time throttle' },
      );
    } finally {
      await admin.disconnect();
    }
  });
});

describe('controller mutation quota (KIP-599)', () => {
  it('@platformatic/kafka (CreateTopics v7) is refused with THROTTLING_QUOTA_EXCEEDED once the quota is spent; kafkajs (v3) is accepted and throttled', async () => {
    const clientId = 'mutation-limited';
    const entity = [{ entityType: 'client-id', entityName: clientId }];
    // 1 partition/s: a bucket of 11 (quota.window.num * quota.window.size.seconds), then one a second.
    expect(await alterQuota(entity, [{ key: 'controller_mutation_rate', value: 1, remove: false }])).toBe(0);
    const admin = new Admin({ clientId, bootstrapBrokers: [dev.bootstrap], retries: 0 });
    try {
      await admin.createTopics({ topics: ['mutation-a'], partitions: 20, replicas: 1 });
      const refusal = await admin.createTopics({ topics: ['mutation-b'], partitions: 1, replicas: 1 }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(inspect(refusal, { depth: 10 })).toContain('THROTTLING_QUOTA_EXCEEDED');
    } finally {
      await admin.close();
    }
    const throttles: string[] = [];
    const kafkajs = throttleReportingKafka(clientId, throttles).admin();
    await kafkajs.connect();
    try {
      expect(await kafkajs.listTopics()).not.toContain('mutation-b');
      // CreateTopics v3 knows no THROTTLING_QUOTA_EXCEEDED: the topic is created and the answer carries the throttle.
      expect(
        await kafkajs.createTopics({ topics: [{ topic: 'mutation-c', numPartitions: 1 }], waitForLeaders: false }),
      ).toBe(true);
      expect(throttles.length).toBeGreaterThan(0);
    } finally {
      await kafkajs.disconnect();
    }
  });
});

describe('quota durability', () => {
  it('quotas are metadata: they survive kill -9 and a restart', async () => {
    const entity = [{ entityType: 'client-id', entityName: 'durable-app' }];
    expect(await alterQuota(entity, [{ key: 'consumer_byte_rate', value: 777, remove: false }])).toBe(0);
    await dev.kill('SIGKILL');
    await dev.restart();
    const raw = await ProtocolClient.connect(dev.port);
    try {
      const described = await raw.request(48, 1, {
        components: [{ entityType: 'client-id', matchType: 0, match: 'durable-app' }],
        strict: true,
      });
      expect(described.entries).toEqual([{ entity, values: [{ key: 'consumer_byte_rate', value: 777 }] }]);
    } finally {
      raw.close();
    }
  });
});
