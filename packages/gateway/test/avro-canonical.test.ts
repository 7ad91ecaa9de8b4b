/**
 * The Avro texts the registry stores: Java Avro's Schema.toString() form
 * (what Confluent stores for every registration) and Confluent's
 * normalized form. Expected strings are written from the rules in
 * src/registry/README.md ("Facts: Avro canonical text"), one rule per case.
 */
import { describe, expect, it } from 'vitest';
import { avroCanonicalForm, avroNormalizedForm, javaDouble } from '../src/registry/avro-canonical.ts';

describe('canonical form (Java Schema.toString())', () => {
  it('orders a record`s attributes type, name, namespace, doc, fields, other properties, aliases', () => {
    const input =
      '{"fields":[],"aliases":["Old"],"x-owner":"a","doc":"d","namespace":"lab","name":"U","type":"record"}';
    expect(avroCanonicalForm(input, [])).toBe(
      '{"type":"record","name":"U","namespace":"lab","doc":"d","fields":[],"x-owner":"a","aliases":["Old"]}',
    );
  });

  it('orders a field`s attributes name, type, doc, default, order (when not ascending), aliases, properties', () => {
    const field = '{"p":1,"aliases":["b"],"order":"descending","default":1,"doc":"x","type":"int","name":"a"}';
    expect(avroCanonicalForm(`{"type":"record","name":"R","fields":[${field}]}`, [])).toBe(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int","doc":"x","default":1,"order":"descending","aliases":["b"],"p":1}]}',
    );
    const ascending = '{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"ascending"}]}';
    expect(avroCanonicalForm(ascending, [])).toBe('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}');
  });

  it('prints a primitive without properties as a bare name, and keeps logical types as properties', () => {
    expect(avroCanonicalForm('{"type":"string"}', [])).toBe('"string"');
    expect(avroCanonicalForm('{"logicalType":"date","type":"int"}', [])).toBe('{"type":"int","logicalType":"date"}');
  });

  it('writes a namespace only where it differs from the enclosing one, and "" to leave one', () => {
    const nested = {
      type: 'record',
      name: 'A',
      namespace: 'x',
      fields: [
        { name: 'same', type: { type: 'enum', name: 'E', symbols: ['S'] } },
        { name: 'other', type: { type: 'fixed', name: 'y.F', size: 2 } },
        { name: 'none', type: { type: 'record', name: 'N', namespace: '', fields: [] } },
      ],
    };
    expect(avroCanonicalForm(JSON.stringify(nested), [])).toBe(
      '{"type":"record","name":"A","namespace":"x","fields":[' +
        '{"name":"same","type":{"type":"enum","name":"E","symbols":["S"]}},' +
        '{"name":"other","type":{"type":"fixed","name":"F","namespace":"y","size":2}},' +
        '{"name":"none","type":{"type":"record","name":"N","namespace":"","fields":[]}}]}',
    );
  });

  it('names an already defined type relative to the enclosing namespace; a reference`s type likewise', () => {
    const again =
      '{"type":"record","name":"A","namespace":"x","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":1}},{"name":"g","type":"x.F"}]}';
    expect(avroCanonicalForm(again, [])).toBe(
      '{"type":"record","name":"A","namespace":"x","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":1}},{"name":"g","type":"F"}]}',
    );
    const address = '{"type":"record","name":"Address","namespace":"lab","fields":[]}';
    const customer = '{"type":"record","name":"C","namespace":"other","fields":[{"name":"home","type":"lab.Address"}]}';
    expect(avroCanonicalForm(customer, [address])).toBe(
      '{"type":"record","name":"C","namespace":"other","fields":[{"name":"home","type":"lab.Address"}]}',
    );
  });

  it('prints numbers as Jackson does: integers as written, doubles with a fraction or Java exponent', () => {
    const fields = [
      '{"name":"a","type":"double","default":0.0}',
      '{"name":"b","type":"double","default":1e3}',
      '{"name":"c","type":"double","default":12345678.5}',
      '{"name":"d","type":"long","default":9007199254740993}',
    ];
    expect(avroCanonicalForm(`{"type":"record","name":"R","fields":[${fields.join(',')}]}`, [])).toBe(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":0.0},{"name":"b","type":"double","default":1000.0},{"name":"c","type":"double","default":1.23456785E7},{"name":"d","type":"long","default":9007199254740993}]}',
    );
    expect([javaDouble(0.001), javaDouble(1e-4), javaDouble(-2), javaDouble(1e21)]).toEqual([
      '0.001',
      '1.0E-4',
      '-2.0',
      '1.0E21',
    ]);
  });

  it('escapes control characters with upper-case hex', () => {
    expect(avroCanonicalForm('{"type":"enum","name":"E","symbols":["A"],"doc":"\\u001f"}', [])).toBe(
      '{"type":"enum","name":"E","doc":"\\u001F","symbols":["A"]}',
    );
  });
});

describe('normalized form (Confluent`s normalize)', () => {
  it('uses full names, name before type, every field`s order, sorted aliases and sorted properties', () => {
    const input = JSON.stringify({
      type: 'record',
      namespace: 'lab',
      name: 'U',
      doc: 'd',
      'z-prop': 1,
      'a-prop': 2,
      aliases: ['Z', 'B'],
      fields: [{ name: 'f', type: { type: 'enum', name: 'E', symbols: ['X'], default: 'X' }, aliases: ['y', 'x'] }],
    });
    expect(avroNormalizedForm(input, [])).toBe(
      '{"name":"lab.U","type":"record","fields":[{"name":"f","type":{"name":"lab.E","type":"enum","symbols":["X"],"default":"X"},"order":"ASCENDING","aliases":["x","y"]}],"doc":"d","aliases":["lab.B","lab.Z"],"a-prop":2,"z-prop":1}',
    );
  });

  it('prints a double default with a fraction whatever its source, and a reference`s type by full name', () => {
    const address = '{"type":"record","name":"Address","namespace":"lab","fields":[]}';
    const input =
      '{"type":"record","name":"C","namespace":"lab","fields":[{"name":"n","type":"double","default":1},{"name":"a","type":"Address"}]}';
    expect(avroNormalizedForm(input, [address])).toBe(
      '{"name":"lab.C","type":"record","fields":[{"name":"n","type":"double","order":"ASCENDING","default":1.0},{"name":"a","type":"lab.Address","order":"ASCENDING"}]}',
    );
  });

  it('writes a decimal`s logical attributes first (scale only when not 0), then other properties sorted', () => {
    expect(avroNormalizedForm('{"type":"bytes","scale":0,"precision":4,"logicalType":"decimal","b":1}', [])).toBe(
      '{"type":"bytes","logicalType":"decimal","precision":4,"b":1}',
    );
  });
});
