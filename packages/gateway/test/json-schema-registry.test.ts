/**
 * JSON Schema through the registry's operations (over an in-memory store):
 * invalid schemas are 42201, layout does not change identity, references
 * to other subjects resolve by name (transitively), and an incompatible
 * schema is refused with 409 naming path and change type.
 */
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/registry/registry-error.ts';
import { parseSchemaRequest, RegistryService } from '../src/registry/registry-service.ts';
import { MemoryStore } from './memory-store.ts';

const json = (schema: unknown, references: unknown[] = []) =>
  parseSchemaRequest({ schemaType: 'JSON', schema: JSON.stringify(schema), references });

function setup() {
  const store = new MemoryStore();
  return { store, service: new RegistryService(store) };
}

async function failure(work: () => unknown): Promise<{ code: number; message: string }> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RegistryError) return { code: error.errorCode, message: error.message };
    throw error;
  }
  throw new Error('expected a RegistryError');
}

const address = { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false };
const customer = {
  type: 'object',
  properties: { name: { type: 'string' }, address: { $ref: 'address.json' } },
  additionalProperties: false,
};
const order = {
  $id: 'https://example.com/order.json',
  type: 'object',
  properties: { id: { type: 'integer' }, customer: { $ref: 'customer.json' } },
  additionalProperties: false,
};

describe('JSON Schema in the registry', () => {
  it('refuses an invalid JSON Schema with 42201 and the validator`s reason', async () => {
    const { service, store } = setup();
    expect(
      await failure(() => service.register('s', json({ type: 'object', properties: { a: { type: 7 } } }))),
    ).toEqual({ code: 42201, message: expect.stringMatching(/^Invalid schema: schema is invalid: /) });
    expect(store.written).toEqual([]);
  });

  it('stores the schema without insignificant whitespace; the same schema laid out otherwise is the same id', async () => {
    const { service, store } = setup();
    const text = '{\n  "type": "object",\n  "properties": { "a": { "type": "string" } }\n}';
    expect(await service.register('s', parseSchemaRequest({ schemaType: 'JSON', schema: text }))).toBe(1);
    expect(JSON.parse(store.written[0]?.value ?? '{}')).toMatchObject({
      schemaType: 'JSON',
      schema: '{"type":"object","properties":{"a":{"type":"string"}}}',
    });
    expect(await service.register('other', json(JSON.parse(text)))).toBe(1);
    expect(service.lookup('s', parseSchemaRequest({ schemaType: 'JSON', schema: ` ${text} ` }), false).version).toBe(1);
  });

  it('resolves references to other subjects by name, through the referenced schemas` own references', async () => {
    const { service, store } = setup();
    await service.register('address', json(address));
    await service.register('customer', json(customer, [{ name: 'address.json', subject: 'address', version: 1 }]));
    const refs = [{ name: 'customer.json', subject: 'customer', version: 1 }];
    expect(await service.register('order', json(order, refs))).toBe(3);
    expect(JSON.parse(store.written.at(-1)?.value ?? '{}').references).toEqual(refs);
    // Without the reference the $ref does not resolve: an invalid schema.
    expect((await failure(() => service.register('order2', json(order)))).code).toBe(42201);
    // A reference to a version that does not exist.
    const missing = [{ name: 'customer.json', subject: 'customer', version: 9 }];
    expect((await failure(() => service.register('order3', json(order, missing)))).message).toBe(
      'Invalid schema: reference customer.json (customer version 9) not found',
    );
  });

  it('a reference must name a JSON Schema: an Avro record under it is refused', async () => {
    const { service } = setup();
    await service.register('avro', parseSchemaRequest({ schema: '{"type":"record","name":"A","fields":[]}' }));
    const refs = [{ name: 'a.json', subject: 'avro', version: 1 }];
    const refused = await failure(() => service.register('j', json({ properties: { a: { $ref: 'a.json' } } }, refs)));
    expect(refused).toEqual({ code: 42201, message: expect.stringMatching(/^Invalid schema: reference a\.json/) });
  });

  it('refuses an incompatible JSON Schema with 409 under BACKWARD, naming path and change type', async () => {
    const { service } = setup();
    const open = { type: 'object', properties: { a: { type: 'string' } } };
    await service.register('s', json(open));
    const added = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } };
    const refused = await failure(() => service.register('s', json(added)));
    expect(refused.code).toBe(409);
    expect(refused.message).toContain(
      "{errorType:'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', description:'At path '#/properties/b': ",
    );
    expect(service.testCompatibility('s', json(added), 'latest').is_compatible).toBe(false);
    // Removing a property from an open model is backward compatible.
    expect(await service.register('s', json({ type: 'object', properties: {} }))).toBe(2);
  });

  it('checks a change inside a referenced schema when the reference moves to a new version', async () => {
    const { service } = setup();
    await service.setCompatibility(null, 'FORWARD');
    await service.register('customer', json({ ...customer, properties: { name: { type: 'string' } } }));
    const narrower = { ...customer, properties: { name: { type: 'string', maxLength: 3 } } };
    await service.setCompatibility('customer', 'NONE');
    await service.register('customer', json(narrower));
    const at = (version: number) => [{ name: 'customer.json', subject: 'customer', version }];
    await service.register('order', json(order, at(2)));
    // The order under FORWARD: the old order (customer v2: names of at most 3) cannot read customer v1's names.
    const verdict = service.testCompatibility('order', json(order, at(1)), 'all');
    expect(verdict.is_compatible).toBe(false);
    expect(verdict.messages[0]).toContain("errorType:'MAX_LENGTH_ADDED'");
    expect(verdict.messages[0]).toContain("'#/properties/customer/properties/name/maxLength'");
  });
});
