/**
 * `normalize` for JSON Schema and Protobuf through the registry's
 * operations (in-memory store, real reducer): schemas that differ only in
 * what normalization erases register as one schema, the normalized text
 * is what is stored, and it reads back (lookup, compatibility, a GET).
 * What each rule is and where it comes from: the registry README, "Facts:
 * JSON Schema and Protobuf normalize".
 */
import { describe, expect, it } from 'vitest';
import { parseSchemaRequest } from '../src/registry/registry-service.ts';
import { setup } from './memory-store.ts';

const json = (schema: unknown) => parseSchemaRequest({ schemaType: 'JSON', schema: JSON.stringify(schema) });
const proto = (schema: string, references: unknown[] = []) =>
  parseSchemaRequest({ schemaType: 'PROTOBUF', schema, references });

describe('JSON Schema normalize', () => {
  const a = { type: 'object', properties: { b: { type: 'string', maxLength: 3 }, a: { type: 'integer' } } };
  const reordered = { properties: { a: { type: 'integer' }, b: { maxLength: 3, type: 'string' } }, type: 'object' };

  it('stores the schema with every object`s keys sorted, at every depth; arrays keep their order', async () => {
    const { service } = setup();
    await service.register('s', json({ ...a, required: ['b', 'a'] }), { normalize: true });
    expect(service.version('s', 1, false).schema).toBe(
      '{"properties":{"a":{"type":"integer"},"b":{"maxLength":3,"type":"string"}},"required":["b","a"],"type":"object"}',
    );
  });

  it('two key orders are one schema with normalize, two versions without', async () => {
    const { service } = setup();
    const id = await service.register('n', json(a), { normalize: true });
    expect(await service.register('n', json(reordered), { normalize: true })).toBe(id);
    expect(service.versions('n', false)).toEqual([1]);
    expect(service.lookup('n', json(reordered), false, true).version).toBe(1);

    await service.register('raw', json(a));
    await service.register('raw', json(reordered));
    expect(service.versions('raw', false)).toEqual([1, 2]);
  });

  it('a config with normalize makes every registration normalize', async () => {
    const { service } = setup();
    await service.settings.setConfig('c', { normalize: true });
    const id = await service.register('c', json(a));
    expect(await service.register('c', json(reordered))).toBe(id);
  });
});

describe('Protobuf normalize', () => {
  const first = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
option java_package = "x.y";
option go_package = "x/y";
message Order {
  reserved 19, 14 to 15;
  reserved "zz", "aa";
  option deprecated = true;
  Status status = 3;
  oneof pick { string b = 8; string a = 7; }
  int64 id = 1 [json_name = "ident", deprecated = true];
  google.protobuf.Timestamp at = 2;
  map<string, Line> lines = 4;
  message Line { int32 qty = 1; }
}
enum Status { NEW = 0; DONE = 2; OPEN = 1; }
service Orders { rpc Get (Order) returns (Order); }
`;
  const second = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
option go_package = "x/y";
option java_package = "x.y";
message Order {
  option deprecated = true;
  reserved "aa", "zz";
  reserved 14 to 15, 19;
  int64 id = 1 [deprecated = true, json_name = "ident"];
  .google.protobuf.Timestamp at = 2;
  .shop.Status status = 3;
  map<string, Order.Line> lines = 4;
  oneof pick { string a = 7; string b = 8; }
  message Line { int32 qty = 1; }
}
enum Status { NEW = 0; OPEN = 1; DONE = 2; }
service Orders { rpc Get (.shop.Order) returns (shop.Order); }
`;

  it('orders fields, oneof members, enum values, options and reserved; writes types in full', async () => {
    const { service } = setup();
    await service.register('p', proto(first), { normalize: true });
    const stored = service.version('p', 1, false).schema;
    expect(stored).toContain('option go_package = "x/y";\noption java_package = "x.y";');
    expect(stored).toContain('  .google.protobuf.Timestamp at = 2;\n  .shop.Status status = 3;');
    expect(stored).toContain('map<string, .shop.Order.Line> lines = 4;');
    expect(stored).toContain('oneof pick {\n    string a = 7;\n    string b = 8;');
    expect(stored).toContain('int64 id = 1 [deprecated = true, json_name = "ident"];');
    expect(stored).toContain('reserved 14 to 15, 19;\n  reserved "aa", "zz";');
    expect(stored).toContain('NEW = 0;\n  OPEN = 1;\n  DONE = 2;');
    expect(stored).toContain('rpc Get (.shop.Order) returns (.shop.Order);');
    // Declaration order is kept: Confluent's message indexes count messages in file order.
    expect(stored.indexOf('message Order')).toBeLessThan(stored.indexOf('enum Status'));
  });

  it('two layouts of one schema are one schema with normalize, and the stored text reads back', async () => {
    const { service } = setup();
    const id = await service.register('p', proto(first), { normalize: true });
    expect(await service.register('p', proto(second), { normalize: true })).toBe(id);
    expect(service.lookup('p', proto(second), false, true).id).toBe(id);
    // The stored (normalized) text parses again: a compatible next version is checked against it and accepted.
    const next = second.replace('message Line {', 'string note = 10;\n  message Line {');
    expect(await service.register('p', proto(next), { normalize: true })).toBe(id + 1);
    expect(service.testCompatibility('p', proto(next), 1, true).is_compatible).toBe(true);
  });

  it('without normalize the two layouts are two versions', async () => {
    const { service } = setup();
    await service.register('p', proto(first));
    await service.register('p', proto(second));
    expect(service.versions('p', false)).toEqual([1, 2]);
  });
});
