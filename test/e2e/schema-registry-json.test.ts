/**
 * JSON Schema on a real `runnel dev` registry, driven with fetch as the
 * course lab does with curl: an invalid schema is 42201, every answer
 * carrying a JSON schema says `schemaType: "JSON"`, an incompatible
 * evolution is refused with 409 and verbose messages naming the JSON
 * pointer and the change type, and a compatible one is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { registryCall } from '../harness/registry-http.ts';
import { waitFor } from '../harness/wait.ts';

const open = JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } });
// Adds a typed property to an open model: data written with `open` may already carry `amount` with any value.
const added = JSON.stringify({ type: 'object', properties: { id: { type: 'string' }, amount: { type: 'number' } } });

describe('JSON Schema through runnel dev', () => {
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

  it('refuses an invalid JSON Schema with 42201', async () => {
    const invalid = JSON.stringify({ type: 'object', properties: { id: { type: 'text' } } });
    expect(
      await registryCall(base, 'POST', '/subjects/bad-value/versions', { schemaType: 'JSON', schema: invalid }),
    ).toEqual({
      status: 422,
      body: { error_code: 42201, message: expect.stringMatching(/^Invalid schema: schema is invalid: /) },
    });
  });

  it('answers schemaType JSON wherever it returns the schema', async () => {
    const { body } = await registryCall(base, 'POST', '/subjects/payments-json-value/versions', {
      schemaType: 'JSON',
      schema: ` ${open}\n`,
    });
    const { id } = body as { id: number };
    const version = { subject: 'payments-json-value', version: 1, id, schemaType: 'JSON', schema: open };
    expect((await registryCall(base, 'GET', '/subjects/payments-json-value/versions/1')).body).toEqual(version);
    expect((await registryCall(base, 'GET', '/subjects/payments-json-value/versions/latest')).body).toEqual(version);
    expect((await registryCall(base, 'GET', `/schemas/ids/${id}`)).body).toEqual({ schemaType: 'JSON', schema: open });
    expect(
      (await registryCall(base, 'POST', '/subjects/payments-json-value', { schemaType: 'JSON', schema: open })).body,
    ).toEqual(version);
  });

  it('refuses an incompatible evolution with 409, naming the path and the change type', async () => {
    const refused = await registryCall(base, 'POST', '/subjects/payments-json-value/versions', {
      schemaType: 'JSON',
      schema: added,
    });
    expect(refused).toEqual({
      status: 409,
      body: {
        error_code: 409,
        message: expect.stringContaining(
          "details: [{errorType:'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', description:'At path '#/properties/amount': ",
        ),
      },
    });
    const verbose = await registryCall(
      base,
      'POST',
      '/compatibility/subjects/payments-json-value/versions/latest?verbose=true',
      {
        schemaType: 'JSON',
        schema: added,
      },
    );
    expect(verbose).toEqual({
      status: 200,
      body: {
        is_compatible: false,
        messages: [
          "{errorType:'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', description:'At path '#/properties/amount': the reader adds property 'amount', which the writer's open content model may have written with any value', additionalInfo:'amount'}",
          '{oldSchemaVersion: 1}',
          `{oldSchema: '${open}'}`,
          "{validateFields: 'false', compatibility: 'BACKWARD'}",
        ],
      },
    });
  });

  it('accepts the same change to a closed model, and under NONE', async () => {
    const closed = (properties: Record<string, unknown>) =>
      JSON.stringify({ type: 'object', properties, additionalProperties: false });
    const subject = '/subjects/refunds-json-value/versions';
    expect((await registryCall(base, 'POST', subject, { schemaType: 'JSON', schema: closed({ id: {} }) })).status).toBe(
      200,
    );
    const evolved = closed({ id: {}, amount: { type: 'number' } });
    expect((await registryCall(base, 'POST', subject, { schemaType: 'JSON', schema: evolved })).status).toBe(200);
    expect(await registryCall(base, 'PUT', '/config/payments-json-value', { compatibility: 'NONE' })).toEqual({
      status: 200,
      body: { compatibility: 'NONE' },
    });
    const accepted = await registryCall(base, 'POST', '/subjects/payments-json-value/versions', {
      schemaType: 'JSON',
      schema: added,
    });
    expect(accepted.status).toBe(200);
  });
});
