/**
 * Confluent's official TypeScript serdes (@confluentinc/schemaregistry),
 * unchanged, against the registry on a real `runnel dev`, and Runnel's own
 * serdes (@runnel/schema-serde) reading and writing the same records.
 *
 * Avro: its client
 * registers an Avro schema that references another subject, its Avro
 * serializer writes records that go through Runnel, and its deserializer
 * (a cold client, so it must fetch the schema and the reference by id)
 * reads them back. Runnel's own serdes (@runnel/schema-serde) read what
 * Confluent's wrote, byte for byte the same frames, and Confluent's read
 * what Runnel's wrote.
 *
 * JSON Schema: Confluent's serializer (validating) and Runnel's write the
 * same bytes for the same value; each deserializer reads the other's.
 */
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  type SchemaInfo,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { KafkaClient } from '@runnel/client';
import { RegistryClient, RegistryDeserializer, RegistrySerializer } from '@runnel/schema-serde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const address = {
  type: 'record',
  name: 'Address',
  namespace: 'compat',
  fields: [
    { name: 'street', type: 'string' },
    { name: 'zip', type: ['null', 'string'], default: null },
  ],
};
const customer = {
  type: 'record',
  name: 'Customer',
  namespace: 'compat',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'home', type: 'compat.Address' },
    { name: 'tier', type: { type: 'enum', name: 'Tier', symbols: ['BASIC', 'GOLD'] } },
    { name: 'scores', type: { type: 'array', items: 'double' }, default: [] },
  ],
};
const references = [{ name: 'compat.Address', subject: 'compat-address', version: 1 }];
const topic = 'compat-customers';

const fromConfluent = [
  { id: 1, name: 'Ada', home: { street: 'Main 1', zip: '0150' }, tier: 'GOLD', scores: [1.5, 2] },
  { id: 2, name: 'Linus', home: { street: 'Side 2', zip: null }, tier: 'BASIC', scores: [] },
];
const fromRunnel = [{ id: 3, name: 'Grace', home: { street: 'Dock 3', zip: null }, tier: 'BASIC', scores: [9] }];

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

function confluentClient(): SchemaRegistryClient {
  return new SchemaRegistryClient({ baseURLs: [registryUrl] });
}

async function produce(values: Buffer[]): Promise<void> {
  const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
  try {
    await client.produce(
      topic,
      0,
      values.map((value) => ({ key: null, value, headers: [] })),
      { acks: -1 },
    );
  } finally {
    client.close();
  }
}

async function readAll(): Promise<Buffer[]> {
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

describe('@confluentinc/schemaregistry Avro serdes against the gateway', () => {
  it('registers a schema with a reference, writes through Runnel, and both serdes read each other’s records', async () => {
    const registrar = confluentClient();
    const addressId = await registrar.register('compat-address', {
      schemaType: 'AVRO',
      schema: JSON.stringify(address),
    });
    const customerInfo: SchemaInfo = { schemaType: 'AVRO', schema: JSON.stringify(customer), references };
    const customerId = await registrar.register(`${topic}-value`, customerInfo);
    expect(customerId).not.toBe(addressId);

    // Confluent's serializer, bound to the subject's latest version (the schema with the reference).
    const serializer = new AvroSerializer(confluentClient(), SerdeType.VALUE, {
      useLatestVersion: true,
      autoRegisterSchemas: false,
    });
    const confluentBytes = await Promise.all(fromConfluent.map((value) => serializer.serialize(topic, value)));
    for (const bytes of confluentBytes) {
      expect(bytes[0]).toBe(0);
      expect(bytes.readInt32BE(1)).toBe(customerId);
    }
    await produce(confluentBytes);

    // Runnel's serializer finds the same id for the same schema and references, and writes the same bytes.
    const runnelRegistry = new RegistryClient(registryUrl);
    const runnelSerializer = await RegistrySerializer.create(runnelRegistry, {
      subject: `${topic}-value`,
      schema: { schemaType: 'AVRO', schema: JSON.stringify(customer), references },
      autoRegister: false,
    });
    expect(runnelSerializer.schemaId).toBe(customerId);
    expect(runnelSerializer.serialize(fromConfluent[0])).toEqual(confluentBytes[0]);
    await produce(fromRunnel.map((value) => runnelSerializer.serialize(value)));

    const read = await readAll();
    expect(read).toHaveLength(3);
    const everything = [...fromConfluent, ...fromRunnel];

    // Cold clients on both sides: each must fetch the schema by id and resolve the reference itself.
    const confluentReader = new AvroDeserializer(confluentClient(), SerdeType.VALUE, {});
    // toEqual, not toStrictEqual: avsc decodes records into instances of generated classes on both sides.
    const confluentDecoded: unknown[] = await Promise.all(
      read.map((bytes) => confluentReader.deserialize(topic, bytes)),
    );
    expect(confluentDecoded).toEqual(everything);

    const runnelReader = new RegistryDeserializer(new RegistryClient(registryUrl));
    const runnelDecoded = await Promise.all(read.map((bytes) => runnelReader.deserialize(bytes, 'AVRO')));
    expect(runnelDecoded.map((d) => d.schemaId)).toEqual([customerId, customerId, customerId]);
    expect(runnelDecoded.map((d) => d.value)).toEqual(everything);
  });

  it('JSON Schema: Confluent’s validating serializer and Runnel’s write the same frame, and each reads the other’s', async () => {
    const schema = JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
    const id = await confluentClient().register('compat-counts-value', { schemaType: 'JSON', schema });
    const serializer = new JsonSerializer(confluentClient(), SerdeType.VALUE, {
      useLatestVersion: true,
      autoRegisterSchemas: false,
      validate: true,
    });
    const confluentBytes = await serializer.serialize('compat-counts', { n: 5 });
    const runnelSerializer = await RegistrySerializer.create(new RegistryClient(registryUrl), { schemaId: id });
    expect(runnelSerializer.serialize({ n: 5 })).toEqual(confluentBytes);

    const confluentReader = new JsonDeserializer(confluentClient(), SerdeType.VALUE, {});
    expect(await confluentReader.deserialize('compat-counts', runnelSerializer.serialize({ n: 6 }))).toEqual({ n: 6 });
    const runnelReader = new RegistryDeserializer(new RegistryClient(registryUrl));
    expect(await runnelReader.deserialize(confluentBytes, 'JSON')).toMatchObject({ schemaId: id, value: { n: 5 } });
  });
});
