/**
 * The data console-browser.test.ts browses: a four-partition topic of Avro
 * orders written by Confluent's serializer (@confluentinc/schemaregistry)
 * and placed by kafkajs's default (Java-compatible) partitioner, with known
 * timestamps and headers; a second version of the value schema (for the
 * diff) and more subjects than one page holds.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const repoRoot = resolve(import.meta.dirname, '..', '..');
export const topic = 'browser-orders';
export const subject = `${topic}-value`;
export const partitionCount = 4;
export const recordCount = 24;
/** Record i is written with timestamp baseTimestamp + i seconds, so a timestamp search has a known answer. */
export const baseTimestamp = Date.UTC(2026, 0, 1);

export const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'console.e2e',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
  ],
};
export const orderV2 = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'note', type: ['null', 'string'], default: null }],
};
/** Renames a field with no default: not BACKWARD compatible with v2. */
export const orderBreaking = {
  ...orderV1,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'sku', type: 'string' },
  ],
};

/** Where each key went: its partition and offset, as kafkajs's produce answers say. */
export interface WrittenOrders {
  partitionOfKey: Map<string, number>;
  offsetOfKey: Map<string, string>;
}

export async function writeOrders(bootstrap: string, registryUrl: string): Promise<WrittenOrders> {
  const partitionOfKey = new Map<string, number>();
  const offsetOfKey = new Map<string, string>();
  const admin = await KafkaClient.connect({ bootstrap: bootstrap });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitionCount, replicationFactor: 1 }]);
  } finally {
    admin.close();
  }

  const registry = new SchemaRegistryClient({ baseURLs: [registryUrl] });
  await registry.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(orderV1) });
  const serializer = new AvroSerializer(registry, SerdeType.VALUE, {
    useLatestVersion: true,
    autoRegisterSchemas: false,
  });
  const messages = await Promise.all(
    Array.from({ length: recordCount }, async (_, i) => ({
      key: `order-${i}`,
      value: await serializer.serialize(topic, { id: i, item: `book-${i}` }),
      timestamp: String(baseTimestamp + i * 1000),
      headers: { source: 'console-e2e', trace: `trace-${i}` },
    })),
  );
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'console-browser-e2e', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    // One record per send, so each answer names the partition of exactly one key.
    for (const message of messages) {
      const [sent] = await producer.send({ topic, acks: -1, messages: [message] });
      if (sent === undefined) throw new Error('kafkajs answered no partition');
      partitionOfKey.set(message.key, sent.partition);
      offsetOfKey.set(message.key, sent.baseOffset ?? '');
    }
  } finally {
    await producer.disconnect();
  }
  // v2 for the diff, and more subjects than one page holds.
  await registry.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(orderV2) });
  for (let i = 0; i < 6; i++) {
    const extra = { type: 'record', name: `Extra${i}`, fields: [{ name: 'n', type: 'int' }] };
    await registry.register(`browser-extra-${i}-value`, { schemaType: 'AVRO', schema: JSON.stringify(extra) });
  }

  return { partitionOfKey, offsetOfKey };
}

/** `npm test` builds the bundle first; a focused run builds it here when it is missing. */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(repoRoot, 'packages', 'gateway', 'build', 'ui', 'index.html');
  const built = await access(index).then(
    () => true,
    () => false,
  );
  if (!built)
    await promisify(execFile)(process.execPath, [join(repoRoot, 'packages', 'gateway', 'scripts', 'build-console.ts')]);
}
