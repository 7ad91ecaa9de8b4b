/**
 * Data contracts and `normalize` on a real `runnel dev` (its in-process
 * gateway), driven with fetch: a subject config's default and override
 * metadata and rule set are merged into a registration, a next version
 * without its own contract inherits the latest one, the same text with
 * other metadata is a new version, the records in `_schemas` carry the
 * merged contract (a fresh `runnel gateway` reading the topic answers the
 * same), and `normalize=true` makes two JSON key orders one schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { registryCall } from '../harness/registry-http.ts';
import { waitFor } from '../harness/wait.ts';

const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] });
const v2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
const rule = (name: string, expr: string) => ({ name, kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr });

async function ready(base: string): Promise<void> {
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: `${base} ready` });
}

describe('data contracts through runnel dev', () => {
  let dev: DevProcess;
  let base: string;
  let fresh: GatewayProcess | undefined;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await ready(base);
  });

  afterAll(async () => {
    await fresh?.kill('SIGKILL');
    await dev.kill('SIGKILL');
  });

  it('merges the config`s defaults and overrides, inherits the latest contract, and identifies by it', async () => {
    const config = await registryCall(base, 'PUT', '/config/orders-value', {
      defaultMetadata: { properties: { owner: 'platform', tier: 'gold' } },
      overrideMetadata: { properties: { region: 'eu' } },
      overrideRuleSet: { domainRules: [rule('idPositive', 'message.id > 0')] },
    });
    expect(config.status).toBe(200);

    const first = await registryCall(base, 'POST', '/subjects/orders-value/versions', {
      schema: v1,
      metadata: { properties: { owner: 'orders-team' } },
    });
    expect(first.status).toBe(200);
    const latest = await registryCall(base, 'GET', '/subjects/orders-value/versions/latest');
    expect(latest.body).toMatchObject({
      version: 1,
      metadata: { properties: { owner: 'orders-team', region: 'eu', tier: 'gold' } },
      ruleSet: { domainRules: [rule('idPositive', 'message.id > 0')] },
    });

    // No contract in the request: the new version inherits version 1's.
    const second = await registryCall(base, 'POST', '/subjects/orders-value/versions', { schema: v2 });
    expect(second.status).toBe(200);
    const v2Answer = await registryCall(base, 'GET', '/subjects/orders-value/versions/2');
    expect((v2Answer.body as { metadata: unknown }).metadata).toEqual({
      properties: { owner: 'orders-team', region: 'eu', tier: 'gold' },
    });

    // The same text again is version 2 (same inherited contract); with other metadata it is a new version and id.
    expect((await registryCall(base, 'POST', '/subjects/orders-value/versions', { schema: v2 })).body).toEqual(
      second.body,
    );
    const third = await registryCall(base, 'POST', '/subjects/orders-value/versions', {
      schema: v2,
      metadata: { properties: { owner: 'billing' } },
    });
    expect(third.body).not.toEqual(second.body);
    expect((await registryCall(base, 'GET', '/subjects/orders-value/versions')).body).toEqual([1, 2, 3]);

    // A lookup without a contract finds the version a registration would have given (the latest's contract).
    const lookup = await registryCall(base, 'POST', '/subjects/orders-value', { schema: v2 });
    expect(lookup.body).toMatchObject({ version: 3 });
  });

  it('normalize=true makes two key orders of a JSON Schema one schema', async () => {
    const a = { type: 'object', properties: { id: { type: 'integer' } } };
    const b = { properties: { id: { type: 'integer' } }, type: 'object' };
    const path = '/subjects/json-normalized/versions?normalize=true';
    const first = await registryCall(base, 'POST', path, { schemaType: 'JSON', schema: JSON.stringify(a) });
    expect(first.status).toBe(200);
    expect((await registryCall(base, 'POST', path, { schemaType: 'JSON', schema: JSON.stringify(b) })).body).toEqual(
      first.body,
    );
    const stored = await registryCall(base, 'GET', '/subjects/json-normalized/versions/1/schema');
    expect(stored.body).toEqual(b);
  });

  it('a fresh gateway reading _schemas answers the merged contracts the same', async () => {
    fresh = await GatewayProcess.start(dev.bootstrap);
    await ready(fresh.url);
    for (const version of [1, 2, 3]) {
      const path = `/subjects/orders-value/versions/${version}`;
      expect((await registryCall(fresh.url, 'GET', path)).body).toEqual((await registryCall(base, 'GET', path)).body);
    }
  });
});
