/**
 * Confluent's official TypeScript client, @confluentinc/schemaregistry,
 * unchanged, with its Protobuf serializer and deserializer against the
 * registry on a real `runnel dev`. The serializer registers the .proto it
 * was built from as a base64 FileDescriptorProto, first the file it
 * imports under its own subject (a reference named by the import path),
 * then the file itself; records carry message indexes (a non-first and a
 * nested message here). kafkajs produces them to Runnel; a deserializer
 * with its own, cold client fetches the schemas by id with
 * `format=serialized` (the reference too) and decodes what Runnel returns.
 *
 * There is no protoc here: the descriptors are built in code with
 * @bufbuild/protobuf, as generated code would embed them.
 */
import { create, createFileRegistry, createMutableRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from '@bufbuild/protobuf/wkt';
import {
  ProtobufDeserializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const field = (name: string, number: number, type: Type, extra: { typeName?: string; label?: Label } = {}) => ({
  name,
  number,
  type,
  label: extra.label ?? Label.OPTIONAL,
  jsonName: name,
  ...(extra.typeName === undefined ? {} : { typeName: extra.typeName }),
});

// common.proto: package shop.common; message Money { int64 units = 1; string currency = 2; }
const common = create(FileDescriptorProtoSchema, {
  name: 'common.proto',
  package: 'shop.common',
  syntax: 'proto3',
  messageType: [{ name: 'Money', field: [field('units', 1, Type.INT64), field('currency', 2, Type.STRING)] }],
});

// orders.proto: imports common.proto; Header first, so Order is message index 1 and Order.Line is [1, 0].
const orders = create(FileDescriptorProtoSchema, {
  name: 'orders.proto',
  package: 'shop',
  syntax: 'proto3',
  dependency: ['common.proto'],
  messageType: [
    { name: 'Header', field: [field('source', 1, Type.STRING)] },
    {
      name: 'Order',
      field: [
        field('id', 1, Type.INT64),
        field('price', 2, Type.MESSAGE, { typeName: '.shop.common.Money' }),
        field('lines', 3, Type.MESSAGE, { typeName: '.shop.Order.Line', label: Label.REPEATED }),
      ],
      nestedType: [{ name: 'Line', field: [field('sku', 1, Type.STRING), field('qty', 2, Type.INT32)] }],
    },
  ],
});

const registry = createFileRegistry(orders, (name) => (name === 'common.proto' ? common : undefined));
function message(typeName: string): DescMessage {
  const desc = registry.getMessage(typeName);
  if (desc === undefined) throw new Error(`no ${typeName}`);
  return desc;
}

let dev: DevProcess;
let host: string;

beforeAll(async () => {
  dev = await DevProcess.start();
  host = `http://127.0.0.1:${dev.registryPort}`;
  await waitFor(async () => (await fetch(`${host}/readyz`)).status === 200, { what: 'registry ready' });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('@confluentinc/schemaregistry Protobuf serdes against the gateway', () => {
  it('registers with a reference, produces through Runnel, and a cold deserializer decodes every message', async () => {
    const serializer = new ProtobufSerializer(new SchemaRegistryClient({ baseURLs: [host] }), SerdeType.VALUE, {
      autoRegisterSchemas: true,
      registry: createMutableRegistry(registry),
    });
    const order = create(message('shop.Order'), {
      id: 7n,
      price: { units: 1999n, currency: 'EUR' },
      lines: [{ sku: 'book', qty: 2 }],
    });
    const line = create(message('shop.Order.Line'), { sku: 'pen', qty: 3 });
    const header = create(message('shop.Header'), { source: 'lab' });
    const values = [
      await serializer.serialize('orders', order),
      await serializer.serialize('orders', line),
      await serializer.serialize('orders', header),
    ];
    // Magic byte and schema id (one schema for the three), then the message indexes as zigzag varints (count, then
    // each index): Order is [1], Order.Line [1, 0], and Header, the first message, the single byte 0.
    const id = values[0]?.readInt32BE(1);
    expect(values.map((v) => [v[0], v.readInt32BE(1)])).toEqual(values.map(() => [0, id]));
    expect([...(values[0]?.subarray(5, 7) ?? [])]).toEqual([2, 2]);
    expect([...(values[1]?.subarray(5, 8) ?? [])]).toEqual([4, 2, 0]);
    expect(values[2]?.[5]).toBe(0);

    // The reference is its own subject, named by the import path, and the schema's reference names it.
    const subjects = (await (await fetch(`${host}/subjects`)).json()) as string[];
    expect(subjects.sort()).toEqual(['common.proto', 'orders-value']);
    const latest = (await (await fetch(`${host}/subjects/orders-value/versions/latest`)).json()) as Record<
      string,
      unknown
    >;
    expect(latest).toMatchObject({
      subject: 'orders-value',
      version: 1,
      id,
      schemaType: 'PROTOBUF',
      references: [{ name: 'common.proto', subject: 'common.proto', version: 1 }],
    });
    // Stored as .proto text even though the serializer sent a descriptor.
    expect(latest.schema).toContain('message Order {');
    expect(latest.schema).toContain('common.Money price = 2;');

    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'csr-protobuf', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      await producer.send({ topic: 'orders', acks: -1, messages: values.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    const consumed: Buffer[] = [];
    try {
      for await (const record of client.consume('orders', 0, { from: 'earliest', stopAtEnd: true })) {
        if (record.value !== null) consumed.push(Buffer.from(record.value));
      }
    } finally {
      client.close();
    }

    const deserializer = new ProtobufDeserializer(new SchemaRegistryClient({ baseURLs: [host] }), SerdeType.VALUE, {});
    const decoded = await Promise.all(consumed.map((v) => deserializer.deserialize('orders', v)));
    expect(decoded).toEqual([
      {
        $typeName: 'shop.Order',
        id: 7n,
        price: { $typeName: 'shop.common.Money', units: 1999n, currency: 'EUR' },
        lines: [{ $typeName: 'shop.Order.Line', sku: 'book', qty: 2 }],
      },
      { $typeName: 'shop.Order.Line', sku: 'pen', qty: 3 },
      { $typeName: 'shop.Header', source: 'lab' },
    ]);
  });
});
