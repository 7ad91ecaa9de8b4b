/**
 * @kafkajs/confluent-schema-registry, unchanged, against the registry on a
 * real `runnel dev`: it registers Avro schemas, encodes records in the
 * registry wire format (magic byte + schema id), kafkajs produces them to
 * Runnel, and a second client instance (cold cache, so it must ask the
 * registry by id) decodes what Runnel returns.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'lab',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
  ],
};
const orderV2 = {
  ...order,
  fields: [...order.fields, { name: 'note', type: ['null', 'string'], default: null }],
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

describe('@kafkajs/confluent-schema-registry against the gateway', () => {
  it('registers, encodes, produces through Runnel, and a cold client decodes by id', async () => {
    const writer = new SchemaRegistry({ host });
    const { id } = await writer.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(order) },
      { subject: 'orders-value' },
    );
    // The same schema again: the same id, no new version.
    expect(
      (await writer.register({ type: SchemaType.AVRO, schema: JSON.stringify(order) }, { subject: 'orders-value' })).id,
    ).toBe(id);
    const { id: id2 } = await writer.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV2) },
      { subject: 'orders-value' },
    );
    expect(id2).not.toBe(id);
    expect(await writer.getLatestSchemaId('orders-value')).toBe(id2);

    const first = await writer.encode(id, { id: 1, item: 'book' });
    const second = await writer.encode(id2, { id: 2, item: 'pen', note: 'gift' });
    expect(first[0]).toBe(0);
    expect(first.readInt32BE(1)).toBe(id);

    const kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'csr-compat', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      await producer.send({ topic: 'orders', acks: -1, messages: [{ value: first }, { value: second }] });
    } finally {
      await producer.disconnect();
    }

    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    const values: Buffer[] = [];
    try {
      for await (const record of client.consume('orders', 0, { from: 'earliest', stopAtEnd: true })) {
        if (record.value !== null) values.push(Buffer.from(record.value));
      }
    } finally {
      client.close();
    }

    const reader = new SchemaRegistry({ host });
    expect(await Promise.all(values.map((v) => reader.decode(v)))).toEqual([
      { id: 1, item: 'book' },
      { id: 2, item: 'pen', note: 'gift' },
    ]);
  });
});
