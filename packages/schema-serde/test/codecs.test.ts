import { describe, expect, it } from 'vitest';
import { compileSchema } from '../src/compiled-schema.ts';
import type { ResolvedSchema, Schema, SchemaType } from '../src/schema.ts';
import { SerdeError } from '../src/serde-error.ts';

function schema(schemaType: SchemaType, text: string): Schema {
  return { schemaType, schema: text, references: [] };
}

function alone(s: Schema): ResolvedSchema {
  return { schema: s, referenced: [] };
}

const address = JSON.stringify({
  type: 'record',
  name: 'Address',
  namespace: 'lab',
  fields: [{ name: 'city', type: 'string' }],
});
const customer = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'lab',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'home', type: 'lab.Address' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

describe('Avro codec', () => {
  const compiled = compileSchema({
    schema: { schemaType: 'AVRO', schema: customer, references: [{ name: 'lab.Address', subject: 'a', version: 1 }] },
    referenced: [{ name: 'lab.Address', schema: schema('AVRO', address) }],
  });
  const codec = compiled.codecFor(undefined);

  it('resolves a name defined by a referenced schema and round-trips binary', () => {
    const value = { id: 7, home: { city: 'Oslo' }, note: 'vip' };
    const payload = codec.encode(value);
    // Avro binary: zigzag long 7 = 14, string "Oslo" (len 4 -> 8), union branch 1 -> 2, "vip".
    expect([...payload.subarray(0, 2)]).toEqual([14, 8]);
    expect(codec.decode(payload)).toEqual(value);
    expect(compiled.messageIndexes()).toBeUndefined();
  });

  it("reads and prints Avro's JSON encoding, unions wrapped", () => {
    const value = codec.fromJson('{"id": 1, "home": {"city": "Rome"}, "note": {"string": "x"}}');
    expect(codec.toJson(codec.decode(codec.encode(value)))).toBe(
      '{"id":1,"home":{"city":"Rome"},"note":{"string":"x"}}',
    );
  });

  it('refuses a value the schema does not allow, naming the field', () => {
    expect(() => codec.encode({ id: 'seven', home: { city: 'Oslo' }, note: null })).toThrow(/id: "seven"/);
    expect(() => codec.fromJson('{"id": 1}')).toThrow(SerdeError);
  });

  it('refuses a schema whose referenced name is missing', () => {
    expect(() => compileSchema(alone(schema('AVRO', customer)))).toThrow(/not valid Avro/);
  });
});

describe('JSON Schema codec', () => {
  it('writes the value as JSON text and reads it back', () => {
    const codec = compileSchema(alone(schema('JSON', '{"type":"object"}'))).codecFor(undefined);
    const payload = codec.encode({ a: [1, 'b'] });
    expect(payload.toString()).toBe('{"a":[1,"b"]}');
    expect(codec.decode(payload)).toEqual({ a: [1, 'b'] });
    expect(() => codec.decode(Buffer.from('{'))).toThrow(SerdeError);
  });
});

const shapes = `syntax = "proto3";
package lab.shapes;
import "google/protobuf/timestamp.proto";
import "units.proto";
message Point { int64 x = 1; int64 y = 2; }
message Drawing {
  message Stroke { Point from = 1; Point to = 2; lab.units.Unit unit = 3; }
  message Layer { string name = 1; repeated Stroke strokes = 2; }
  Layer layer = 1;
  google.protobuf.Timestamp at = 2;
  bytes thumbnail = 3;
}`;
const units = `syntax = "proto3";
package lab.units;
enum Unit { UNIT_UNSPECIFIED = 0; MM = 1; }
message Ruler { Unit unit = 1; }`;

describe('Protobuf codec', () => {
  const compiled = compileSchema({
    schema: { schemaType: 'PROTOBUF', schema: shapes, references: [{ name: 'units.proto', subject: 'u', version: 1 }] },
    referenced: [{ name: 'units.proto', schema: schema('PROTOBUF', units) }],
  });

  it('numbers messages by declaration order in the schema file, nested ones by path', () => {
    expect(compiled.messageIndexes()).toEqual([0]);
    expect(compiled.messageIndexes('Drawing')).toEqual([1]);
    expect(compiled.messageIndexes('lab.shapes.Drawing.Layer')).toEqual([1, 1]);
    expect(compiled.messageIndexes('Stroke')).toEqual([1, 0]);
    expect(compiled.messageIndexes('Drawing.Stroke')).toEqual([1, 0]);
    // Ruler lives in the referenced file, so it has no index path in this one.
    expect(() => compiled.messageIndexes('Ruler')).toThrow(SerdeError);
  });

  it('round-trips a nested message with an imported enum, a well-known type and 64-bit ints via JSON', () => {
    const codec = compiled.codecFor([1, 0]);
    const stroke = codec.fromJson('{"from": {"x": "9007199254740993", "y": 2}, "unit": "MM"}');
    const decoded = codec.decode(codec.encode(stroke));
    expect(JSON.parse(codec.toJson(decoded))).toEqual({ from: { x: '9007199254740993', y: '2' }, unit: 'MM' });
  });

  it('encodes a plain object after checking it, and refuses unknown fields and wrong types', () => {
    const codec = compiled.codecFor([0]);
    expect(codec.decode(codec.encode({ x: 1, y: 2 }))).toMatchObject({ x: expect.anything() });
    expect(() => codec.fromJson('{"z": 1}')).toThrow(/no field z/);
    expect(() => codec.encode({ x: 'far' })).toThrow(/not valid for lab.shapes.Point/);
  });

  it('refuses indexes that name no message', () => {
    expect(() => compiled.codecFor([5])).toThrow(/name no message/);
    expect(() => compiled.codecFor([0, 0])).toThrow(/name no message/);
  });

  it('refuses an import that is neither a reference nor a well-known type', () => {
    expect(() => compileSchema(alone(schema('PROTOBUF', shapes)))).toThrow(/units.proto/);
  });
});
