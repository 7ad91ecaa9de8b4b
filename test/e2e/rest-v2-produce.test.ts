/**
 * REST Proxy v2 metadata and produce on a real `runnel dev` (gateway
 * included), driven with curl and fetch: topics, partitions, offsets and
 * brokers in Confluent's shapes; records produced in all five embedded
 * formats (registry formats with an inline schema, then by schema id) and
 * read back with kcat, byte for byte for binary and json, and through
 * Confluent's own deserializers (@confluentinc/schemaregistry) for Avro,
 * JSON Schema and Protobuf; keyed records on the partition librdkafka's
 * murmur2 partitioner picks; and bad inputs answered with Confluent's codes.
 */
import {
  AvroDeserializer,
  JsonDeserializer,
  ProtobufDeserializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CurlAnswer, curl } from '../harness/curl-call.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat } from '../harness/kcat.ts';
import { kcatRecords } from '../harness/kcat-records.ts';
import { restCall, v2ContentType, v2FormatType } from '../harness/rest-http.ts';
import { type ProduceAnswer, produceInlineThenById } from '../harness/rest-v2-produce-calls.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let rest: string;
let registryUrl: string;

beforeAll(async () => {
  dev = await DevProcess.start();
  rest = `http://127.0.0.1:${dev.restPort}`;
  registryUrl = `http://127.0.0.1:${dev.registryPort}`;
  await waitFor(async () => (await fetch(`${rest}/readyz`)).status === 200, { what: 'REST port ready' });
  const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
  try {
    const created = await client.createTopics([
      { name: 'binary-3', numPartitions: 3 },
      { name: 'keys-rest', numPartitions: 6 },
      { name: 'keys-kcat', numPartitions: 6 },
      { name: 'refused-1', numPartitions: 1 },
      { name: 'small-batches', numPartitions: 2, configs: { 'max.message.bytes': '500' } },
      ...['json', 'avro', 'jsonschema', 'protobuf'].map((f) => ({ name: `${f}-1`, numPartitions: 1 })),
    ]);
    expect(created.map((r) => r.errorCode)).toEqual(created.map(() => 0));
  } finally {
    client.close();
  }
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('REST Proxy v2 metadata', () => {
  it('lists topics, shows a topic with configs and partitions, a partition, the brokers (curl)', async () => {
    const topics = await curl(rest, 'GET', '/topics');
    expect(topics.status).toBe(200);
    expect(topics.contentType).toBe(v2ContentType);
    expect(topics.body).toEqual(expect.arrayContaining(['binary-3', 'keys-rest', 'avro-1']));
    expect(topics.body).not.toContain('__consumer_offsets');

    const topic = await curl(rest, 'GET', '/topics/binary-3');
    expect(topic.status).toBe(200);
    const shown = topic.body as { name: string; configs: Record<string, string>; partitions: unknown[] };
    expect(shown.name).toBe('binary-3');
    expect(shown.configs['cleanup.policy']).toBe('delete');
    expect(shown.partitions).toHaveLength(3);
    expect(shown.partitions[0]).toEqual({
      partition: 0,
      leader: 1,
      replicas: [{ broker: 1, leader: true, in_sync: true }],
    });

    expect((await curl(rest, 'GET', '/topics/binary-3/partitions')).body).toEqual(shown.partitions);
    expect((await curl(rest, 'GET', '/topics/binary-3/partitions/2')).body).toEqual(shown.partitions[2]);
    expect(await curl(rest, 'GET', '/brokers')).toMatchObject({ status: 200, body: { brokers: [1] } });
  });

  it('answers 40401 for an unknown topic and 40402 for a partition the topic lacks', async () => {
    for (const path of [
      '/topics/no-such-topic',
      '/topics/no-such-topic/partitions',
      '/topics/no-such-topic/partitions/0',
    ]) {
      const answer = await curl(rest, 'GET', path);
      expect({ path, status: answer.status, code: (answer.body as { error_code: number }).error_code }).toEqual({
        path,
        status: 404,
        code: 40401,
      });
      expect(answer.contentType).toBe(v2ContentType);
    }
    for (const partition of ['3', '-1', 'x']) {
      const answer = await curl(rest, 'GET', `/topics/binary-3/partitions/${partition}/offsets`);
      expect(answer).toMatchObject({ status: 404, body: { error_code: 40402 } });
    }
  });
  it('/openapi.json describes every v2 route, with the produce body and answers', async () => {
    const spec = (await (await fetch(`${rest}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown; responses?: object }>>;
    };
    const v2 = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.tags?.includes('v2'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(v2).toEqual(
      expect.arrayContaining([
        'GET /topics',
        'GET /topics/{topic}',
        'POST /topics/{topic}',
        'GET /topics/{topic}/partitions',
        'GET /topics/{topic}/partitions/{partition}',
        'POST /topics/{topic}/partitions/{partition}',
        'GET /topics/{topic}/partitions/{partition}/offsets',
        'GET /brokers',
      ]),
    );
    const produce = spec.paths['/topics/{topic}']?.post;
    const bodyTypes = Object.keys((produce?.requestBody as { content?: object } | undefined)?.content ?? {});
    expect(bodyTypes.sort()).toEqual(['avro', 'binary', 'json', 'jsonschema', 'protobuf'].map(v2FormatType));
    expect(Object.keys(produce?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404', '422']));
  });
});

describe('REST Proxy v2 produce', () => {
  it('binary: keyed, unkeyed and explicitly placed records land byte for byte where the answer says (curl, kcat)', async () => {
    const raw = [Buffer.from([0, 255, 10, 13, 0x80]), Buffer.from('plain'), Buffer.alloc(0)];
    const body = JSON.stringify({
      records: [
        { key: raw[1]?.toString('base64'), value: raw[0]?.toString('base64') },
        { value: raw[1]?.toString('base64'), partition: 2 },
        { value: raw[2]?.toString('base64') },
        { key: raw[0]?.toString('base64'), value: null },
      ],
    });
    const answer = await curl(rest, 'POST', '/topics/binary-3', body, v2FormatType('binary'));
    expect(answer.status).toBe(200);
    const offsets = (answer.body as ProduceAnswer).offsets;
    expect(offsets.map((o) => o.error_code)).toEqual([null, null, null, null]);
    expect(offsets[1]?.partition).toBe(2);

    const read = await kcatRecords(dev.bootstrap, 'binary-3');
    const at = (i: number) =>
      read.find((r) => r.partition === offsets[i]?.partition && r.offset === offsets[i]?.offset);
    expect(at(0)).toMatchObject({ key: raw[1], value: raw[0] });
    expect(at(1)).toMatchObject({ key: null, value: raw[1] });
    expect(at(2)).toMatchObject({ key: null, value: raw[2] });
    expect(at(3)).toMatchObject({ key: raw[0], value: null });

    // A v2 content type naming no format means binary, as in Confluent's REST Proxy.
    const plain = JSON.stringify({ records: [{ value: raw[1]?.toString('base64') }] });
    const byDefault = await curl(rest, 'POST', '/topics/binary-3/partitions/2', plain, v2ContentType);
    const placed = (byDefault.body as ProduceAnswer).offsets[0];
    expect(placed?.partition).toBe(2);
    const again = await kcatRecords(dev.bootstrap, 'binary-3', 2);
    expect(again.find((r) => r.offset === placed?.offset)?.value).toEqual(raw[1]);

    const p2 = await curl(rest, 'GET', '/topics/binary-3/partitions/2/offsets');
    expect(p2.body).toEqual({ beginning_offset: 0, end_offset: again.length });
  });

  it('keyed records go to the partition librdkafka’s murmur2 partitioner (Java’s default) picks for the key', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const records = keys.map((key) => ({ key: b64(key), value: b64('x') }));
    const answer = await restCall(
      rest,
      'POST',
      '/topics/keys-rest',
      { records },
      { contentType: v2FormatType('binary') },
    );
    expect(answer.status).toBe(200);
    const produced = await kcat(
      ['-P', '-b', dev.bootstrap, '-t', 'keys-kcat', '-K', ':', '-X', 'topic.partitioner=murmur2_random'],
      `${keys.map((key) => `${key}:x`).join('\n')}\n`,
    );
    expect(produced.code, produced.stderr).toBe(0);
    const placement = async (topic: string) =>
      Object.fromEntries((await kcatRecords(dev.bootstrap, topic)).map((r) => [r.key?.toString('utf8'), r.partition]));
    const viaRest = await placement('keys-rest');
    expect(Object.keys(viaRest).sort()).toEqual([...keys].sort());
    expect(new Set(Object.values(viaRest)).size).toBeGreaterThan(1);
    expect(viaRest).toEqual(await placement('keys-kcat'));
    // The answer names the partitions the records were found on.
    const offsets = (answer.body as ProduceAnswer).offsets;
    expect(offsets.map((o) => o.partition)).toEqual(keys.map((key) => viaRest[key]));
  });

  it('a batch Kafka refuses answers 200 with 50002 in its records’ entries; other partitions’ records are written', async () => {
    const big = Buffer.alloc(1000, 'v').toString('base64');
    const records = [
      { value: big, partition: 0 },
      { value: 'eA==', partition: 1 },
    ];
    const answer = await restCall(
      rest,
      'POST',
      '/topics/small-batches',
      { records },
      {
        contentType: v2FormatType('binary'),
      },
    );
    expect(answer.status).toBe(200);
    const offsets = (answer.body as ProduceAnswer).offsets;
    expect(offsets[0]).toMatchObject({ partition: null, offset: null, error_code: 50002 });
    expect(offsets[0]?.error).toContain('MESSAGE_TOO_LARGE');
    expect(offsets[1]).toEqual({ partition: 1, offset: 0, error_code: null, error: null });
    const read = await kcatRecords(dev.bootstrap, 'small-batches');
    expect(read.map((r) => [r.partition, r.value?.toString('utf8')])).toEqual([[1, 'x']]);
  });

  it('json: values are stored as their JSON text, to a partition by path (curl, kcat)', async () => {
    const values = [{ a: 1, b: [true, null], c: 'é' }, 'text', 42, null];
    const body = JSON.stringify({ records: values.map((value) => ({ key: 'k', value })) });
    const answer = await curl(rest, 'POST', '/topics/json-1/partitions/0', body, v2FormatType('json'));
    expect(answer.status).toBe(200);
    expect((answer.body as ProduceAnswer).offsets.map((o) => [o.partition, o.offset])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    const read = await kcatRecords(dev.bootstrap, 'json-1', 0);
    expect(read.map((r) => r.value?.toString('utf8') ?? null)).toEqual([
      JSON.stringify(values[0]),
      '"text"',
      '42',
      null,
    ]);
    expect(read.every((r) => r.key?.toString('utf8') === '"k"')).toBe(true);
  });
});

describe('REST Proxy v2 produce through the registry, read back with Confluent’s deserializers', () => {
  const confluent = () => new SchemaRegistryClient({ baseURLs: [registryUrl] });

  it('avro: an inline schema is registered under <topic>-key/-value, then used by id', async () => {
    const value = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    };
    const [answer] = await produceInlineThenById(
      rest,
      'avro',
      'avro-1',
      { key_schema: '"string"', value_schema: JSON.stringify(value) },
      [{ key: 'a', value: { id: 1, note: { string: 'first' } } }],
      [{ key: 'b', value: { id: 2, note: null } }],
    );
    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining(['avro-1-key', 'avro-1-value']));
    const latest = (await (await fetch(`${registryUrl}/subjects/avro-1-value/versions/latest`)).json()) as {
      id: number;
    };
    expect(latest.id).toBe(answer?.value_schema_id);

    const read = await kcatRecords(dev.bootstrap, 'avro-1', 0);
    const keys = new AvroDeserializer(confluent(), SerdeType.KEY, {});
    const values = new AvroDeserializer(confluent(), SerdeType.VALUE, {});
    const decoded = await Promise.all(
      read.map(async (r) => [
        await keys.deserialize('avro-1', r.key ?? Buffer.alloc(0)),
        await values.deserialize('avro-1', r.value ?? Buffer.alloc(0)),
      ]),
    );
    expect(decoded).toEqual([
      ['a', { id: 1, note: 'first' }],
      ['b', { id: 2, note: null }],
    ]);
  });

  it('jsonschema: values validated and written as Confluent’s JSON Schema serializer writes them', async () => {
    const schema = {
      type: 'object',
      properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } },
      required: ['sku', 'qty'],
    };
    await produceInlineThenById(
      rest,
      'jsonschema',
      'jsonschema-1',
      { value_schema: JSON.stringify(schema) },
      [{ value: { sku: 'book', qty: 2 } }],
      [{ value: { sku: 'pen', qty: 5 } }, { value: null }],
    );
    const read = await kcatRecords(dev.bootstrap, 'jsonschema-1', 0);
    expect(read.at(-1)?.value).toBeNull();
    const values = new JsonDeserializer(confluent(), SerdeType.VALUE, {});
    const decoded = await Promise.all(
      read.slice(0, 2).map((r) => values.deserialize('jsonschema-1', r.value ?? Buffer.alloc(0))),
    );
    expect(decoded).toEqual([
      { sku: 'book', qty: 2 },
      { sku: 'pen', qty: 5 },
    ]);
  });

  it('protobuf: values in Protobuf’s JSON mapping, read by Confluent’s Protobuf deserializer', async () => {
    const proto = [
      'syntax = "proto3";',
      'package shop;',
      'message Order { int64 id = 1; repeated Line lines = 2; string status = 3; }',
      'message Line { string sku = 1; int32 qty = 2; }',
    ].join('\n');
    await produceInlineThenById(
      rest,
      'protobuf',
      'protobuf-1',
      { value_schema: proto },
      [{ value: { id: '7', lines: [{ sku: 'book', qty: 2 }], status: 'new' } }],
      [{ value: { id: 8, lines: [], status: 'paid' } }],
    );
    const read = await kcatRecords(dev.bootstrap, 'protobuf-1', 0);
    const values = new ProtobufDeserializer(confluent(), SerdeType.VALUE, {});
    const decoded = await Promise.all(read.map((r) => values.deserialize('protobuf-1', r.value ?? Buffer.alloc(0))));
    // Records are written as the schema's first message (Order), as Confluent's REST Proxy does.
    expect(decoded).toMatchObject([
      { $typeName: 'shop.Order', id: 7n, lines: [{ $typeName: 'shop.Line', sku: 'book', qty: 2 }], status: 'new' },
      { $typeName: 'shop.Order', id: 8n, lines: [], status: 'paid' },
    ]);
  });
});

describe('REST Proxy v2 produce refuses bad input with Confluent’s codes, writing nothing', () => {
  const codeOf = (answer: CurlAnswer) => [answer.status, (answer.body as { error_code?: number } | null)?.error_code];
  const binary = v2FormatType('binary');
  const one = JSON.stringify({ records: [{ value: 'eA==' }] });

  it('unknown topic 40401, partition outside the topic 40402 (in the path or a record)', async () => {
    expect(codeOf(await curl(rest, 'POST', '/topics/no-such-topic', one, binary))).toEqual([404, 40401]);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3/partitions/3', one, binary))).toEqual([404, 40402]);
    const placed = JSON.stringify({ records: [{ value: 'eA==', partition: 9 }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', placed, binary))).toEqual([404, 40402]);
  });

  it('bad body: not JSON 400, no records or wrong types 422, not base64 422, a content type produce does not take 415', async () => {
    expect((await curl(rest, 'POST', '/topics/binary-3', '{"records": [', binary)).status).toBe(400);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', '{}', binary))).toEqual([422, 422]);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', '{"records": []}', binary))).toEqual([422, 422]);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', '{"records": [{"partition": "x"}]}', binary))).toEqual([
      422, 422,
    ]);
    const notBase64 = JSON.stringify({ records: [{ value: 'not base64!' }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', notBase64, binary))).toEqual([422, 422]);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', one, 'text/plain'))).toEqual([415, 415]);
    expect(codeOf(await curl(rest, 'POST', '/topics/binary-3', one, 'application/vnd.kafka.xml.v2+json'))).toEqual([
      415, 415,
    ]);
  });

  it('more records than the gateway takes in one request: 422', async () => {
    const body = JSON.stringify({ records: Array.from({ length: 10_001 }, () => ({ value: null })) });
    const answer = await curl(rest, 'POST', '/topics/binary-3', body, binary);
    expect(codeOf(answer)).toEqual([422, 422]);
    expect((answer.body as { message: string }).message).toContain('10000');
  });

  it('schemas: values without a value schema 42202, keys without a key schema 42201, a record not fitting 42203, an unknown schema id 400', async () => {
    const avro = v2FormatType('avro');
    const intSchema = { value_schema: '"int"' };
    expect(
      codeOf(await curl(rest, 'POST', '/topics/refused-1', JSON.stringify({ records: [{ value: 1 }] }), avro)),
    ).toEqual([422, 42202]);
    const keyed = JSON.stringify({ ...intSchema, records: [{ key: 'k', value: 1 }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/refused-1', keyed, avro))).toEqual([422, 42201]);
    const misfit = JSON.stringify({ ...intSchema, records: [{ value: 1 }, { value: 'one' }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/refused-1', misfit, avro))).toEqual([422, 42203]);
    // Schemas given by id (registered here under their own subjects) register nothing under the topic's.
    const register = async (subject: string, schemaType: string, schema: string): Promise<number> => {
      const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schemaType, schema }),
      });
      return ((await response.json()) as { id: number }).id;
    };
    const jsonId = await register('refused-json', 'JSON', JSON.stringify({ type: 'object', required: ['sku'] }));
    const jsonMisfit = JSON.stringify({ value_schema_id: jsonId, records: [{ value: { qty: 1 } }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/refused-1', jsonMisfit, v2FormatType('jsonschema')))).toEqual([
      422, 42203,
    ]);
    const protoId = await register('refused-proto', 'PROTOBUF', 'syntax = "proto3"; message M { string s = 1; }');
    const protoMisfit = JSON.stringify({ value_schema_id: protoId, records: [{ value: { nope: 1 } }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/refused-1', protoMisfit, v2FormatType('protobuf')))).toEqual([
      422, 42203,
    ]);
    const unknownId = JSON.stringify({ value_schema_id: 999_999, records: [{ value: 1 }] });
    expect(codeOf(await curl(rest, 'POST', '/topics/refused-1', unknownId, avro))).toEqual([400, 400]);
    // Nothing of a refused request was written: the partitions hold only the records produced above.
    expect((await curl(rest, 'GET', '/topics/avro-1/partitions/0/offsets')).body).toEqual({
      beginning_offset: 0,
      end_offset: 2,
    });
  });
});
