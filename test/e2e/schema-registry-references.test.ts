/**
 * Schema references on a real `runnel dev`: an Avro schema naming a type
 * registered under another subject parses only with the reference (its
 * schema is parsed first), and answers carry the references.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

describe('Avro references across subjects', () => {
  let dev: DevProcess;
  let base: string;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'registry ready' });
  });

  afterAll(async () => {
    await dev?.kill('SIGKILL');
  });

  async function post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  it('a schema naming a type from another subject is invalid without the reference and accepted with it', async () => {
    const address = '{"type":"record","name":"Address","namespace":"lab","fields":[{"name":"city","type":"string"}]}';
    const customer =
      '{"type":"record","name":"Customer","namespace":"lab","fields":[{"name":"home","type":"lab.Address"}]}';
    expect(await post('/subjects/address/versions', { schema: address })).toEqual({ id: 1 });
    expect(await post('/subjects/customer-value/versions', { schema: customer })).toMatchObject({ error_code: 42201 });
    const references = [{ name: 'lab.Address', subject: 'address', version: 1 }];
    expect(await post('/subjects/customer-value/versions', { schema: customer, references })).toEqual({ id: 2 });
    // Stored as Java Avro prints it: the referenced type named relative to the enclosing namespace.
    const stored = '{"type":"record","name":"Customer","namespace":"lab","fields":[{"name":"home","type":"Address"}]}';
    expect(await (await fetch(`${base}/subjects/customer-value/versions/1`)).json()).toEqual({
      subject: 'customer-value',
      version: 1,
      id: 2,
      references,
      schema: stored,
    });
    expect(await (await fetch(`${base}/schemas/ids/2`)).json()).toEqual({ references, schema: stored });
    // A reference to a version that does not exist is an invalid schema too.
    const missing = [{ name: 'lab.Address', subject: 'address', version: 5 }];
    expect(await post('/subjects/customer-value/versions', { schema: customer, references: missing })).toMatchObject({
      error_code: 42201,
    });
  });

  it('referencedby names the referrer; the referenced version cannot be deleted (42206) until the referrer goes', async () => {
    const referencedBy = async () => (await fetch(`${base}/subjects/address/versions/1/referencedby`)).json();
    expect(await referencedBy()).toEqual([2]);
    const refused = await fetch(`${base}/subjects/address/versions/1`, { method: 'DELETE' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({
      error_code: 42206,
      message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    });
    expect((await fetch(`${base}/subjects/customer-value`, { method: 'DELETE' })).status).toBe(200);
    expect(await referencedBy()).toEqual([]);
    expect(await (await fetch(`${base}/subjects/address/versions/1`, { method: 'DELETE' })).json()).toBe(1);
  });
});
