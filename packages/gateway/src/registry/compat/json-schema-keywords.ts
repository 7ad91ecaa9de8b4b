/**
 * Reading JSON Schema keywords for the compatibility checker: which
 * keywords constrain data (the others are annotations), the types a schema
 * admits, enum values, the content model of objects and tuples, and the
 * numeric and length bounds with their Confluent change-type names.
 */
import { type Draft, isObject, type JsonValue } from '../formats/json-schema.ts';

export type JsonObject = { [key: string]: JsonValue };

/** Keywords that constrain data, by the instance type they apply to ('any' for every type). */
const KEYWORD_TYPES: Readonly<Record<string, string>> = {
  type: 'any',
  enum: 'any',
  const: 'any',
  not: 'any',
  allOf: 'any',
  anyOf: 'any',
  oneOf: 'any',
  $ref: 'any',
  maxLength: 'string',
  minLength: 'string',
  pattern: 'string',
  maximum: 'number',
  minimum: 'number',
  exclusiveMaximum: 'number',
  exclusiveMinimum: 'number',
  multipleOf: 'number',
  properties: 'object',
  required: 'object',
  additionalProperties: 'object',
  patternProperties: 'object',
  unevaluatedProperties: 'object',
  minProperties: 'object',
  maxProperties: 'object',
  dependencies: 'object',
  dependentRequired: 'object',
  dependentSchemas: 'object',
  propertyNames: 'object',
  items: 'array',
  prefixItems: 'array',
  additionalItems: 'array',
  unevaluatedItems: 'array',
  minItems: 'array',
  maxItems: 'array',
  uniqueItems: 'array',
  contains: 'array',
};

export const TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'] as const;

/** True for `true`, `{}` and a schema of annotations only: it accepts every value. */
export function isUnconstrained(schema: JsonValue | undefined): boolean {
  if (schema === undefined || schema === true) return true;
  if (!isObject(schema)) return false;
  return !Object.keys(schema).some((k) => k in KEYWORD_TYPES);
}

/**
 * The instance types a schema admits, or 'any'. Without `type`, the kinds
 * its keywords constrain stand in (a schema with `properties` is an object
 * schema), as Confluent's model of a schema classifies it.
 */
export function typesOf(schema: JsonObject): Set<string> | 'any' {
  const { type } = schema;
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  const kinds = new Set(Object.keys(schema).map((k) => KEYWORD_TYPES[k] ?? 'any'));
  kinds.delete('any');
  return kinds.size === 0 ? 'any' : kinds;
}

/** Whether values of `type` can meet this schema's type (an integer is a number). */
export function admits(types: Set<string> | 'any', type: string): boolean {
  return types === 'any' || types.has(type) || (type === 'integer' && types.has('number'));
}

/** The values an `enum` or `const` allows, or undefined when any value of the type may occur. */
export function valuesOf(schema: JsonObject): JsonValue[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const as JsonValue];
  return undefined;
}

/** JSON equality regardless of key order, for enum values. */
export function sameValue(a: JsonValue, b: JsonValue): boolean {
  return stable(a) === stable(b);
}

function stable(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What an object schema says of properties it does not name: `additionalProperties`
 * (or, when absent, `unevaluatedProperties`, which closes a 2019-09/2020-12 schema the same way).
 */
export function extraProperties(schema: JsonObject): { keyword: string; schema: JsonValue | undefined } {
  if ('additionalProperties' in schema) return { keyword: 'additionalProperties', schema: schema.additionalProperties };
  if ('unevaluatedProperties' in schema) {
    return { keyword: 'unevaluatedProperties', schema: schema.unevaluatedProperties };
  }
  return { keyword: 'additionalProperties', schema: undefined };
}

export function patternProperties(schema: JsonObject): [string, JsonValue][] {
  return isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
}

/** Open: any unnamed property of any value is allowed (no patternProperties, additional properties unconstrained). */
export function isOpenObject(schema: JsonObject): boolean {
  return patternProperties(schema).length === 0 && isUnconstrained(extraProperties(schema).schema);
}

/**
 * The schemas an unnamed property `name` must meet in a closed or partially
 * open model: every matching patternProperties entry, else the
 * additional-properties schema; undefined when the model refuses the name.
 */
export function coveringSchemas(schema: JsonObject, name: string): JsonValue[] | undefined {
  const matching = patternsFor(schema, name).map(([, sub]) => sub);
  if (matching.length > 0) return matching;
  const extra = extraProperties(schema).schema;
  return extra === false ? undefined : [extra ?? true];
}

/** The patternProperties entries whose pattern matches `name` (they apply to a named property too). */
export function patternsFor(schema: JsonObject, name: string): [string, JsonValue][] {
  return patternProperties(schema).filter(([pattern]) => matches(pattern, name));
}

function matches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(name);
  } catch {
    return false;
  }
}

/** Named properties of an object schema. */
export function propertiesOf(schema: JsonObject): Map<string, JsonValue> {
  return new Map(isObject(schema.properties) ? Object.entries(schema.properties) : []);
}

export function requiredOf(schema: JsonObject): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
}

/** Whether a schema gives a default (a reader can fill the value in). */
export function hasDefault(schema: JsonValue | undefined): boolean {
  return isObject(schema) && 'default' in schema;
}

/**
 * Positional (tuple) item schemas and what applies after them: `prefixItems`
 * and `items` in 2020-12, array-form `items` and `additionalItems` before it.
 * Without a tuple, `rest` is the one `items` schema that applies to every item.
 */
export function arrayItems(
  schema: JsonObject,
  draft: Draft,
): { tupleKeyword: string; tuple: JsonValue[]; restKeyword: string; rest: JsonValue | undefined } {
  if (draft === '2020-12' || Array.isArray(schema.prefixItems)) {
    const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    return { tupleKeyword: 'prefixItems', tuple, restKeyword: 'items', rest: schema.items };
  }
  if (Array.isArray(schema.items)) {
    return { tupleKeyword: 'items', tuple: schema.items, restKeyword: 'additionalItems', rest: schema.additionalItems };
  }
  return { tupleKeyword: 'items', tuple: [], restKeyword: 'items', rest: schema.items };
}

/** A numeric keyword, if it is a number. */
export function num(schema: JsonObject, keyword: string): number | undefined {
  const value = schema[keyword];
  return typeof value === 'number' ? value : undefined;
}

/**
 * The numeric bounds with draft-04's boolean `exclusiveMaximum` /
 * `exclusiveMinimum` turned into the later drafts' numeric form, so a
 * schema moving between drafts compares by meaning.
 */
export function numericBounds(schema: JsonObject): Record<string, number | undefined> {
  const bounds: Record<string, number | undefined> = {
    maximum: num(schema, 'maximum'),
    minimum: num(schema, 'minimum'),
    exclusiveMaximum: num(schema, 'exclusiveMaximum'),
    exclusiveMinimum: num(schema, 'exclusiveMinimum'),
  };
  if (schema.exclusiveMaximum === true) {
    bounds.exclusiveMaximum = bounds.maximum;
    bounds.maximum = undefined;
  }
  if (schema.exclusiveMinimum === true) {
    bounds.exclusiveMinimum = bounds.minimum;
    bounds.minimum = undefined;
  }
  return bounds;
}

/**
 * An upper or lower bound that the reader adds or tightens. `upper`: the
 * reader's value must not be below the writer's. Returns the change type, or
 * undefined when the reader accepts all the writer did.
 */
export function tightened(
  writer: number | undefined,
  reader: number | undefined,
  upper: boolean,
  names: { added: string; tightened: string },
): string | undefined {
  if (reader === undefined) return undefined;
  if (writer === undefined) return names.added;
  return (upper ? reader < writer : reader > writer) ? names.tightened : undefined;
}

/** Confluent's names for an added or tightened bound, by keyword. */
export const BOUND_NAMES: Readonly<Record<string, { upper: boolean; added: string; tightened: string }>> = {
  maxLength: { upper: true, added: 'MAX_LENGTH_ADDED', tightened: 'MAX_LENGTH_DECREASED' },
  minLength: { upper: false, added: 'MIN_LENGTH_ADDED', tightened: 'MIN_LENGTH_INCREASED' },
  maximum: { upper: true, added: 'MAXIMUM_ADDED', tightened: 'MAXIMUM_DECREASED' },
  minimum: { upper: false, added: 'MINIMUM_ADDED', tightened: 'MINIMUM_INCREASED' },
  exclusiveMaximum: { upper: true, added: 'EXCLUSIVE_MAXIMUM_ADDED', tightened: 'EXCLUSIVE_MAXIMUM_DECREASED' },
  exclusiveMinimum: { upper: false, added: 'EXCLUSIVE_MINIMUM_ADDED', tightened: 'EXCLUSIVE_MINIMUM_INCREASED' },
  maxProperties: { upper: true, added: 'MAX_PROPERTIES_ADDED', tightened: 'MAX_PROPERTIES_DECREASED' },
  minProperties: { upper: false, added: 'MIN_PROPERTIES_ADDED', tightened: 'MIN_PROPERTIES_INCREASED' },
  maxItems: { upper: true, added: 'MAX_ITEMS_ADDED', tightened: 'MAX_ITEMS_DECREASED' },
  minItems: { upper: false, added: 'MIN_ITEMS_ADDED', tightened: 'MIN_ITEMS_INCREASED' },
};

/** Escapes a property name for a JSON pointer segment (RFC 6901). */
export function segment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
