/**
 * @runnel/schema-serde against the registry of a real `runnel dev`: the
 * serializers register or look up their schemas, records go through the
 * broker with @runnel/client, and a deserializer with a cold cache decodes
 * them by the id in their bytes — Avro and Protobuf with references to
 * other subjects, JSON Schema, and the registry's refusals.
 */
import { KafkaClient } from '@runnel/client';
import {
  RegistryClient,
  RegistryDeserializer,
  RegistryError,
  RegistrySerializer,
  type Schema,
  SerdeError,
  topicSubject,
} from '@runnel/schema-serde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess;
let registryUrl: string;

beforeAll(async () => {
  dev = await DevProcess.start();
  registryUrl = `http://127.0.0.1:${dev.registryPort}`;
  await waitFor(async () => (await fetch(`${registryUrl}/readyz`)).status === 200, { what: 'registry ready' });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

/** Produces `values` to partition 0 of `topic` and reads back everything it holds. */
async function throughRunnel(topic: string, values: Buffer[]): Promise<Buffer[]> {
  const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
  try {
    // The dev broker creates the topic on the produce's metadata request.
    await client.produce(
      topic,
      0,
      values.map((value) => ({ key: null, value, headers: [] })),
      { acks: -1 },
    );
    const read: Buffer[] = [];
    for await (const record of client.consume(topic, 0, { from: 'earliest', stopAtEnd: true })) {
      if (record.value !== null) read.push(Buffer.from(record.value));
    }
    return read;
  } finally {
    client.close();
  }
}

const avro = (schema: object, references: Schema['references'] = []): Schema => ({
  schemaType: 'AVRO',
  schema: JSON.stringify(schema),
  references,
});

describe('Avro through the registry and Runnel', () => {
  it('a schema referencing another subject registers, and a cold deserializer decodes by id', async () => {
    const registry = new RegistryClient(registryUrl);
    await registry.register(
      'serde-address',
      avro({ type: 'record', name: 'Address', namespace: 'serde', fields: [{ name: 'city', type: 'string' }] }),
    );
    const customer = avro(
      {
        type: 'record',
        name: 'Customer',
        namespace: 'serde',
        fields: [
          { name: 'id', type: 'long' },
          { name: 'home', type: 'serde.Address' },
          { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
        ],
      },
      [{ name: 'serde.Address', subject: 'serde-address', version: 1 }],
    );
    const serializer = await RegistrySerializer.create(registry, {
      subject: topicSubject('serde-customers', 'value'),
      schema: customer,
    });
    const first = serializer.serialize({ id: 1, home: { city: 'Lima' }, tags: ['new'] });
    expect(first[0]).toBe(0);
    expect(first.readInt32BE(1)).toBe(serializer.schemaId);
    const second = serializer.serializeJson('{"id": 2, "home": {"city": "Pune"}, "tags": []}');

    // Bound to the same schema by id, or by looking it up without registering: the same id.
    expect((await RegistrySerializer.create(registry, { schemaId: serializer.schemaId })).schemaId).toBe(
      serializer.schemaId,
    );
    const looked = await RegistrySerializer.create(registry, {
      subject: 'serde-customers-value',
      schema: customer,
      autoRegister: false,
    });
    expect(looked.schemaId).toBe(serializer.schemaId);

    const read = await throughRunnel('serde-customers', [first, second]);
    const reader = new RegistryDeserializer(new RegistryClient(registryUrl));
    const decoded = await Promise.all(read.map((bytes) => reader.deserialize(bytes, 'AVRO')));
    expect(decoded.map((d) => d.value)).toEqual([
      { id: 1, home: { city: 'Lima' }, tags: ['new'] },
      { id: 2, home: { city: 'Pune' }, tags: [] },
    ]);
    expect(decoded[1]?.toJson()).toBe('{"id":2,"home":{"city":"Pune"},"tags":[]}');
    await expect(reader.deserialize(first, 'PROTOBUF')).rejects.toThrow(SerdeError);
  });

  it('the registry refusing a schema rejects with its status and error code', async () => {
    const registry = new RegistryClient(registryUrl);
    const v1 = avro({ type: 'record', name: 'Refused', fields: [{ name: 'a', type: 'int' }] });
    const v2 = avro({ type: 'record', name: 'Refused', fields: [{ name: 'a', type: 'string' }] });
    await registry.register('serde-refused', v1);
    const refusal = await RegistrySerializer.create(registry, { subject: 'serde-refused', schema: v2 }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(RegistryError);
    expect(refusal).toMatchObject({ status: 409, errorCode: 409 });
    const missing = await RegistrySerializer.create(registry, {
      subject: 'serde-refused',
      schema: v2,
      autoRegister: false,
    }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, errorCode: 40403 });
    await expect(registry.schemaById(987654)).rejects.toMatchObject({ status: 404, errorCode: 40403 });
    await expect(new RegistryClient('http://127.0.0.1:1').schemaById(1)).rejects.toMatchObject({ status: 0 });
  });
});

const units = `syntax = "proto3";
package serde.units;
enum Unit { UNIT_UNSPECIFIED = 0; MM = 1; INCH = 2; }`;
const shapes = `syntax = "proto3";
package serde.shapes;
import "units.proto";
message Point { int64 x = 1; int64 y = 2; }
message Drawing {
  message Stroke { Point from = 1; Point to = 2; serde.units.Unit unit = 3; }
  string title = 1;
  repeated Stroke strokes = 2;
}`;

describe('Protobuf and JSON Schema through the registry and Runnel', () => {
  it('a message picked by name is framed with its index path and decoded by it, references resolved', async () => {
    const registry = new RegistryClient(registryUrl);
    await registry.register('serde-units', { schemaType: 'PROTOBUF', schema: units, references: [] });
    const schema: Schema = {
      schemaType: 'PROTOBUF',
      schema: shapes,
      references: [{ name: 'units.proto', subject: 'serde-units', version: 1 }],
    };
    const target = { subject: 'serde-shapes-value', schema };
    const strokes = await RegistrySerializer.create(registry, target, { messageName: 'Stroke' });
    const points = await RegistrySerializer.create(registry, target);
    expect(points.schemaId).toBe(strokes.schemaId);
    const stroke = strokes.serializeJson('{"from": {"x": 1, "y": 2}, "to": {"x": "-3"}, "unit": "INCH"}');
    const point = points.serialize({ x: 7, y: 8 });
    // After the id: the path [1, 0] (count 2, then 1 and 0, zigzag) for Drawing.Stroke; the single 0 for Point.
    expect([...stroke.subarray(5, 8)]).toEqual([4, 2, 0]);
    expect(point[5]).toBe(0);

    const read = await throughRunnel('serde-shapes', [stroke, point]);
    const reader = new RegistryDeserializer(new RegistryClient(registryUrl));
    const [s, p] = await Promise.all(read.map((bytes) => reader.deserialize(bytes, 'PROTOBUF')));
    expect(s?.messageIndexes).toEqual([1, 0]);
    expect(JSON.parse(s?.toJson() ?? '')).toEqual({ from: { x: '1', y: '2' }, to: { x: '-3' }, unit: 'INCH' });
    expect(p?.messageIndexes).toEqual([0]);
    expect(JSON.parse(p?.toJson() ?? '')).toEqual({ x: '7', y: '8' });
  });

  it('a JSON Schema value is its JSON text after the frame', async () => {
    const registry = new RegistryClient(registryUrl);
    const serializer = await RegistrySerializer.create(registry, {
      subject: 'serde-events-value',
      schema: { schemaType: 'JSON', schema: '{"type":"object","properties":{"n":{"type":"integer"}}}', references: [] },
    });
    const bytes = serializer.serialize({ n: 5, tags: ['a'] });
    expect(bytes.subarray(5).toString()).toBe('{"n":5,"tags":["a"]}');
    const [read] = await throughRunnel('serde-events', [bytes]);
    const decoded = await new RegistryDeserializer(new RegistryClient(registryUrl)).deserialize(
      read ?? Buffer.alloc(0),
    );
    expect(decoded).toMatchObject({ schemaType: 'JSON', schemaId: serializer.schemaId, value: { n: 5, tags: ['a'] } });
  });
});
