/**
 * Compatibility on a real `runnel dev` registry, driven with fetch as the
 * course lab does with curl: a compatible evolution is accepted, an
 * incompatible one is refused with 409 and Confluent's message, the
 * compatibility resource explains why (verbose), and changing the level
 * changes the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = 'application/vnd.schemaregistry.v1+json';
const record = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'Payment', namespace: 'lab', fields });
const v1 = record([{ name: 'id', type: 'string' }]);
const v2 = record([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'double', default: 0 },
]);
// A new field with no default: the new schema cannot read data written with v1 or v2.
const required = record([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'double', default: 0 },
  { name: 'currency', type: 'string' },
]);

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method: path.startsWith('/config') ? 'PUT' : 'POST',
    headers: { 'content-type': registryType },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('Schema Registry compatibility through runnel dev', () => {
  let dev: DevProcess;
  let base: string;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'registry ready' });
  });

  afterAll(async () => {
    await dev.kill('SIGKILL');
  });

  it('accepts a compatible evolution and refuses an incompatible one with 409 under BACKWARD', async () => {
    expect(await post(base, '/subjects/payments-value/versions', { schema: v1 })).toEqual({
      status: 200,
      body: { id: 1 },
    });
    expect(await post(base, '/subjects/payments-value/versions', { schema: v2 })).toEqual({
      status: 200,
      body: { id: 2 },
    });
    const refused = await post(base, '/subjects/payments-value/versions', { schema: required });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error_code: 409,
      message: expect.stringMatching(
        /^Schema being registered is incompatible with an earlier schema for subject "payments-value", details: \[\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'/,
      ),
    });
  });

  it('the compatibility resource answers is_compatible, with the reasons when verbose', async () => {
    const path = '/compatibility/subjects/payments-value/versions/latest';
    expect(await post(base, path, { schema: required })).toEqual({ status: 200, body: { is_compatible: false } });
    const verbose = await post(base, `${path}?verbose=true`, { schema: required });
    expect(verbose).toEqual({
      status: 200,
      body: {
        is_compatible: false,
        messages: [
          "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'At path '/fields/2': reader field 'currency' has no default value and is missing from the writer', additionalInfo:'currency'}",
          '{oldSchemaVersion: 2}',
          `{oldSchema: '${v2}'}`,
          "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
      },
    });
    expect(await post(base, `${path}?verbose=true`, { schema: v2 })).toEqual({
      status: 200,
      body: { is_compatible: true, messages: [] },
    });
    expect((await post(base, '/compatibility/subjects/payments-value/versions/9', { schema: v2 })).body).toMatchObject({
      error_code: 40402,
    });
  });

  it('under FORWARD the same change is accepted (the old schema ignores the new field); NONE accepts anything', async () => {
    expect((await post(base, '/config/payments-value', { compatibility: 'FORWARD' })).body).toEqual({
      compatibility: 'FORWARD',
    });
    expect(await post(base, '/subjects/payments-value/versions', { schema: required })).toEqual({
      status: 200,
      body: { id: 3 },
    });
    const unrelated = JSON.stringify({ type: 'record', name: 'Other', fields: [] });
    expect((await post(base, '/subjects/payments-value/versions', { schema: unrelated })).status).toBe(409);
    expect((await post(base, '/config/payments-value', { compatibility: 'NONE' })).body).toEqual({
      compatibility: 'NONE',
    });
    expect(await post(base, '/subjects/payments-value/versions', { schema: unrelated })).toEqual({
      status: 200,
      body: { id: 4 },
    });
  });
});
