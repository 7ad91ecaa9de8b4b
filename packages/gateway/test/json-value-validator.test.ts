import { describe, expect, it } from 'vitest';
import { jsonValueValidator, resolveJsonSchema } from '../src/registry/formats/json-schema.ts';

const validator = (schema: object, referenced: { name: string; schema: string }[] = []) =>
  jsonValueValidator(resolveJsonSchema(JSON.stringify(schema), referenced));

describe('jsonValueValidator (the REST Proxy’s jsonschema values)', () => {
  it('null for a value that fits; otherwise what does not, naming the value’s path', () => {
    const validate = validator({
      type: 'object',
      properties: { qty: { type: 'integer', minimum: 1 } },
      required: ['qty'],
    });
    expect(validate({ qty: 2 })).toBeNull();
    expect(validate({})).toContain("must have required property 'qty'");
    expect(validate({ qty: 0 })).toContain('value/qty must be >= 1');
  });

  it('follows a $ref into a referenced schema', () => {
    const validate = validator({ type: 'object', properties: { address: { $ref: 'address.json' } } }, [
      { name: 'address.json', schema: JSON.stringify({ type: 'object', required: ['street'] }) },
    ]);
    expect(validate({ address: { street: 'Main' } })).toBeNull();
    expect(validate({ address: {} })).toContain("must have required property 'street'");
  });

  it('reads the schema’s own draft (draft-04: exclusiveMinimum is a boolean)', () => {
    const validate = validator({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
    });
    expect(validate(1)).toBeNull();
    expect(validate(0)).not.toBeNull();
  });

  it('keeps schemas apart: two validators for different schemas with the same $id each check their own', () => {
    const a = validator({ $id: 'https://example.com/s.json', type: 'string' });
    const b = validator({ $id: 'https://example.com/s.json', type: 'integer' });
    expect([a('x'), b(1)]).toEqual([null, null]);
    expect([a(1), b('x')].every((problem) => problem !== null)).toBe(true);
  });
});
