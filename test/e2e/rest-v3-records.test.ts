/**
 * REST Proxy v3 records against a 3-broker cluster (3 controllers) through
 * a real `runnel gateway` process: single produce in every embedded type
 * (Avro with an inline schema and by schema id, JSON Schema, Protobuf,
 * headers), keyed records on the partition Java's producer picks, a
 * streamed produce of 100,000 records answered by 100,000 reports in order
 * (then read back with kcat), a bad record mid-stream
 * (through Node's http client and through curl), consume as JSON lines
 * by offset and by timestamp, a server-sent-events tail that sees a record
 * produced after it started, bad inputs, and a gateway stop that ends an
 * open tail.
 */
import { spawnSync } from 'node:child_process';
import { KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { kcat, kcatReadAll } from '../harness/kcat.ts';
import { restCall } from '../harness/rest-http.ts';
import { streamProduce } from '../harness/rest-stream.ts';
import { waitFor } from '../harness/wait.ts';

type Report = Record<string, unknown>;

const avroSchema = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'v3',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
const jsonSchema = JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
const protoSchema = 'syntax = "proto3";\npackage v3;\nmessage Ping { string who = 1; int32 times = 2; }\n';

/** The JSON lines of an answer (restCall parses an answer of one line as JSON already). */
function lines(body: unknown): Record<string, unknown>[] {
  if (typeof body === 'object' && body !== null) return [body as Record<string, unknown>];
  return String(body)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('REST Proxy v3 records on a 3-broker cluster', () => {
  let cluster: TestCluster;
  let gateway: GatewayProcess;
  let client: KafkaClient;
  let clusterId: string;
  let rest: string;

  const records = (topic: string) => `/v3/clusters/${clusterId}/topics/${topic}/records`;
  const partitionRecords = (topic: string, partition: number, query = '') =>
    `/v3/clusters/${clusterId}/topics/${topic}/partitions/${partition}/records${query}`;

  beforeAll(async () => {
    cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
    gateway = await GatewayProcess.start(cluster.bootstrap());
    rest = gateway.restUrl;
    await waitFor(async () => (await fetch(`${gateway.url}/readyz`)).status === 200, { what: 'gateway ready' });
    client = await KafkaClient.connect({ bootstrap: cluster.bootstrap() });
    clusterId = (await client.metadata([])).clusterId ?? '';
    const created = await client.createTopics([
      { name: 'orders', numPartitions: 3, replicationFactor: 3 },
      { name: 'stream', numPartitions: 3, replicationFactor: 3 },
      { name: 'typed', numPartitions: 1, replicationFactor: 3 },
      { name: 'tail', numPartitions: 1, replicationFactor: 3 },
      { name: 'times', numPartitions: 1, replicationFactor: 3 },
    ]);
    expect(created.map((t) => t.errorCode)).toEqual([0, 0, 0, 0, 0]);
    // Every partition has a leader the gateway's client knows before the first produce.
    await waitFor(async () => {
      const metadata = await client.metadata(['orders', 'stream', 'typed', 'tail', 'times']);
      return metadata.topics.every((t) => t.errorCode === 0 && t.partitions.every((p) => p.leader >= 0));
    });
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await gateway?.kill('SIGKILL');
    await cluster?.stop();
  });

  it('produces one record and answers its delivery report', async () => {
    const answer = await restCall(rest, 'POST', records('orders'), {
      partition_id: 1,
      headers: [{ name: 'trace', value: Buffer.from('t-1').toString('base64') }],
      key: { type: 'BINARY', data: Buffer.from('k').toString('base64') },
      value: { type: 'JSON', data: { total: 12.5 } },
      timestamp: '2025-06-01T12:00:00.000Z',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      error_code: 200,
      cluster_id: clusterId,
      topic_name: 'orders',
      partition_id: 1,
      offset: 0,
      timestamp: '2025-06-01T12:00:00.000Z',
      key: { type: 'BINARY', size: 1 },
      value: { type: 'JSON', size: 14 },
    });
    const read = await kcatReadAll({
      bootstrap: cluster.bootstrap(),
      topic: 'orders',
      partition: 1,
      format: '%k|%s|%h|%T\n',
    });
    expect(read.stdout.toString()).toBe('k|{"total":12.5}|trace=t-1|1748779200000\n');
  });

  it("sends keyed records to the partition Java's default partitioner picks", async () => {
    // Java's Utils.murmur2 of these keys (Kafka's UtilsTest), made positive, modulo 3 partitions.
    const javaPartitions: [string, number][] = [
      ['21', (-973932308 & 0x7fffffff) % 3],
      ['foobar', (-790332482 & 0x7fffffff) % 3],
      ['a-little-bit-long-string', (-985981536 & 0x7fffffff) % 3],
      ['abc', (479470107 & 0x7fffffff) % 3],
    ];
    for (const [key, partition] of javaPartitions) {
      const answer = await restCall(rest, 'POST', records('orders'), {
        key: { type: 'STRING', data: key },
        value: { type: 'STRING', data: `for ${key}` },
      });
      expect(answer.body, key).toMatchObject({ error_code: 200, partition_id: partition });
    }
    // librdkafka's murmur2 partitioner (Java-compatible) puts the same keys on the same partitions.
    const viaKcat = await kcat(
      ['-P', '-b', cluster.bootstrap(), '-t', 'orders', '-K', ':', '-X', 'partitioner=murmur2', '-X', 'acks=all'],
      `${javaPartitions.map(([k]) => `${k}:kcat`).join('\n')}\n`,
    );
    expect(viaKcat.code, viaKcat.stderr).toBe(0);
    for (const [key, partition] of javaPartitions) {
      const read = await kcatReadAll({ bootstrap: cluster.bootstrap(), topic: 'orders', partition, format: '%k=%s\n' });
      expect(read.stdout.toString()).toContain(`${key}=for ${key}\n`);
      expect(read.stdout.toString()).toContain(`${key}=kcat\n`);
    }
  });

  it('produces every embedded type, Avro inline and by schema id, and reads them back decoded', async () => {
    const bodies = [
      {
        key: { type: 'STRING', data: 's' },
        value: { type: 'AVRO', schema: avroSchema, data: { id: 1, note: { string: 'hi' } } },
      },
      { value: { type: 'JSONSCHEMA', schema: jsonSchema, data: { n: 3 } } },
      { value: { type: 'PROTOBUF', schema: protoSchema, data: { who: 'me', times: 2 } } },
      { value: { type: 'JSON', data: [1, 'two'] } },
      { value: { type: 'BINARY', data: Buffer.from([0xff, 0x00]).toString('base64') } },
    ];
    const reports: Report[] = [];
    for (const body of bodies) {
      const answer = await restCall(rest, 'POST', records('typed'), body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      reports.push(answer.body as Report);
    }
    const avroId = (reports[0]?.value as { schema_id: number } | undefined)?.schema_id;
    expect(reports[0]?.value).toMatchObject({ type: 'AVRO', schema_id: expect.any(Number) });
    expect(reports[1]?.value).toMatchObject({ type: 'JSONSCHEMA', schema_id: expect.any(Number) });
    expect(reports[2]?.value).toMatchObject({ type: 'PROTOBUF', schema_id: expect.any(Number) });
    // By schema id, with no type: the registry says it is Avro; and by the subject's latest version.
    const byId = await restCall(rest, 'POST', records('typed'), {
      value: { schema_id: avroId, data: { id: 2, note: null } },
    });
    expect(byId.body).toMatchObject({ error_code: 200, offset: 5, value: { type: 'AVRO', schema_id: avroId } });
    // Version 1 of typed-value is the Avro schema (the JSON Schema and Protobuf ones came after it).
    const latest = await restCall(rest, 'POST', records('typed'), {
      value: { type: 'AVRO', schema_version: 1, data: { id: 3, note: null } },
    });
    expect(latest.body).toMatchObject({ error_code: 200, offset: 6, value: { type: 'AVRO', schema_id: avroId } });
    // Avro bytes in the registry's frame: magic byte 0, then the schema id, as kcat sees them.
    const raw = await kcat([
      '-C',
      '-b',
      cluster.bootstrap(),
      '-t',
      'typed',
      '-p',
      '0',
      '-o',
      '5',
      '-c',
      '1',
      '-e',
      '-q',
      '-f',
      '%s',
    ]);
    expect(raw.stdout[0]).toBe(0);
    expect(raw.stdout.readInt32BE(1)).toBe(avroId);

    const consumed = await restCall(rest, 'GET', partitionRecords('typed', 0, '?offset=0&format=auto'));
    expect(consumed.status).toBe(200);
    expect(consumed.contentType).toMatch(/application\/x-ndjson/);
    expect(lines(consumed.body).map((r) => [r.offset, r.value, r.value_format])).toEqual([
      [0, { id: 1, note: { string: 'hi' } }, 'avro'],
      [1, { n: 3 }, 'jsonschema'],
      [2, { who: 'me', times: 2 }, 'protobuf'],
      [3, '[1,"two"]', 'string'],
      [4, Buffer.from([0xff, 0x00]).toString('base64'), 'binary'],
      [5, { id: 2, note: null }, 'avro'],
      [6, { id: 3, note: null }, 'avro'],
    ]);
    const asAvro = await restCall(rest, 'GET', partitionRecords('typed', 0, '?offset=5&max_records=1&format=avro'));
    expect(lines(asAvro.body)).toEqual([
      {
        topic: 'typed',
        partition: 0,
        offset: 5,
        timestamp: expect.any(Number),
        key: null,
        value: { id: 2, note: null },
        headers: [],
      },
    ]);
  });

  it('answers a streamed produce of 100,000 records with 100,000 reports in order, all readable with kcat', async () => {
    const count = 100_000;
    function* body(): Generator<string> {
      for (let i = 0; i < count; i++) {
        yield JSON.stringify({
          key: { type: 'STRING', data: `k${i % 1000}` },
          value: { type: 'STRING', data: `v${i}` },
        });
      }
    }
    const bytesIn = async (): Promise<number> => {
      const text = await (await fetch(`${rest}/metrics`)).text();
      return Number(/runnel_gateway_rest_bytes_total\{direction="in"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const bytesBefore = await bytesIn();
    let bodyBytes = 0;
    for (const line of body()) bodyBytes += line.length + 1;
    const lastOffset = new Map<number, number>();
    let inOrder = true;
    let ok = 0;
    const answer = await streamProduce(`${rest}${records('stream')}`, body(), {
      keep: false,
      onReport: (report) => {
        if (report.error_code !== 200) return;
        ok++;
        const partition = report.partition_id as number;
        const offset = report.offset as number;
        if (offset <= (lastOffset.get(partition) ?? -1)) inOrder = false;
        lastOffset.set(partition, offset);
      },
    });
    expect(answer.status).toBe(200);
    expect(ok).toBe(count);
    expect(inOrder).toBe(true);
    // Offsets start at 0 and have no gaps: the per-partition counts add up to the whole.
    const perPartition = [...lastOffset.entries()].sort(([a], [b]) => a - b).map(([, last]) => last + 1);
    expect(perPartition.reduce((a, b) => a + b, 0)).toBe(count);
    // The streamed body has no Content-Length: the route counts its bytes itself.
    expect((await bytesIn()) - bytesBefore).toBeGreaterThanOrEqual(bodyBytes);
    for (const [partition, expected] of perPartition.entries()) {
      const read = await kcatReadAll({ bootstrap: cluster.bootstrap(), topic: 'stream', partition, format: '%s\n' });
      expect(read.stdout.toString().split('\n').filter(Boolean).length).toBe(expected);
    }
  }, 120_000);

  it('gives a bad record mid-stream its own error report and produces the others', async () => {
    const good = (i: number) => JSON.stringify({ partition_id: 0, value: { type: 'STRING', data: `g${i}` } });
    const body = [
      good(0),
      good(1),
      '{"value":{"type":"BINARY","data":"*not base64*"}}',
      good(2),
      '{"partition_id":9}',
      good(3),
    ];
    const answer = await streamProduce(`${rest}${records('tail')}`, body);
    expect(answer.reports.map((r) => r.error_code)).toEqual([200, 200, 422, 200, 404, 200]);
    expect(answer.reports[2]?.message).toMatch(/base64/);
    expect(answer.reports.filter((r) => r.error_code === 200).map((r) => r.offset)).toEqual([0, 1, 2, 3]);

    // curl streams its standard input as a chunked body, as Confluent's docs show for streaming mode.
    const curl = spawnSync(
      'curl',
      ['-sS', '-N', '-X', 'POST', '-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked'].concat([
        '--data-binary',
        '@-',
        `${rest}${records('tail')}`,
      ]),
      { input: `${body.join('\n')}\n` },
    );
    expect(curl.status, curl.stderr.toString()).toBe(0);
    expect(lines(curl.stdout.toString()).map((r) => [r.error_code, r.offset])).toEqual([
      [200, 4],
      [200, 5],
      [422, undefined],
      [200, 6],
      [404, undefined],
      [200, 7],
    ]);
  });

  it('reads JSON lines from an offset, and from the first record at or after a timestamp', async () => {
    const stamps = ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z'];
    const body = stamps.map((t, i) => JSON.stringify({ value: { type: 'STRING', data: `day${i}` }, timestamp: t }));
    const produced = await streamProduce(`${rest}${records('times')}`, body);
    const offsets = produced.reports.map((r) => r.offset as number);
    const fromOffset = await restCall(rest, 'GET', partitionRecords('times', 0, `?offset=${offsets[1]}&format=string`));
    expect(lines(fromOffset.body).map((r) => r.value)).toEqual(['day1', 'day2']);
    const fromTime = await restCall(
      rest,
      'GET',
      partitionRecords('times', 0, `?timestamp=2025-01-01T12:00:00Z&format=string`),
    );
    expect(lines(fromTime.body).map((r) => [r.offset, r.value, r.timestamp])).toEqual([
      [offsets[1], 'day1', Date.parse(stamps[1]!)],
      [offsets[2], 'day2', Date.parse(stamps[2]!)],
    ]);
    const limited = await restCall(
      rest,
      'GET',
      partitionRecords('times', 0, `?offset=${offsets[0]}&max_records=1&format=string`),
    );
    expect(lines(limited.body).map((r) => r.value)).toEqual(['day0']);
  });

  it('answers bad inputs with the right status and a JSON message', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', `/v3/clusters/nope/topics/orders/records`, { value: { data: '' } }, 404, /Cluster nope/],
      ['POST', records('missing'), { value: { data: '' } }, 404, /topic-partition/],
      ['POST', records('orders'), '{"value": ', 400, /JSON/],
      ['POST', records('orders'), { value: { type: 'AVRO', schema: '{"type":"nonsense"}', data: 1 } }, 422, /./],
      ['POST', records('orders'), { partition_id: 3, value: { data: '' } }, 404, /partition 3/],
      ['GET', partitionRecords('orders', 5), undefined, 404, /Partition 5/],
      ['GET', partitionRecords('orders', 0, '?offset=999999'), undefined, 416, /outside/],
      ['GET', partitionRecords('orders', 0, '?offset=0&timestamp=1'), undefined, 400, /not both/],
      ['GET', partitionRecords('orders', 0, '?format=xml'), undefined, 422, /format/],
      ['GET', partitionRecords('missing', 0), undefined, 404, /topic-partition/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await restCall(rest, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.body, `${method} ${path}`).toMatchObject({
        error_code: status,
        message: expect.stringMatching(message),
      });
    }
    const xml = await restCall(rest, 'POST', records('orders'), '<record/>', { contentType: 'application/xml' });
    expect(xml.status).toBe(415);
  });

  it('tails a partition as server-sent events, seeing a record produced after the tail began', async () => {
    const controller = new AbortController();
    const response = await fetch(`${rest}${partitionRecords('tail', 0, '?offset=latest&format=string')}`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    // The answer's headers are sent once the start offset is known: this record comes after it.
    const produced = await restCall(rest, 'POST', records('tail'), { value: { type: 'STRING', data: 'live!' } });
    const offset = (produced.body as Report).offset;
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: record')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    // The first event is the stream's opening comment; the record follows.
    const events = text.split('\n\n');
    expect(events[0]).toMatch(/^: tail-0 from offset \d+$/);
    const event = events.find((e) => e.includes('event: record')) ?? '';
    expect(event).toContain(`id: ${offset}\nevent: record\n`);
    const data = JSON.parse(event.split('data: ')[1]!) as Report;
    expect(data).toMatchObject({ topic: 'tail', partition: 0, offset, value: 'live!' });
    controller.abort();
  });

  it('ends an open tail when the gateway stops, and exits cleanly', async () => {
    const response = await fetch(`${rest}${partitionRecords('tail', 0, '?offset=latest')}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const exit = gateway.kill('SIGTERM');
    // The stream ends (rather than holding the stop up) and the process exits cleanly.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(await exit).toBe(0);
    expect(gateway.logs.some((l) => l.msg === 'gateway stopped')).toBe(true);
  });
});
