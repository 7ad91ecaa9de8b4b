/**
 * Validation of submitted JSON Schemas: each draft by its `$schema`, the
 * draft-07 default, what is refused (the registry answers 42201 with the
 * message), references by name, and the stored (canonical) text.
 */
import { describe, expect, it } from 'vitest';
import { draftOf, parseJsonSchema } from '../src/registry/formats/json-schema.ts';
import type { ReferencedSchema } from '../src/registry/store-records.ts';

const parse = (schema: unknown, refs: ReferencedSchema[] = []) =>
  parseJsonSchema(typeof schema === 'string' ? schema : JSON.stringify(schema), refs);
const ok = (schema: unknown, refs: ReferencedSchema[] = []) => parse(schema, refs).ok;
const message = (schema: unknown, refs: ReferencedSchema[] = []) => {
  const parsed = parse(schema, refs);
  return parsed.ok ? 'valid' : parsed.message;
};

const DRAFT4 = 'http://json-schema.org/draft-04/schema#';
const DRAFT6 = 'http://json-schema.org/draft-06/schema#';
const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const D2019 = 'https://json-schema.org/draft/2019-09/schema';
const D2020 = 'https://json-schema.org/draft/2020-12/schema';

describe('JSON Schema validation', () => {
  it('picks the draft from $schema; none or an unknown one is draft-07', () => {
    expect([DRAFT4, DRAFT6, DRAFT7, D2019, D2020].map((uri) => draftOf({ $schema: uri }))).toEqual([
      'draft-04',
      'draft-06',
      'draft-07',
      '2019-09',
      '2020-12',
    ]);
    expect(draftOf({ type: 'string' })).toBe('draft-07');
    expect(draftOf({ $schema: 'https://example.com/my-dialect' })).toBe('draft-07');
    expect(draftOf(true)).toBe('draft-07');
  });

  it('accepts each draft`s own keywords and refuses another draft`s shape of them', () => {
    // exclusiveMaximum is a boolean in draft-04 and a number from draft-06 on.
    expect(ok({ $schema: DRAFT4, type: 'number', maximum: 5, exclusiveMaximum: true })).toBe(true);
    expect(ok({ $schema: DRAFT6, type: 'number', exclusiveMaximum: 5 })).toBe(true);
    expect(ok({ $schema: DRAFT4, type: 'number', exclusiveMaximum: 5 })).toBe(false);
    expect(ok({ type: 'number', maximum: 5, exclusiveMaximum: true })).toBe(false); // draft-07 by default
    // (if/then given as text: an object literal with a `then` key reads as a thenable to the linter.)
    expect(ok(`{"$schema":"${DRAFT7}","if":{"type":"string"},"then":{"minLength":1}}`)).toBe(true);
    expect(ok({ $schema: DRAFT7, type: 'string', minLength: -1 })).toBe(false);
    expect(ok({ $schema: D2019, type: 'object', dependentRequired: { a: ['b'] }, $defs: { x: true } })).toBe(true);
    expect(ok({ $schema: D2019, dependentRequired: { a: 'b' } })).toBe(false);
    expect(ok({ $schema: D2020, type: 'array', prefixItems: [{ type: 'string' }], items: false })).toBe(true);
    expect(ok({ $schema: D2020, prefixItems: { type: 'string' } })).toBe(false);
    // The same drafts under the other scheme (Confluent's clients accept http for 2020-12) or without the '#'.
    expect(ok({ $schema: 'http://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }] })).toBe(
      true,
    );
    expect(ok({ $schema: 'https://json-schema.org/draft-04/schema', exclusiveMaximum: true, maximum: 1 })).toBe(true);
  });

  it('refuses what is not a JSON Schema, with a message', () => {
    expect(message('{"type": ')).toMatch(/^Invalid schema: /);
    expect(message('"string"')).toBe('Invalid schema: a JSON Schema is an object or a boolean');
    expect(message({ type: 'record', name: 'A', fields: [] })).toMatch(
      /^Invalid schema: schema is invalid: data\/type/,
    );
    expect(message({ type: 'string', pattern: '(' })).toMatch(/^Invalid schema: Invalid regular expression/);
    expect(message({ properties: { a: { $ref: 'missing.json' } } })).toMatch(/can't resolve reference missing\.json/);
    expect(message({ type: 'object', required: 'a' })).toMatch(/^Invalid schema: schema is invalid/);
  });

  it('accepts booleans, unknown keywords (confluent:tags) and unknown formats', () => {
    expect(ok(true)).toBe(true);
    expect(ok(false)).toBe(true);
    expect(ok({ type: 'string', format: 'my-format', 'confluent:tags': ['PII'], 'x-owner': 'team' })).toBe(true);
    expect(ok({ $schema: 'https://example.com/my-dialect', type: 'string' })).toBe(true);
  });

  it('resolves $ref by the reference name, against the root $id when it has one', () => {
    const customer = { name: 'customer.json', schema: JSON.stringify({ type: 'object' }) };
    expect(ok({ properties: { c: { $ref: 'customer.json' } } }, [customer])).toBe(true);
    expect(
      ok({ $id: 'https://example.com/order.json', properties: { c: { $ref: 'customer.json' } } }, [customer]),
    ).toBe(true);
    const url = { name: 'https://example.com/schemas/customer.json', schema: JSON.stringify({ type: 'object' }) };
    expect(ok({ properties: { c: { $ref: 'https://example.com/schemas/customer.json#' } } }, [url])).toBe(true);
    // A referenced schema that is not a JSON Schema (here an Avro record) makes the schema invalid.
    const avro = { name: 'a.json', schema: JSON.stringify({ type: 'record', name: 'A', fields: [] }) };
    expect(message({ properties: { a: { $ref: 'a.json' } } }, [avro])).toMatch(/^Invalid schema: reference a\.json/);
  });

  it('stores the schema as JSON without insignificant whitespace, keys in the order given', () => {
    const parsed = parse('{ "type" : "object",\n  "properties": { "b": {"type": "string"}, "a": {} } }');
    expect(parsed.ok && parsed.schema).toBe('{"type":"object","properties":{"b":{"type":"string"},"a":{}}}');
  });
});
