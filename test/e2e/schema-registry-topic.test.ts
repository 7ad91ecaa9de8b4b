/**
 * A `_schemas` topic as another registry leaves it: records written here by
 * hand from Confluent's documented key and value formats (SCHEMA keys with
 * magic 0 or 1, absent schemaType, DELETE_SUBJECT, a permanently deleted
 * version's tombstone, global and subject CONFIG, MODE, NOOP, and a key type
 * this registry does not know), produced to a broker before any gateway
 * runs. A `runnel gateway` then reads it and must serve it, and hand out ids
 * after the topic's highest.
 */
import { KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { waitFor } from '../harness/wait.ts';

const avro = '{"type":"record","name":"Payment","fields":[{"name":"amount","type":"double"}]}';
const avroV2 =
  '{"type":"record","name":"Payment","fields":[{"name":"amount","type":"double"},{"name":"currency","type":"string","default":"EUR"}]}';
const json = '{"type":"object","properties":{"sku":{"type":"string"}}}';

/** [key, value] pairs in the order a registry would have written them; null value = tombstone. */
const fixture: [string, string | null][] = [
  ['{"keytype":"CONFIG","subject":null,"magic":0}', '{"compatibilityLevel":"FULL"}'],
  [
    '{"keytype":"SCHEMA","subject":"payments-value","version":1,"magic":1}',
    JSON.stringify({ subject: 'payments-value', version: 1, id: 7, schema: avro, deleted: false }),
  ],
  ['{"keytype":"NOOP","magic":0}', null],
  [
    '{"keytype":"SCHEMA","subject":"payments-value","version":2,"magic":1}',
    JSON.stringify({ subject: 'payments-value', version: 2, id: 9, schema: avroV2, deleted: false }),
  ],
  // An older writer's SCHEMA key with magic 0 and fields in another order.
  [
    '{"magic":0,"keytype":"SCHEMA","version":1,"subject":"archive-value"}',
    JSON.stringify({ id: 7, schema: avro, subject: 'archive-value', version: 1, deleted: false }),
  ],
  [
    '{"keytype":"SCHEMA","subject":"sku-value","version":1,"magic":1}',
    JSON.stringify({ subject: 'sku-value', version: 1, id: 8, schemaType: 'JSON', schema: json, deleted: false }),
  ],
  ['{"keytype":"CONFIG","subject":"sku-value","magic":0}', '{"compatibilityLevel":"NONE"}'],
  ['{"keytype":"MODE","subject":null,"magic":0}', '{"mode":"READWRITE"}'],
  // archive-value soft-deleted as a whole.
  ['{"keytype":"DELETE_SUBJECT","subject":"archive-value","magic":0}', '{"subject":"archive-value","version":1}'],
  // A version registered, soft-deleted, then permanently deleted: only its tombstone is left after compaction.
  ['{"keytype":"SCHEMA","subject":"sku-value","version":2,"magic":1}', null],
  // A key type from a newer registry: skipped.
  ['{"keytype":"CONTEXT","tenant":"t","context":".ctx","magic":0}', '{}'],
];

describe('a _schemas topic written in Confluent`s format', () => {
  let dev: DevProcess;
  let gateway: GatewayProcess | undefined;
  let base: string;

  beforeAll(async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    try {
      const [created] = await client.createTopics([
        { name: '_schemas', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
      ]);
      expect(created?.errorCode).toBe(0);
      await client.produce(
        '_schemas',
        0,
        fixture.map(([key, value]) => ({
          key: Buffer.from(key),
          value: value === null ? null : Buffer.from(value),
        })),
        { acks: -1 },
      );
    } finally {
      client.close();
    }
    gateway = await GatewayProcess.start(dev.bootstrap);
    base = gateway.url;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'gateway ready' });
  });

  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    await dev?.kill('SIGKILL');
  });

  async function get(path: string): Promise<unknown> {
    return (await fetch(`${base}${path}`)).json();
  }

  it('serves subjects, versions and ids as written, soft deletes included', async () => {
    expect(await get('/subjects')).toEqual(['payments-value', 'sku-value']);
    expect(await get('/subjects?deleted=true')).toEqual(['archive-value', 'payments-value', 'sku-value']);
    expect(await get('/subjects/payments-value/versions/latest')).toEqual({
      subject: 'payments-value',
      version: 2,
      id: 9,
      schema: avroV2,
    });
    expect(await get('/subjects/sku-value/versions/1')).toEqual({
      subject: 'sku-value',
      version: 1,
      id: 8,
      schemaType: 'JSON',
      schema: json,
    });
    expect(await get('/subjects/sku-value/versions?deleted=true')).toEqual([1]);
    expect(await get('/schemas/ids/7/subjects')).toEqual(['payments-value']);
    expect(await get('/schemas/ids/7/subjects?deleted=true')).toEqual(['archive-value', 'payments-value']);
  });

  it('serves the global and subject compatibility levels', async () => {
    expect(await get('/config')).toEqual({ compatibilityLevel: 'FULL' });
    expect(await get('/config/sku-value')).toEqual({ compatibilityLevel: 'NONE' });
  });

  it('the same schema under a new subject reuses its id; a new schema gets one above the topic`s highest', async () => {
    const register = async (subject: string, schema: string): Promise<unknown> =>
      (
        await fetch(`${base}/subjects/${subject}/versions`, {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schema }),
        })
      ).json();
    expect(await register('refunds-value', avroV2)).toEqual({ id: 9 });
    // Another subject: under the topic's global FULL level a string cannot follow a record in refunds-value.
    expect(await register('codes-value', '"string"')).toEqual({ id: 10 });
  });
});
