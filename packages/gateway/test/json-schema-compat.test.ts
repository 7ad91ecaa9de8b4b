/**
 * The JSON Schema compatibility rules one by one: each case names the
 * rule, and the expected change types and paths are what the registry's
 * verbose answer shows. "reads" is reader/writer: BACKWARD asks whether
 * the new schema reads what the old one wrote.
 */
import { describe, expect, it } from 'vitest';
import { checkJsonSchemaCompatibility } from '../src/registry/compat/json-schema-compat.ts';
import { type JsonValue, resolveJsonSchema } from '../src/registry/formats/json-schema.ts';
import type { ReferencedSchema } from '../src/registry/store-records.ts';

const resolved = (schema: JsonValue, refs: ReferencedSchema[] = []) => resolveJsonSchema(JSON.stringify(schema), refs);
/** The problems as "TYPE path", reader first as in the checker's signature. */
const found = (reader: JsonValue, writer: JsonValue, readerRefs: ReferencedSchema[] = [], writerRefs = readerRefs) =>
  checkJsonSchemaCompatibility(resolved(reader, readerRefs), resolved(writer, writerRefs)).map(
    (p) => `${p.type} ${p.path}`,
  );

const object = (
  properties: Record<string, JsonValue>,
  extra: Record<string, JsonValue> = {},
): { [key: string]: JsonValue } => ({
  type: 'object',
  properties,
  ...extra,
});
const closed = (properties: Record<string, JsonValue>, extra: Record<string, JsonValue> = {}) =>
  object(properties, { additionalProperties: false, ...extra });
const str = { type: 'string' };
const int = { type: 'integer' };

describe('JSON Schema compatibility: content models', () => {
  it('open model: a property added is refused (the writer may have written it with any value), removed is fine', () => {
    expect(found(object({ a: str, b: int }), object({ a: str }))).toEqual([
      'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b',
    ]);
    expect(found(object({ a: str }), object({ a: str, b: int }))).toEqual([]);
    // An unconstrained property added to an open model reads whatever was written.
    expect(found(object({ a: str, b: {} }), object({ a: str }))).toEqual([]);
  });

  it('closed model: an optional property added is fine, a removed one is refused', () => {
    expect(found(closed({ a: str, b: int }), closed({ a: str }))).toEqual([]);
    expect(found(closed({ a: str }), closed({ a: str, b: int }))).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b',
    ]);
    // A property the writer could never write (false) may go.
    expect(found(closed({ a: str }), closed({ a: str, b: false }))).toEqual([]);
  });

  it('closed model: a required property added needs a default', () => {
    expect(found(closed({ a: str, b: int }, { required: ['b'] }), closed({ a: str }))).toEqual([
      'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/required/b',
    ]);
    expect(
      found(closed({ a: str, b: { type: 'integer', default: 0 } }, { required: ['b'] }), closed({ a: str })),
    ).toEqual([]);
  });

  it('partially open model: a property must be covered by the other side’s patternProperties or additional schema', () => {
    const partial = (properties: Record<string, JsonValue>) =>
      object(properties, { additionalProperties: false, patternProperties: { '^s_': str } });
    expect(found(partial({ s_name: str }), partial({}))).toEqual([]);
    expect(found(partial({ s_name: int }), partial({}))).toEqual([
      'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/s_name',
    ]);
    expect(found(partial({}), partial({ s_name: str }))).toEqual([]);
    expect(found(partial({}), partial({ s_count: int }))).toEqual([
      'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/s_count',
    ]);
    // A name no pattern matches falls to additionalProperties: false, a closed model.
    expect(found(partial({}), partial({ count: int }))).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/count',
    ]);
    const typedExtra = (properties: Record<string, JsonValue>) => object(properties, { additionalProperties: str });
    expect(found(typedExtra({}), typedExtra({ n: int }))).toEqual([
      'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/n',
    ]);
  });

  it('unevaluatedProperties: false closes a 2020-12 model like additionalProperties: false', () => {
    const schema = (properties: Record<string, JsonValue>) =>
      object(properties, { $schema: 'https://json-schema.org/draft/2020-12/schema', unevaluatedProperties: false });
    expect(found(schema({ a: str, b: int }), schema({ a: str }))).toEqual([]);
    expect(found(schema({ a: str }), schema({ a: str, b: int }))).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b',
    ]);
  });

  it('closing an open model or constraining its extra properties is refused; opening is fine', () => {
    expect(found(closed({ a: str }), object({ a: str }))).toEqual([
      'ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties',
    ]);
    expect(found(object({ a: str }, { additionalProperties: str }), object({ a: str }))).toEqual([
      'ADDITIONAL_PROPERTIES_NARROWED #/additionalProperties',
    ]);
    expect(found(object({ a: str }), closed({ a: str }))).toEqual([]);
  });
});

describe('JSON Schema compatibility: required, types, enums', () => {
  it('required: adding is refused unless the reader has a default; removing is fine', () => {
    expect(found(object({ a: str }, { required: ['a'] }), object({ a: str }))).toEqual([
      'REQUIRED_ATTRIBUTE_ADDED #/required/a',
    ]);
    expect(found(object({ a: { type: 'string', default: '' } }, { required: ['a'] }), object({ a: str }))).toEqual([]);
    expect(found(object({ a: str }), object({ a: str }, { required: ['a'] }))).toEqual([]);
  });

  it('types: integer widens to number; number narrows to integer; other changes are refused', () => {
    expect(found({ type: 'number' }, int)).toEqual([]);
    expect(found(int, { type: 'number' })).toEqual(['TYPE_NARROWED #/']);
    expect(found(str, int)).toEqual(['TYPE_CHANGED #/']);
    expect(found(object({ a: str }), object({ a: int }))).toEqual(['TYPE_CHANGED #/properties/a']);
    expect(found({ type: ['string', 'null'] }, str)).toEqual([]);
    expect(found({ type: ['string', 'null'] }, { type: ['string', 'null', 'integer'] })).toEqual([
      'SUM_TYPE_NARROWED #/',
    ]);
    expect(found(str, {})).toEqual(['TYPE_CHANGED #/']);
    expect(found({}, str)).toEqual([]);
    expect(found(true, str)).toEqual([]);
    expect(found(str, false)).toEqual([]);
    expect(found(false, str)).toEqual(['TYPE_CHANGED #/']);
  });

  it('enums: extending is fine, narrowing or changing is refused', () => {
    const e = (...values: string[]) => ({ type: 'string', enum: values });
    expect(found(e('a', 'b', 'c'), e('a', 'b'))).toEqual([]);
    expect(found(e('a'), e('a', 'b'))).toEqual(['ENUM_ARRAY_NARROWED #/enum']);
    expect(found(e('a', 'c'), e('a', 'b'))).toEqual(['ENUM_ARRAY_CHANGED #/enum']);
    expect(found(e('a'), str)).toEqual(['ENUM_ARRAY_NARROWED #/enum']);
    expect(found(str, e('a'))).toEqual([]);
    expect(found({ const: 'x' }, { const: 'y' })).toEqual(['ENUM_ARRAY_CHANGED #/const']);
  });
});

describe('JSON Schema compatibility: bounds', () => {
  it('string length and pattern: adding or tightening is refused, loosening is fine', () => {
    expect(found({ type: 'string', maxLength: 5 }, str)).toEqual(['MAX_LENGTH_ADDED #/maxLength']);
    expect(found({ type: 'string', maxLength: 5 }, { type: 'string', maxLength: 9 })).toEqual([
      'MAX_LENGTH_DECREASED #/maxLength',
    ]);
    expect(found({ type: 'string', maxLength: 9 }, { type: 'string', maxLength: 5 })).toEqual([]);
    expect(found({ type: 'string', minLength: 3 }, { type: 'string', minLength: 1 })).toEqual([
      'MIN_LENGTH_INCREASED #/minLength',
    ]);
    expect(found({ type: 'string', minLength: 1 }, str)).toEqual(['MIN_LENGTH_ADDED #/minLength']);
    expect(found({ type: 'string', pattern: '^a' }, str)).toEqual(['PATTERN_ADDED #/pattern']);
    expect(found({ type: 'string', pattern: '^a' }, { type: 'string', pattern: '^b' })).toEqual([
      'PATTERN_CHANGED #/pattern',
    ]);
    expect(found(str, { type: 'string', pattern: '^b' })).toEqual([]);
  });

  it('numbers: maximum, minimum, exclusive bounds (draft-04 booleans included) and multipleOf', () => {
    expect(found({ type: 'number', maximum: 5 }, { type: 'number', maximum: 10 })).toEqual([
      'MAXIMUM_DECREASED #/maximum',
    ]);
    expect(found({ type: 'number', minimum: 0 }, { type: 'number' })).toEqual(['MINIMUM_ADDED #/minimum']);
    expect(found({ type: 'number', minimum: 1 }, { type: 'number', minimum: 0 })).toEqual([
      'MINIMUM_INCREASED #/minimum',
    ]);
    expect(found({ type: 'number', exclusiveMaximum: 5 }, { type: 'number' })).toEqual([
      'EXCLUSIVE_MAXIMUM_ADDED #/exclusiveMaximum',
    ]);
    expect(found({ type: 'number', exclusiveMinimum: 2 }, { type: 'number', exclusiveMinimum: 1 })).toEqual([
      'EXCLUSIVE_MINIMUM_INCREASED #/exclusiveMinimum',
    ]);
    const draft4 = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'number' };
    expect(found({ ...draft4, maximum: 5, exclusiveMaximum: true }, { ...draft4, maximum: 5 })).toEqual([
      'EXCLUSIVE_MAXIMUM_ADDED #/exclusiveMaximum',
    ]);
    expect(found({ type: 'integer', multipleOf: 2 }, int)).toEqual(['MULTIPLE_OF_ADDED #/multipleOf']);
    expect(found({ type: 'integer', multipleOf: 4 }, { type: 'integer', multipleOf: 2 })).toEqual([
      'MULTIPLE_OF_EXPANDED #/multipleOf',
    ]);
    expect(found({ type: 'integer', multipleOf: 2 }, { type: 'integer', multipleOf: 4 })).toEqual([]);
    expect(found({ type: 'integer', multipleOf: 3 }, { type: 'integer', multipleOf: 2 })).toEqual([
      'MULTIPLE_OF_CHANGED #/multipleOf',
    ]);
  });

  it('objects and arrays: property and item counts, unique items', () => {
    expect(found(object({}, { maxProperties: 2 }), object({}))).toEqual(['MAX_PROPERTIES_ADDED #/maxProperties']);
    expect(found(object({}, { minProperties: 2 }), object({}, { minProperties: 1 }))).toEqual([
      'MIN_PROPERTIES_INCREASED #/minProperties',
    ]);
    const arr = (extra: Record<string, JsonValue>) => ({ type: 'array', items: str, ...extra });
    expect(found(arr({ maxItems: 2 }), arr({ maxItems: 3 }))).toEqual(['MAX_ITEMS_DECREASED #/maxItems']);
    expect(found(arr({ minItems: 1 }), arr({}))).toEqual(['MIN_ITEMS_ADDED #/minItems']);
    expect(found(arr({ uniqueItems: true }), arr({}))).toEqual(['UNIQUE_ITEMS_ADDED #/uniqueItems']);
    expect(found(arr({}), arr({ uniqueItems: true, minItems: 1, maxItems: 3 }))).toEqual([]);
  });

  it('dependencies: a dependency added or extended is refused', () => {
    expect(found(object({ a: str, b: str }, { dependencies: { a: ['b'] } }), object({ a: str, b: str }))).toEqual([
      'DEPENDENCY_ARRAY_ADDED #/dependencies/a',
    ]);
    expect(
      found(
        object({ a: str, b: str, c: str }, { dependentRequired: { a: ['b', 'c'] } }),
        object({ a: str, b: str, c: str }, { dependentRequired: { a: ['b'] } }),
      ),
    ).toEqual(['DEPENDENCY_ARRAY_EXTENDED #/dependentRequired/a']);
  });
});

describe('JSON Schema compatibility: arrays and tuples', () => {
  it('items: the item schema is compared', () => {
    expect(found({ type: 'array', items: { type: 'number' } }, { type: 'array', items: int })).toEqual([]);
    expect(found({ type: 'array', items: int }, { type: 'array', items: str })).toEqual(['TYPE_CHANGED #/items']);
  });

  it('tuples (draft-07 items array): items added to open or removed from closed models are refused', () => {
    const tuple = (items: JsonValue[], extra: Record<string, JsonValue> = {}) => ({ type: 'array', items, ...extra });
    expect(found(tuple([str, int]), tuple([str]))).toEqual(['ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/items/1']);
    expect(found(tuple([str, int], { additionalItems: false }), tuple([str], { additionalItems: false }))).toEqual([]);
    expect(found(tuple([str], { additionalItems: false }), tuple([str, int], { additionalItems: false }))).toEqual([
      'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1',
    ]);
    expect(found(tuple([str], { additionalItems: str }), tuple([str, int], { additionalItems: str }))).toEqual([
      'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1',
    ]);
    expect(found(tuple([str], { additionalItems: false }), tuple([str]))).toEqual([
      'ADDITIONAL_ITEMS_REMOVED #/additionalItems',
    ]);
    expect(found(tuple([str], { additionalItems: str }), tuple([str]))).toEqual([
      'ADDITIONAL_ITEMS_NARROWED #/additionalItems',
    ]);
  });

  it('tuples (2020-12 prefixItems with items as the rest)', () => {
    const tuple = (prefixItems: JsonValue[], items?: JsonValue) => ({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems,
      ...(items === undefined ? {} : { items }),
    });
    expect(found(tuple([str, int], false), tuple([str], false))).toEqual([]);
    expect(found(tuple([str], false), tuple([str, int], false))).toEqual([
      'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/prefixItems/1',
    ]);
    expect(found(tuple([str, int]), tuple([str]))).toEqual(['ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/prefixItems/1']);
  });
});

describe('JSON Schema compatibility: combined schemas and not', () => {
  it('oneOf/anyOf: branches added are fine, removed are refused; a single type may become a union', () => {
    expect(found({ oneOf: [str, int, { type: 'boolean' }] }, { oneOf: [str, int] })).toEqual([]);
    expect(found({ oneOf: [str] }, { oneOf: [str, int] })).toEqual(['SUM_TYPE_NARROWED #/']);
    expect(found({ anyOf: [str, int] }, str)).toEqual([]);
    expect(found(str, { anyOf: [str, int] })).toEqual(['TYPE_CHANGED #/']);
    expect(found({ oneOf: [str, { type: 'boolean' }] }, { oneOf: [str, int] })).toEqual([
      'COMBINED_TYPE_SUBSCHEMAS_CHANGED #/',
    ]);
  });

  it('allOf: conjuncts added are refused, removed are fine; changing the combinator is refused unless it widens', () => {
    const min = { minLength: 1 };
    expect(found({ allOf: [str, min, { maxLength: 9 }] }, { allOf: [str, min] })).toEqual(['PRODUCT_TYPE_EXTENDED #/']);
    expect(found({ allOf: [str] }, { allOf: [str, min] })).toEqual([]);
    expect(found(str, { allOf: [str, min] })).toEqual([]);
    expect(found({ anyOf: [str, int] }, { oneOf: [str, int] })).toEqual([]);
    expect(found({ allOf: [str, int] }, { oneOf: [str, int] })).toEqual(['COMBINED_TYPE_CHANGED #/']);
  });

  it('not: the reader may not exclude more than the writer did', () => {
    expect(found({ not: str }, {})).toEqual(['TYPE_CHANGED #/']);
    expect(found({ type: 'integer', not: { const: 3 } }, int)).toEqual(['NOT_TYPE_EXTENDED #/not']);
    expect(found({ type: 'integer', not: { enum: [3] } }, { type: 'integer', not: { enum: [3, 4] } })).toEqual([]);
    expect(found({ type: 'integer', not: { enum: [3, 4] } }, { type: 'integer', not: { enum: [3] } })).toEqual([
      'NOT_TYPE_EXTENDED #/not',
    ]);
  });
});

describe('JSON Schema compatibility: $ref', () => {
  it('follows local references, including recursive ones', () => {
    const tree = (valueType: JsonValue) => ({
      $ref: '#/definitions/node',
      definitions: {
        node: closed({ value: valueType, children: { type: 'array', items: { $ref: '#/definitions/node' } } }),
      },
    });
    expect(found(tree({ type: 'number' }), tree(int))).toEqual([]);
    expect(found(tree(int), tree(str))).toEqual(['TYPE_CHANGED #/properties/value']);
  });

  it('reports a shared definition at each place it is used', () => {
    const priced = (money: JsonValue) => ({
      ...closed({ price: { $ref: '#/$defs/money' }, cost: { $ref: '#/$defs/money' } }),
      $defs: { money },
    });
    expect(found(priced(int), priced({ type: 'number' }))).toEqual([
      'TYPE_NARROWED #/properties/price',
      'TYPE_NARROWED #/properties/cost',
    ]);
  });

  it('follows references to other subjects by the reference name, against the root $id', () => {
    const order = {
      $id: 'https://example.com/order.json',
      ...closed({ customer: { $ref: 'customer.json' } }),
    };
    const customer = (props: Record<string, JsonValue>) => [
      { name: 'customer.json', schema: JSON.stringify(closed(props)) },
    ];
    expect(found(order, order, customer({ name: str, age: int }), customer({ name: str }))).toEqual([]);
    expect(found(order, order, customer({ name: str }), customer({ name: str, age: int }))).toEqual([
      'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/customer/properties/age',
    ]);
  });
});
