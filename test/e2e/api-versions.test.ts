/**
 * The ApiVersions table a real broker answers (in-process broker and
 * controller, raw requests on a socket): every API it serves reaches Kafka
 * 4.1's maximum and keeps at least Kafka's oldest version; every Kafka 4.1
 * API it does not serve is listed with the reason; the v0 answer (the form
 * old clients read) lists the same ranges; and docs/api-versions.md is the
 * page rendered from this answer (`UPDATE_GOLDEN=1` rewrites it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { advertisedApis, kafka41BrokerVersions, notServedApis } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderApiVersionsPage } from '../harness/api-versions-page.ts';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const page = join(import.meta.dirname, '..', '..', 'docs', 'api-versions.md');
let cluster: InProcessCluster;
let client: ProtocolClient;

beforeAll(async () => {
  cluster = await startInProcess();
  client = await ProtocolClient.connect(cluster.broker.port);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

async function served() {
  const answer = await client.request(18, 4, { clientSoftwareName: 'runnel-test', clientSoftwareVersion: '1' });
  expect(answer.errorCode).toBe(0);
  return answer.apiKeys;
}

function nameOf(apiKey: number): string {
  const row = advertisedApis.find((a) => a.apiKey === apiKey);
  if (row === undefined) throw new Error(`the broker answers key ${apiKey}, which the table does not list`);
  return row.name;
}

describe('ApiVersions against Kafka 4.1', () => {
  it('every served API reaches Kafka 4.1’s maximum and keeps at least its oldest version', async () => {
    const apis = await served();
    expect(apis.length).toBeGreaterThan(40);
    for (const api of apis) {
      const name = nameOf(api.apiKey);
      const kafka = kafka41BrokerVersions[name];
      expect(kafka, `${name} has no Kafka 4.1 reference range`).toBeDefined();
      expect(api.maxVersion, `${name} max`).toBe(kafka?.max);
      expect(api.minVersion, `${name} min`).toBeLessThanOrEqual(kafka?.min ?? -1);
    }
  });

  it('serves every API of the reference, and lists each Kafka 4.1 API it does not serve with the reason', async () => {
    const servedNames = new Set((await served()).map((a) => nameOf(a.apiKey)));
    expect([...servedNames].sort()).toEqual(Object.keys(kafka41BrokerVersions).sort());
    for (const missing of notServedApis) {
      expect(servedNames.has(missing.name), missing.name).toBe(false);
      expect(missing.why.length).toBeGreaterThan(10);
    }
  });

  it('answers the same ranges to ApiVersions v0, the form old clients read', async () => {
    const v0 = await client.request(18, 0, {});
    const v4 = await served();
    expect(v0.apiKeys).toEqual(v4);
  });

  it('docs/api-versions.md is the page rendered from this answer', async () => {
    const rendered = renderApiVersionsPage({
      served: await served(),
      table: advertisedApis,
      kafka: kafka41BrokerVersions,
      notServed: notServedApis,
    });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(page, rendered);
    expect(readFileSync(page, 'utf8')).toBe(rendered);
  });
});
