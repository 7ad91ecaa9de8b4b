/**
 * The console's message browser and schemas pages against one `runnel dev`
 * (broker, controller and gateway in one process), through its /ui/api
 * endpoints and in a real headless Chromium. Avro records written by
 * Confluent's serializer (@confluentinc/schemaregistry) and placed by
 * kafkajs's default (Java-compatible) partitioner over four partitions are
 * found by key, by timestamp and by offset, decoded through the registry
 * with their headers; a key search reads only the key's partition (the
 * answer's scan report says so) and its scan is bounded; the shown records
 * export as JSON lines. The schemas page pages and filters subjects, diffs
 * two versions and checks a pasted schema's compatibility. Screenshots go to
 * test-output/console/.
 */
import { readFile } from 'node:fs/promises';
import { KafkaClient } from '@runnel/client';
import { RegistryClient, RegistrySerializer } from '@runnel/schema-serde';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CompatibilityAnswer,
  MessagePage,
  SchemaDiffAnswer,
  SubjectPageAnswer,
} from '../../packages/gateway/src/console/message-schema-api-types.ts';
import { HeadlessBrowser, screenshot } from '../harness/browser.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { restCall } from '../harness/rest-http.ts';
import { waitFor } from '../harness/wait.ts';
import {
  baseTimestamp,
  ensureConsoleBuilt,
  orderBreaking,
  orderV2,
  recordCount,
  subject,
  topic,
  writeOrders,
} from './console-browser-data.ts';

let dev: DevProcess;
let restUrl: string;
let consoleUrl: string;
let browser: HeadlessBrowser;
let page: Page;
let problems: string[];
/** The partition kafkajs's partitioner put each key in, and its offset there, as its produce answers say. */
let partitionOfKey: Map<string, number>;
let offsetOfKey: Map<string, string>;

beforeAll(async () => {
  await ensureConsoleBuilt();
  dev = await DevProcess.start();
  restUrl = `http://127.0.0.1:${dev.restPort}`;
  consoleUrl = `${restUrl}/ui/`;
  const registryUrl = `http://127.0.0.1:${dev.registryPort}`;
  await waitFor(async () => (await fetch(`${registryUrl}/readyz`)).status === 200, { what: 'registry ready' });
  await waitFor(async () => (await fetch(`${restUrl}/readyz`)).status === 200, { what: 'REST port ready' });

  ({ partitionOfKey, offsetOfKey } = await writeOrders(dev.bootstrap, registryUrl));
  browser = await HeadlessBrowser.launch();
  ({ page, problems } = await browser.newPage());
});

afterAll(async () => {
  await browser?.close();
  await dev?.kill();
});

async function messages(query: string): Promise<MessagePage> {
  const answer = await restCall(restUrl, 'GET', `/ui/api/messages/${topic}?${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as MessagePage;
}

describe('message browser API', () => {
  it('the keys spread over the partitions (so a one-partition key search means something)', () => {
    expect(new Set(partitionOfKey.values()).size).toBeGreaterThanOrEqual(3);
  });

  it('a key search reads only the partition the key maps to and shows the decoded Avro value and headers', async () => {
    const key = 'order-7';
    const answer = await messages(`key=${key}`);
    const expected = partitionOfKey.get(key);
    expect(answer.keyPartition).toBe(expected);
    expect(answer.partitions).toEqual([expected]);
    expect(answer.scans.map((s) => s.partition)).toEqual([expected]);
    // It scanned every record of that partition (and no other): the partition's whole log.
    const inPartition = [...partitionOfKey.values()].filter((p) => p === expected).length;
    expect(answer.scanned.records).toBe(inPartition);
    expect(answer.records).toHaveLength(1);
    const [record] = answer.records;
    expect(record?.key).toEqual({ kind: 'text', text: key, size: key.length, truncated: false });
    expect(record?.value).toMatchObject({ kind: 'avro', value: { id: 7, item: 'book-7' } });
    expect(record?.timestamp).toBe(baseTimestamp + 7000);
    expect(record?.headers).toEqual([
      { key: 'source', value: 'console-e2e', encoding: 'text', truncated: false },
      { key: 'trace', value: 'trace-7', encoding: 'text', truncated: false },
    ]);
  });

  it('a key scan stops at its record budget and reports it', async () => {
    const key = 'order-23';
    const answer = await messages(`key=${key}&start=earliest&scanRecordsMax=1`);
    const [scan] = answer.scans;
    expect(scan?.recordsScanned).toBe(1);
    // order-23 is its partition's last record; a partition holding only it would have matched.
    const inPartition = [...partitionOfKey.values()].filter((p) => p === partitionOfKey.get(key)).length;
    expect(inPartition).toBeGreaterThan(1);
    expect(scan?.stoppedBy).toBe('scanRecordsMax');
    expect(answer.records).toEqual([]);
  });

  it('by timestamp each partition starts at its first record at or after it (ListOffsets)', async () => {
    const answer = await messages(`start=timestamp&timestamp=${baseTimestamp + 20_000}&limit=100`);
    expect(answer.partitions).toEqual([0, 1, 2, 3]);
    expect(answer.records.map((r) => (r.value.kind === 'avro' ? (r.value.value as { id: number }).id : -1))).toEqual([
      20, 21, 22, 23,
    ]);
  });

  it('by offset reads the chosen partitions from that offset, in timestamp order', async () => {
    const answer = await messages('start=offset&offset=1&partitions=0,2&limit=100');
    expect(answer.partitions).toEqual([0, 2]);
    // Keys are written in order, so in timestamp order: those at offset 1 or later of partitions 0 and 2.
    const expectedKeys = [...offsetOfKey.keys()].filter(
      (key) => [0, 2].includes(partitionOfKey.get(key) ?? -1) && offsetOfKey.get(key) !== '0',
    );
    expect(answer.records.map((r) => (r.key.kind === 'text' ? r.key.text : ''))).toEqual(expectedKeys);
  });

  it('the endpoints are in /openapi.json under the console tag, with their query parameters', async () => {
    const openapi = (await restCall(restUrl, 'GET', '/openapi.json')).body as {
      paths: Record<string, { get?: { tags?: string[]; parameters?: { name: string }[] } }>;
    };
    const read = openapi.paths['/ui/api/messages/{topic}']?.get;
    expect(read?.tags).toEqual(['console']);
    expect(read?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['key', 'start', 'scanRecordsMax']));
    expect(openapi.paths['/ui/api/schemas/subjects/{subject}/diff']?.get?.tags).toEqual(['console']);
  });

  it('shows JSON Schema and Protobuf frames decoded with their schema ids, JSON text as JSON, other bytes as hex', async () => {
    const mixed = 'console-mixed';
    const registry = new RegistryClient(`http://127.0.0.1:${dev.registryPort}`);
    const jsonSchema = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } });
    const serializer = await RegistrySerializer.create(registry, {
      subject: `${mixed}-value`,
      schema: { schemaType: 'JSON', schema: jsonSchema, references: [] },
    });
    const keySerializer = await RegistrySerializer.create(registry, {
      subject: `${mixed}-key`,
      schema: {
        schemaType: 'PROTOBUF',
        schema: 'syntax = "proto3";\nmessage Station { string code = 1; }',
        references: [],
      },
    });
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    try {
      await client.createTopics([{ name: mixed, numPartitions: 1, replicationFactor: 1 }]);
      await client.produce(
        mixed,
        0,
        [
          { key: keySerializer.serialize({ code: 'OSL' }), value: serializer.serialize({ city: 'Oslo' }) },
          { key: Buffer.from('{"k":1}'), value: Buffer.from('[1,2]') },
          {
            key: Buffer.from([0xff, 0x00]),
            value: Buffer.from([1, 2, 3]),
            headers: [{ key: 'bin', value: Buffer.from([0]) }],
          },
        ],
        { acks: -1 },
      );
    } finally {
      client.close();
    }
    const answer = (await restCall(restUrl, 'GET', `/ui/api/messages/${mixed}?start=earliest`)).body as MessagePage;
    expect(answer.records.map((r) => [r.key, r.value])).toEqual([
      [
        { kind: 'protobuf', schemaId: keySerializer.schemaId, value: { code: 'OSL' }, size: expect.any(Number) },
        { kind: 'jsonschema', schemaId: serializer.schemaId, value: { city: 'Oslo' }, size: expect.any(Number) },
      ],
      [
        { kind: 'json', value: { k: 1 }, size: 7 },
        { kind: 'json', value: [1, 2], size: 5 },
      ],
      [
        { kind: 'hex', hex: 'ff00', size: 2, truncated: false },
        { kind: 'hex', hex: '010203', size: 3, truncated: false },
      ],
    ]);
    expect(answer.records[2]?.headers).toEqual([{ key: 'bin', value: '00', encoding: 'hex', truncated: false }]);
    // A hex key search finds the binary key.
    const byHex = (await restCall(restUrl, 'GET', `/ui/api/messages/${mixed}?key=ff00&keyEncoding=hex`))
      .body as MessagePage;
    expect(byHex.records.map((r) => r.offset)).toEqual(['2']);
  });

  it('an unknown topic answers 40401 and is not created; a bad query answers 422', async () => {
    const missing = await restCall(restUrl, 'GET', '/ui/api/messages/no-such-topic?key=x');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_code: 40401 });
    const topics = await restCall(restUrl, 'GET', '/ui/api/messages');
    const names = (topics.body as { topics: { name: string }[] }).topics.map((t) => t.name);
    expect(names).toContain(topic);
    expect(names).not.toContain('no-such-topic');
    const noOffset = await restCall(restUrl, 'GET', `/ui/api/messages/${topic}?start=offset`);
    expect(noOffset.status).toBe(422);
    const tooMany = await restCall(restUrl, 'GET', `/ui/api/messages/${topic}?limit=100000`);
    expect(tooMany.status).toBe(422);
  });
});

describe('schemas API', () => {
  it('pages and filters subjects on the gateway', async () => {
    const first = (await restCall(restUrl, 'GET', '/ui/api/schemas/subjects?filter=BROWSER-&pageSize=5'))
      .body as SubjectPageAnswer;
    expect([first.total, first.pages, first.subjects.length]).toEqual([7, 2, 5]);
    const second = (await restCall(restUrl, 'GET', '/ui/api/schemas/subjects?filter=browser-&pageSize=5&page=2'))
      .body as SubjectPageAnswer;
    expect(second.subjects.map((s) => s.subject)).toEqual(['browser-extra-5-value', subject]);
    expect(second.subjects[1]).toMatchObject({ latestVersion: 2, schemaType: 'AVRO' });
  });

  it('diffs two versions line by line and checks a schema against the latest', async () => {
    const diff = (await restCall(restUrl, 'GET', `/ui/api/schemas/subjects/${subject}/diff?from=1&to=2`))
      .body as SchemaDiffAnswer;
    expect(diff.removed).toBe(0);
    expect(diff.lines.filter((l) => l.op === 'add').map((l) => l.text.trim())).toContain('"name": "note",');
    const check = async (schema: object) =>
      (
        await restCall(
          restUrl,
          'POST',
          `/ui/api/schemas/subjects/${subject}/compatibility`,
          {
            schema: JSON.stringify(schema),
          },
          { contentType: 'application/json' },
        )
      ).body as CompatibilityAnswer;
    expect(await check(orderV2)).toMatchObject({ is_compatible: true, compatibilityLevel: 'BACKWARD' });
    const breaking = await check(orderBreaking);
    expect(breaking.is_compatible).toBe(false);
    expect(breaking.messages.length).toBeGreaterThan(0);
    const missing = await restCall(restUrl, 'GET', '/ui/api/schemas/subjects/no-such-subject');
    expect(missing).toMatchObject({ status: 404, body: { error_code: 40401 } });
  });
});

describe('message browser page', () => {
  it('finds an Avro record by key (Enter in the key field) and shows the decoded value, its headers and the one partition read', async () => {
    const key = 'order-7';
    const partition = partitionOfKey.get(key);
    await page.goto(`${consoleUrl}#/messages/${topic}`);
    // The newest records of every partition first: all 24.
    await waitFor(async () => (await page.locator('table[aria-label="Messages"] tbody tr').count()) === recordCount, {
      what: 'the newest records',
    });
    await page.getByTestId('key').fill(key);
    await page.getByTestId('key').press('Enter');
    await page.getByTestId('key-partition').waitFor();
    expect(await page.getByTestId('key-partition').textContent()).toContain(`partition ${partition} only`);
    const row = page.getByTestId(`record-${partition}-${offsetOfKey.get(key)}`);
    await row.waitFor();
    expect(await page.locator('table[aria-label="Messages"] tbody tr').count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Avro · schema');
    expect(text).toContain('"item": "book-7"');
    expect(text).toContain('trace-7');
    expect(page.url()).toContain(`key=${key}`);
    await screenshot(page, 'messages-by-key');
  });

  it('exports the shown records as a JSON lines download', async () => {
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${topic}-messages.jsonl`);
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      {
        topic,
        partition: partitionOfKey.get('order-7'),
        offset: offsetOfKey.get('order-7'),
        timestamp: baseTimestamp + 7000,
        key: { format: 'text', value: 'order-7' },
        value: { format: 'avro', schemaId: expect.any(Number), value: { id: 7, item: 'book-7' } },
        headers: [
          { key: 'source', value: 'console-e2e', encoding: 'text' },
          { key: 'trace', value: 'trace-7', encoding: 'text' },
        ],
      },
    ]);
  });

  it('reads from a time picked in the page: every partition from its first record at or after it', async () => {
    await page.goto(`${consoleUrl}#/messages/${topic}`);
    await page.getByTestId('start').selectOption('timestamp');
    const local = await page.evaluate(
      (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19),
      baseTimestamp + 20_000,
    );
    await page.getByTestId('timestamp').fill(local);
    await page.getByTestId('read').click();
    await waitFor(() => page.url().includes(`timestamp=${baseTimestamp + 20_000}`), { what: 'the read in the URL' });
    await waitFor(async () => (await page.locator('table[aria-label="Messages"] tbody tr').count()) === 4, {
      what: 'the four records from the time on',
    });
    await page.getByTestId('scan-summary').waitFor();
    await screenshot(page, 'messages-by-time');
    expect(problems).toEqual([]);
  });
});

describe('schemas pages', () => {
  it('lists subjects paged on the gateway, and the next page holds the rest', async () => {
    await page.goto(`${consoleUrl}#/schemas?filter=browser-&pageSize=5`);
    await waitFor(async () => (await page.getByTestId('page-info').textContent()) === 'Page 1 of 2', {
      what: 'page 1 of 2',
    });
    expect(await page.getByTestId('subject-row').count()).toBe(5);
    await screenshot(page, 'schemas');
    await page.getByTestId('next-page').click();
    await waitFor(async () => (await page.getByTestId('page-info').textContent()) === 'Page 2 of 2', {
      what: 'page 2 of 2',
    });
    expect(await page.getByTestId('subject-row').allTextContents()).toEqual([
      expect.stringContaining('browser-extra-5-value'),
      expect.stringContaining(subject),
    ]);
  });

  it("shows a subject's diff between versions and the registry's compatibility verdict on a pasted schema", async () => {
    await page.getByRole('link', { name: subject }).click();
    await page.getByTestId('compatibility-level').waitFor();
    expect(await page.getByTestId('compatibility-level').textContent()).toBe('BACKWARD');
    await page.getByTestId('compare').click();
    await page.getByTestId('diff').waitFor();
    const added = await page.locator('[data-testid="diff"] tr.add').allTextContents();
    expect(added.join('\n')).toContain('"name": "note"');
    expect(await page.locator('[data-testid="diff"] tr.remove').count()).toBe(0);

    await page.getByTestId('compat-schema').fill(JSON.stringify(orderBreaking, null, 2));
    await page.getByTestId('check-compatibility').click();
    await page.getByTestId('compat-result').waitFor();
    expect(await page.getByTestId('compat-result').textContent()).toContain('Not compatible with the latest version');
    await screenshot(page, 'schema-subject');

    await page.getByTestId('compat-schema').fill(JSON.stringify(orderV2));
    await page.getByTestId('check-compatibility').click();
    await waitFor(async () => (await page.getByTestId('compat-result').textContent())?.startsWith('Compatible'), {
      what: 'the compatible verdict',
    });
    expect(problems).toEqual([]);
  });
});
