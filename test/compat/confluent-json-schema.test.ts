/**
 * `@confluentinc/schemaregistry`'s JSON Schema serializer and deserializer,
 * unchanged, against the registry on a real `runnel dev`: schemas are
 * registered through its client (one referencing another subject by name),
 * the serializer validates and encodes records in the registry wire format
 * (magic byte + schema id), kafkajs produces them to Runnel, and a fresh
 * client (cold caches, so it must fetch the schema and its references by
 * id) deserializes and validates what Runnel returns.
 */
import {
  JsonDeserializer,
  JsonSerializer,
  SchemaRegistryClient,
  SerdeType,
  SerializationError,
} from '@confluentinc/schemaregistry';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const customer = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  properties: { name: { type: 'string' }, email: { type: 'string' } },
  required: ['name'],
  additionalProperties: false,
};
const order = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'integer' }, customer: { $ref: 'customer.schema.json' } },
  required: ['id', 'customer'],
  additionalProperties: false,
};

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

async function produce(topic: string, values: Buffer[]): Promise<void> {
  const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'csr-json', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

async function consume(topic: string): Promise<Buffer[]> {
  const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
  const values: Buffer[] = [];
  try {
    for await (const record of client.consume(topic, 0, { from: 'earliest', stopAtEnd: true })) {
      if (record.value !== null) values.push(Buffer.from(record.value));
    }
  } finally {
    client.close();
  }
  return values;
}

describe('@confluentinc/schemaregistry JSON Schema serdes against the gateway', () => {
  it('serializes with a schema referencing another subject, produces through Runnel, and a cold client deserializes', async () => {
    const writerClient = new SchemaRegistryClient({ baseURLs: [host] });
    const customerId = await writerClient.register('customer', {
      schemaType: 'JSON',
      schema: JSON.stringify(customer),
    });
    const references = [{ name: 'customer.schema.json', subject: 'customer', version: 1 }];
    const orderId = await writerClient.register('orders-json-value', {
      schemaType: 'JSON',
      schema: JSON.stringify(order),
      references,
    });
    expect(orderId).not.toBe(customerId);
    const latest = await writerClient.getLatestSchemaMetadata('orders-json-value');
    expect(latest).toMatchObject({ id: orderId, version: 1, schemaType: 'JSON', references });

    const serializer = new JsonSerializer(writerClient, SerdeType.VALUE, { useLatestVersion: true, validate: true });
    const records = [
      { id: 1, customer: { name: 'Ada', email: 'ada@example.com' } },
      { id: 2, customer: { name: 'Grace' } },
    ];
    const encoded = await Promise.all(records.map((r) => serializer.serialize('orders-json', r)));
    expect(encoded[0]?.[0]).toBe(0);
    expect(encoded[0]?.readInt32BE(1)).toBe(orderId);
    // The serializer validated against the schema with its reference resolved: a customer without a name fails.
    await expect(serializer.serialize('orders-json', { id: 3, customer: { email: 'x' } })).rejects.toBeInstanceOf(
      SerializationError,
    );

    await produce('orders-json', encoded);
    const values = await consume('orders-json');

    const readerClient = new SchemaRegistryClient({ baseURLs: [host] });
    const deserializer = new JsonDeserializer(readerClient, SerdeType.VALUE, { validate: true });
    expect(await Promise.all(values.map((v) => deserializer.deserialize('orders-json', v)))).toEqual(records);
  });

  it('auto-registers the schema the serializer derives from a record', async () => {
    const client = new SchemaRegistryClient({ baseURLs: [host] });
    const serializer = new JsonSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const record = { sku: 'A-1', quantity: 3, tags: ['new'] };
    const encoded = await serializer.serialize('stock-json', record);
    await produce('stock-json', [encoded]);
    const [value] = await consume('stock-json');
    const deserializer = new JsonDeserializer(new SchemaRegistryClient({ baseURLs: [host] }), SerdeType.VALUE, {});
    expect(await deserializer.deserialize('stock-json', value as Buffer)).toEqual(record);
    expect(await (await fetch(`${host}/subjects/stock-json-value/versions/1`)).json()).toMatchObject({
      schemaType: 'JSON',
    });
  });
});
