/**
 * REST Proxy v2 consumer instances across two real `runnel gateway`
 * processes in front of one `runnel dev` broker, driven with curl: an
 * instance created on gateway 1 is read and committed through gateway 2
 * (forwarded to its owner); after gateway 1 is killed with SIGKILL, gateway
 * 2 takes the instance over and keeps reading from the committed offsets:
 * nothing committed is read again and every record produced is read. Also
 * manual assignment and seeking, committed offsets, delete, 40403, the
 * Accept/format mismatch (40601) and the expiry of an idle instance.
 */
import { spawn } from 'node:child_process';
import { GroupAdmin, KafkaClient } from '@runnel/client';
import { RegistryClient, RegistrySerializer } from '@runnel/schema-serde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { waitFor } from '../harness/wait.ts';

const v2 = 'application/vnd.kafka.v2+json';
const jsonAccept = 'application/vnd.kafka.json.v2+json';
const binaryAccept = 'application/vnd.kafka.binary.v2+json';
const topic = 'orders';
/** Gateway 2's idle timeout: short, so the expiry test waits little; every other instance is used more often. */
const instanceTimeoutMs = 6_000;

interface CurlAnswer {
  status: number;
  body: unknown;
}

interface V2Record {
  topic: string;
  partition: number;
  offset: number;
  key: unknown;
  value: unknown;
}

/** One HTTP request with curl (a real HTTP client outside the test's process). */
function curl(method: string, url: string, body?: unknown, accept = v2): Promise<CurlAnswer> {
  const args = ['-s', '-X', method, '-H', `Accept: ${accept}`, '-w', '\n%{http_code}'];
  if (body !== undefined) args.push('-H', `Content-Type: ${v2}`, '--data-binary', JSON.stringify(body));
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`curl ${method} ${url} exited ${code}`));
        return;
      }
      const cut = out.lastIndexOf('\n');
      const text = out.slice(0, cut);
      resolve({ status: Number(out.slice(cut + 1)), body: text === '' ? null : (JSON.parse(text) as unknown) });
    });
  });
}

let dev: DevProcess;
let gw1: GatewayProcess;
let gw2: GatewayProcess;
/** Paused and resumed by one test (a live owner that stops answering). */
let gw3: GatewayProcess;
let client: KafkaClient;
let avroSerializer: RegistrySerializer;

async function produce(from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const value = Buffer.from(JSON.stringify({ n: i }));
    await client.produce(topic, i % 2, [{ key: Buffer.from(JSON.stringify(`k${i}`)), value }], { acks: -1 });
  }
}

function instanceUrl(base: string, group: string, name: string): string {
  return `${base}/consumers/${group}/instances/${name}`;
}

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway', '--group-initial-rebalance-delay-ms', '0'] });
  [gw1, gw2, gw3] = await Promise.all([
    GatewayProcess.start(dev.bootstrap),
    GatewayProcess.start(dev.bootstrap, [
      '--rest-consumer-instance-timeout-ms',
      String(instanceTimeoutMs),
      '--rest-consumer-instances-max',
      '2',
      // A paused owner counts as gone after this (the test pausing gateway 3 waits it out once).
      '--rest-consumer-owner-timeout-ms',
      '2000',
    ]),
    GatewayProcess.start(dev.bootstrap),
  ]);
  client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
  await client.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1 }]);
  await waitFor(async () => (await fetch(`${gw1.restUrl}/readyz`)).status === 200, {
    what: 'gateway 1 ready',
    timeoutMs: 60_000,
  });
  await waitFor(async () => (await fetch(`${gw2.restUrl}/readyz`)).status === 200, {
    what: 'gateway 2 ready',
    timeoutMs: 60_000,
  });
  await waitFor(async () => (await fetch(`${gw3.restUrl}/readyz`)).status === 200, {
    what: 'gateway 3 ready',
    timeoutMs: 60_000,
  });
  await produce(0, 20);
  // Registered while both gateways run: the registry's writer may be gateway 1, which a test kills.
  const schema = JSON.stringify({
    type: 'record',
    name: 'Order',
    fields: [
      { name: 'id', type: 'int' },
      { name: 'note', type: ['null', 'string'] },
    ],
  });
  avroSerializer = await RegistrySerializer.create(new RegistryClient(gw2.url), {
    subject: 'avro-orders-value',
    schema: { schemaType: 'AVRO', schema, references: [] },
  });
});

afterAll(async () => {
  client?.close();
  gw3?.signal('SIGCONT');
  await Promise.all([gw1?.kill('SIGKILL'), gw2?.kill('SIGKILL'), gw3?.kill('SIGKILL')]);
  await dev?.kill('SIGKILL');
});

describe('v2 consumer instances across two gateways', () => {
  it('an instance created on gateway 1 is served by gateway 2, and survives gateway 1 dying without rereading commits', async () => {
    const created = await curl('POST', `${gw1.restUrl}/consumers/g1`, {
      name: 'c1',
      format: 'json',
      'auto.offset.reset': 'earliest',
      'auto.commit.enable': 'false',
    });
    expect(created).toEqual({
      status: 200,
      body: { instance_id: 'c1', base_uri: instanceUrl(gw1.restUrl, 'g1', 'c1') },
    });
    const again = await curl('POST', `${gw2.restUrl}/consumers/g1`, { name: 'c1', format: 'json' });
    expect(again.status).toBe(409);
    expect((again.body as { error_code: number }).error_code).toBe(40902);

    const via2 = instanceUrl(gw2.restUrl, 'g1', 'c1');
    expect((await curl('POST', `${via2}/subscription`, { topics: [topic] })).status).toBe(204);
    expect(await curl('GET', `${via2}/subscription`)).toEqual({ status: 200, body: { topics: [topic] } });

    const mismatch = await curl('GET', `${via2}/records?timeout=0`, undefined, binaryAccept);
    expect(mismatch.status).toBe(406);
    expect((mismatch.body as { error_code: number }).error_code).toBe(40601);

    // Read some through gateway 2 (forwarded to the owner, gateway 1), then commit everything read.
    const before: V2Record[] = [];
    await waitFor(
      async () => {
        const answer = await curl('GET', `${via2}/records?timeout=200&max_bytes=200`, undefined, jsonAccept);
        expect(answer.status).toBe(200);
        before.push(...(answer.body as V2Record[]));
        return before.length >= 8;
      },
      { what: 'records read through gateway 2', timeoutMs: 60_000 },
    );
    expect(before[0]).toMatchObject({ topic, key: expect.stringMatching(/^k\d+$/), value: { n: expect.any(Number) } });
    expect(await curl('POST', `${via2}/offsets`)).toEqual({ status: 200, body: [] });
    const next = new Map<number, number>();
    for (const r of before) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
    const committed = await curl('GET', `${via2}/offsets`, {
      partitions: [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ],
    });
    expect(committed.status).toBe(200);
    const offsets = (committed.body as { offsets: { partition: number; offset: number }[] }).offsets;
    expect(new Map(offsets.map((o) => [o.partition, o.offset]))).toEqual(next);

    await gw1.kill('SIGKILL');
    await produce(20, 10);

    // Gateway 2 finds the owner gone, takes the instance over and resumes from the committed offsets.
    const after: V2Record[] = [];
    const seen = new Set(before.map((r) => (r.value as { n: number }).n));
    await waitFor(
      async () => {
        const answer = await curl('GET', `${via2}/records?timeout=300`, undefined, jsonAccept);
        expect(answer.status).toBe(200);
        for (const r of answer.body as V2Record[]) {
          after.push(r);
          seen.add((r.value as { n: number }).n);
        }
        return seen.size === 30;
      },
      { what: 'every record read after the takeover', timeoutMs: 60_000 },
    );
    for (const r of after) expect(r.offset).toBeGreaterThanOrEqual(next.get(r.partition) ?? 0);
    expect(after.length + before.length).toBe(30);
    expect(gw2.logs.some((l) => l.msg === 'took over a v2 consumer instance' && l.instance === 'c1')).toBe(true);

    // The instance is an ordinary consumer group member: tools describe it like a Kafka consumer.
    const group = await new GroupAdmin(client).describeGroup('g1');
    expect(group).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'range' });
    expect(group.members.map((m) => m.groupInstanceId)).toEqual(['c1']);
    expect(group.members[0]?.assignment).toEqual([{ topic, partitions: [0, 1] }]);
    const metrics = await (await fetch(`${gw2.restUrl}/metrics`)).text();
    expect(metrics).toMatch(/^runnel_gateway_rest_consumer_instances 1$/m);
    expect((await curl('DELETE', via2)).status).toBe(204);
    expect((await curl('GET', `${via2}/subscription`)).status).toBe(404);
  });

  it('a paused owner is taken over; once it resumes it is fenced, lets its copy go and forwards to the new owner', async () => {
    await client.createTopics([{ name: 'paused', numPartitions: 1, replicationFactor: 1 }]);
    for (let i = 0; i < 6; i++) {
      await client.produce('paused', 0, [{ key: null, value: Buffer.from(JSON.stringify(i)) }], { acks: -1 });
    }
    const created = await curl('POST', `${gw3.restUrl}/consumers/g6`, {
      name: 'p1',
      format: 'json',
      'auto.offset.reset': 'earliest',
      'auto.commit.enable': 'false',
    });
    expect(created.status).toBe(200);
    const via3 = instanceUrl(gw3.restUrl, 'g6', 'p1');
    expect((await curl('POST', `${via3}/subscription`, { topics: ['paused'] })).status).toBe(204);
    const first = await waitFor(
      async () => {
        const answer = await curl('GET', `${via3}/records?timeout=200&max_bytes=1`, undefined, jsonAccept);
        const records = answer.body as V2Record[];
        return records.length > 0 && records;
      },
      { what: 'a first record through gateway 3', timeoutMs: 60_000 },
    );
    expect(first).toEqual([{ topic: 'paused', key: null, value: 0, partition: 0, offset: 0 }]);
    expect((await curl('POST', `${via3}/offsets`)).status).toBe(200);

    gw3.signal('SIGSTOP');
    // Gateway 2's forward gets no answer in time: it takes the instance over and resumes after the commit.
    const via2 = instanceUrl(gw2.restUrl, 'g6', 'p1');
    const rest = await waitFor(
      async () => {
        const answer = await curl('GET', `${via2}/records?timeout=200`, undefined, jsonAccept);
        expect(answer.status).toBe(200);
        const records = answer.body as V2Record[];
        return records.length > 0 && records;
      },
      { what: 'records through gateway 2 after the takeover', timeoutMs: 60_000 },
    );
    expect(rest.map((r) => r.offset)).toEqual([1, 2, 3, 4, 5]);

    gw3.signal('SIGCONT');
    await waitFor(() => gw3.logs.some((l) => l.msg === 'let go of a v2 consumer instance'), {
      what: 'gateway 3 to let its copy go',
      timeoutMs: 30_000,
    });
    // Asked again, gateway 3 forwards to the new owner, whose member holds the partition.
    expect(await curl('GET', `${via3}/assignments`)).toEqual({
      status: 200,
      body: { partitions: [{ topic: 'paused', partition: 0 }] },
    });
    const group = await new GroupAdmin(client).describeGroup('g6');
    expect(group.members.map((m) => m.groupInstanceId)).toEqual(['p1']);
    expect((await curl('DELETE', via3)).status).toBe(204);
  });

  it('manual assignment, seeking to the beginning, an offset and the end, and the subscribe conflict', async () => {
    const base = `${gw2.restUrl}/consumers/g2`;
    expect((await curl('POST', base, { name: 'c2', format: 'binary' })).status).toBe(200);
    const c2 = instanceUrl(gw2.restUrl, 'g2', 'c2');
    expect((await curl('POST', `${c2}/assignments`, { partitions: [{ topic, partition: 0 }] })).status).toBe(204);
    expect(await curl('GET', `${c2}/assignments`)).toEqual({
      status: 200,
      body: { partitions: [{ topic, partition: 0 }] },
    });
    const conflict = await curl('POST', `${c2}/subscription`, { topics: [topic] });
    expect(conflict.status).toBe(409);
    expect((conflict.body as { error_code: number }).error_code).toBe(40903);

    const read = async (): Promise<V2Record[]> => {
      const answer = await curl('GET', `${c2}/records?timeout=100`, undefined, binaryAccept);
      expect(answer.status).toBe(200);
      return answer.body as V2Record[];
    };
    expect((await curl('POST', `${c2}/positions/beginning`, { partitions: [{ topic, partition: 0 }] })).status).toBe(
      204,
    );
    const fromStart = await read();
    expect(fromStart[0]).toMatchObject({ topic, partition: 0, offset: 0 });
    expect(Buffer.from(fromStart[0]?.value as string, 'base64').toString()).toBe('{"n":0}');

    expect((await curl('POST', `${c2}/positions`, { offsets: [{ topic, partition: 0, offset: 3 }] })).status).toBe(204);
    expect((await read())[0]?.offset).toBe(3);

    expect((await curl('POST', `${c2}/positions/end`, { partitions: [{ topic, partition: 0 }] })).status).toBe(204);
    expect(await read()).toEqual([]);

    const notHeld = await curl('POST', `${c2}/positions`, { offsets: [{ topic, partition: 1, offset: 0 }] });
    expect((notHeld.body as { error_code: number }).error_code).toBe(40903);

    // Commit a given offset (the last record read), then read it back as the next offset.
    expect((await curl('POST', `${c2}/offsets`, { offsets: [{ topic, partition: 0, offset: 4 }] })).status).toBe(200);
    const committed = await curl('GET', `${c2}/offsets`, { partitions: [{ topic, partition: 0 }] });
    expect(committed.body).toEqual({ offsets: [{ topic, partition: 0, offset: 5, metadata: '' }] });
    expect((await curl('DELETE', c2)).status).toBe(204);
  });

  it('an unknown instance is 40403, a bad config 42204', async () => {
    const unknown = await curl('GET', `${instanceUrl(gw2.restUrl, 'g9', 'nobody')}/assignments`);
    expect(unknown).toEqual({ status: 404, body: { error_code: 40403, message: 'Consumer instance not found.' } });
    const bad = await curl('POST', `${gw2.restUrl}/consumers/g9`, { 'auto.offset.reset': 'smallest' });
    expect(bad.status).toBe(422);
    expect((bad.body as { error_code: number }).error_code).toBe(42204);
  });

  it('avro records are decoded through the registry into Avro JSON', async () => {
    await client.createTopics([{ name: 'avro-orders', numPartitions: 1, replicationFactor: 1 }]);
    const value = avroSerializer.serializeJson('{"id": 7, "note": {"string": "gift"}}');
    await client.produce('avro-orders', 0, [{ key: null, value }], { acks: -1 });
    expect((await curl('POST', `${gw2.restUrl}/consumers/g4`, { name: 'a1', format: 'avro' })).status).toBe(200);
    const a1 = instanceUrl(gw2.restUrl, 'g4', 'a1');
    expect(
      (await curl('POST', `${a1}/assignments`, { partitions: [{ topic: 'avro-orders', partition: 0 }] })).status,
    ).toBe(204);
    expect(
      (await curl('POST', `${a1}/positions/beginning`, { partitions: [{ topic: 'avro-orders', partition: 0 }] }))
        .status,
    ).toBe(204);
    const answer = await curl('GET', `${a1}/records?timeout=500`, undefined, 'application/vnd.kafka.avro.v2+json');
    expect(answer).toEqual({
      status: 200,
      body: [{ topic: 'avro-orders', key: null, value: { id: 7, note: { string: 'gift' } }, partition: 0, offset: 0 }],
    });
    expect((await curl('DELETE', a1)).status).toBe(204);
  });

  it('a gateway holding its limit of instances refuses one more with 429 (42901)', async () => {
    const base = `${gw2.restUrl}/consumers/g5`;
    expect((await curl('POST', base, { name: 'l1' })).status).toBe(200);
    expect((await curl('POST', base, { name: 'l2' })).status).toBe(200);
    const refused = await curl('POST', base, { name: 'l3' });
    expect(refused.status).toBe(429);
    expect((refused.body as { error_code: number }).error_code).toBe(42901);
    // Refused before anything was recorded: the name is free.
    expect((await curl('GET', `${instanceUrl(gw2.restUrl, 'g5', 'l3')}/subscription`)).status).toBe(404);
    expect((await curl('DELETE', instanceUrl(gw2.restUrl, 'g5', 'l1'))).status).toBe(204);
    expect((await curl('DELETE', instanceUrl(gw2.restUrl, 'g5', 'l2'))).status).toBe(204);
  });

  it('an instance nobody touches expires: it leaves its group and answers 40403', async () => {
    expect((await curl('POST', `${gw2.restUrl}/consumers/g3`, { name: 'idle' })).status).toBe(200);
    // Waiting on the gateway's own record of the expiry: polling the instance would keep it alive.
    await waitFor(() => gw2.logs.some((l) => l.msg === 'v2 consumer instance expired' && l.instance === 'idle'), {
      what: 'the idle instance to expire',
      timeoutMs: 60_000,
    });
    const gone = await curl('GET', `${instanceUrl(gw2.restUrl, 'g3', 'idle')}/subscription`);
    expect((gone.body as { error_code: number }).error_code).toBe(40403);
  });
});
