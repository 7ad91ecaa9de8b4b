/**
 * The Avro resolution rules one by one: each case names the rule, and the
 * expected change types and paths are what a registry's verbose answer
 * shows. The differential test (avro-compat-python.test.ts) covers the
 * combinations.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { checkAvroCompatibility } from '../src/registry/compat/avro-compat.ts';

const rec = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name,
  fields,
  ...extra,
});
const f = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });
const found = (reader: unknown, writer: unknown) =>
  checkAvroCompatibility(reader, writer).map((p) => `${p.type} ${p.path}`);

describe('Avro reader/writer compatibility', () => {
  it('allows the promotions and only those', () => {
    const allowed: [string, string][] = [
      ['long', 'int'],
      ['float', 'int'],
      ['double', 'int'],
      ['float', 'long'],
      ['double', 'long'],
      ['double', 'float'],
      ['string', 'bytes'],
      ['bytes', 'string'],
    ];
    for (const [reader, writer] of allowed) expect(found(reader, writer), `${reader} reads ${writer}`).toEqual([]);
    for (const [reader, writer] of [
      ['int', 'long'],
      ['long', 'float'],
      ['float', 'double'],
      ['int', 'string'],
      ['boolean', 'null'],
    ]) {
      expect(found(reader, writer), `${reader} must not read ${writer}`).toEqual(['TYPE_MISMATCH /']);
    }
  });

  it('needs a default for a reader field the writer lacks, and skips writer fields the reader lacks', () => {
    const writer = rec('R', [f('a', 'int'), f('gone', 'string')]);
    expect(found(rec('R', [f('a', 'int'), f('b', 'string')]), writer)).toEqual([
      'READER_FIELD_MISSING_DEFAULT_VALUE /fields/1',
    ]);
    expect(found(rec('R', [f('a', 'int'), f('b', 'string', { default: 'x' })]), writer)).toEqual([]);
    // A null default is a default (absent and null differ).
    expect(found(rec('R', [f('a', 'int'), f('b', ['null', 'string'], { default: null })]), writer)).toEqual([]);
  });

  it('matches fields by name or by a reader field alias, and reports the field type path', () => {
    const writer = rec('R', [f('old', 'long')]);
    expect(found(rec('R', [f('new', 'long', { aliases: ['old'] })]), writer)).toEqual([]);
    expect(found(rec('R', [f('old', 'int')]), writer)).toEqual(['TYPE_MISMATCH /fields/0/type']);
  });

  it('matches records by unqualified name or a reader alias of the full name', () => {
    expect(found(rec('A', []), rec('B', []))).toEqual(['NAME_MISMATCH /name']);
    expect(found(rec('A', [], { aliases: ['B'] }), rec('B', []))).toEqual([]);
    expect(found(rec('n1.A', []), rec('n2.A', []))).toEqual([]);
    // An alias without a dot is relative to the namespace of the type it is on.
    expect(found(rec('n1.A', [], { aliases: ['B'] }), rec('n1.B', []))).toEqual([]);
    expect(found(rec('n1.A', [], { aliases: ['B'] }), rec('n2.B', []))).toEqual(['NAME_MISMATCH /name']);
  });

  it('needs every writer enum symbol unless the reader has a default symbol', () => {
    const e = (symbols: string[], extra: Record<string, unknown> = {}) => ({
      type: 'enum',
      name: 'E',
      symbols,
      ...extra,
    });
    expect(found(e(['A', 'B', 'C']), e(['A', 'B']))).toEqual([]);
    expect(found(e(['A']), e(['A', 'B']))).toEqual(['MISSING_ENUM_SYMBOLS /symbols']);
    expect(found(e(['A'], { default: 'A' }), e(['A', 'B']))).toEqual([]);
    expect(found({ ...e(['A']), name: 'F' }, e(['A']))).toEqual(['NAME_MISMATCH /name']);
  });

  it('needs fixed of the same name and size', () => {
    expect(found({ type: 'fixed', name: 'X', size: 4 }, { type: 'fixed', name: 'X', size: 8 })).toEqual([
      'FIXED_SIZE_MISMATCH /size',
    ]);
    expect(found({ type: 'fixed', name: 'X', size: 4 }, { type: 'fixed', name: 'X', size: 4 })).toEqual([]);
  });

  it('resolves arrays by items and maps by values', () => {
    expect(found({ type: 'array', items: 'long' }, { type: 'array', items: 'int' })).toEqual([]);
    expect(found({ type: 'array', items: 'int' }, { type: 'array', items: 'long' })).toEqual(['TYPE_MISMATCH /items']);
    expect(found({ type: 'map', values: 'int' }, { type: 'map', values: 'string' })).toEqual(['TYPE_MISMATCH /values']);
    expect(found({ type: 'map', values: 'int' }, { type: 'array', items: 'int' })).toEqual(['TYPE_MISMATCH /']);
  });

  it('resolves unions branch by branch', () => {
    // Every writer branch must be read by some reader branch.
    expect(found(['null', 'string'], ['string', 'null'])).toEqual([]);
    expect(found(['null', 'string'], ['null', 'int'])).toEqual(['MISSING_UNION_BRANCH /1']);
    // A plain writer into a reader union (with promotion).
    expect(found(['null', 'double'], 'int')).toEqual([]);
    expect(found(['null', 'string'], 'int')).toEqual(['MISSING_UNION_BRANCH /']);
    // A writer union into a plain reader: every branch must resolve.
    expect(found('long', ['int', 'long'])).toEqual([]);
    expect(found('long', ['null', 'long'])).toEqual(['TYPE_MISMATCH /']);
  });

  it('terminates on recursive types and still finds problems inside them', () => {
    const list = (valueType: string) =>
      rec('Node', [f('value', valueType), f('next', ['null', 'Node'], { default: null })]);
    expect(found(list('long'), list('int'))).toEqual([]);
    expect(found(list('int'), list('long'))).toEqual(['TYPE_MISMATCH /fields/0/type']);
  });

  it('accepts avsc types as well as JSON schemas', () => {
    const reader = avro.Type.forSchema(rec('R', [f('a', 'long')]) as avro.Schema);
    expect(checkAvroCompatibility(reader, rec('R', [f('a', 'int')]))).toEqual([]);
  });
});
