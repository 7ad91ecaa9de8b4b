/**
 * The JSON Schema checker against the meaning of "compatible": whenever it
 * finds no problem, every document valid under the writer must be valid
 * under the reader. Seeded pairs of small schemas (objects under open,
 * closed and partially open models, required, defaults, types, enums,
 * bounds, arrays, oneOf) and a fixed universe of documents; Ajv decides
 * validity (the reader with `useDefaults`, since a reader default stands
 * in for a missing property). A checker that called an incompatible pair
 * compatible fails here with the pair and the document.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { checkJsonSchemaCompatibility } from '../src/registry/compat/json-schema-compat.ts';
import { type JsonValue, resolveJsonSchema } from '../src/registry/formats/json-schema.ts';

/** mulberry32: a small seeded generator, so a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'c', 's_x'];
const VALUES: JsonValue[] = [
  null,
  true,
  0,
  1,
  2.5,
  6,
  7,
  -3,
  '',
  'x',
  'xyz',
  'long text',
  [],
  [1],
  ['x', 'y'],
  ['x', 2],
  [2, 'x', 3],
  {},
  { a: 'x' },
  { b: 2, s_x: null },
];

function generator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;
  const leaf = (): JsonValue => {
    const type = pick([
      'string',
      'integer',
      'number',
      'boolean',
      'null',
      'array',
      'multi',
      'enum',
      'oneOf',
      'anyOf',
      'allOf',
      'const',
      'not',
      'tuple',
      'object',
    ]);
    const out: Record<string, JsonValue> = {};
    if (type === 'multi') out.type = [pick(['string', 'integer']), pick(['null', 'boolean', 'number'])];
    else if (type === 'enum')
      out.enum = [...new Set([pick(VALUES), pick(VALUES), pick(VALUES)].map((v) => JSON.stringify(v)))].map(
        (v) => JSON.parse(v) as JsonValue,
      );
    else if (type === 'oneOf') out.oneOf = [{ type: 'null' }, { type: pick(['string', 'integer']) }];
    else if (type === 'anyOf') out.anyOf = [{ type: pick(['string', 'integer']) }, { type: pick(['number', 'array']) }];
    else if (type === 'allOf') out.allOf = [{ type: 'integer' }, { maximum: pick([2, 7]) }];
    else if (type === 'const') out.const = pick(VALUES);
    else if (type === 'not') Object.assign(out, { type: 'integer', not: { enum: [pick([0, 1, 7])] } });
    else if (type === 'tuple') {
      out.type = 'array';
      out.items = [{ type: pick(['string', 'integer']) }, ...(chance(0.5) ? [{ type: 'integer' }] : [])];
      if (chance(0.6)) out.additionalItems = pick<JsonValue>([false, { type: 'integer' }, true]);
    } else if (type === 'object') {
      out.type = 'object';
      out.properties = chance(0.5) ? { a: { type: 'string' } } : { b: { type: pick(['integer', 'number']) } };
      if (chance(0.5)) out.additionalProperties = false;
      if (chance(0.3)) out.required = Object.keys(out.properties);
    } else out.type = type;
    if (type === 'integer' && chance(0.2)) out.multipleOf = pick([2, 3, 6]);
    if (type === 'number' && chance(0.2)) out.exclusiveMinimum = pick([-3, 0]);
    if (type === 'string' && chance(0.3)) out.maxLength = pick([1, 3, 5]);
    if (type === 'string' && chance(0.2)) out.minLength = pick([1, 2]);
    if ((type === 'integer' || type === 'number') && chance(0.3)) out.maximum = pick([0, 2, 7]);
    if ((type === 'integer' || type === 'number') && chance(0.3)) out.minimum = pick([-3, 0, 1]);
    if (type === 'array') out.items = { type: pick(['string', 'integer', 'number']) };
    if (type === 'array' && chance(0.3)) out.maxItems = pick([0, 1, 2]);
    return out;
  };
  const object = (): JsonValue => {
    const properties: Record<string, JsonValue> = {};
    for (const key of KEYS) if (chance(0.5)) properties[key] = leaf();
    const out: Record<string, JsonValue> = { type: 'object', properties };
    const required = Object.keys(properties).filter(() => chance(0.3));
    if (required.length > 0) out.required = required;
    // A default must be valid for its property (a reader fills it in); only some types have one here.
    for (const key of required) {
      const property = properties[key] as Record<string, JsonValue>;
      if (chance(0.5) && property.type === 'string' && property.minLength === undefined) property.default = '';
      if (chance(0.5) && property.type === 'boolean') property.default = false;
    }
    const model = pick(['open', 'closed', 'partial', 'typed']);
    if (model === 'closed') out.additionalProperties = false;
    if (model === 'partial') {
      out.additionalProperties = false;
      out.patternProperties = { '^s_': leaf() };
    }
    if (model === 'typed') out.additionalProperties = leaf();
    return out;
  };
  return { object, leaf, pick, chance };
}

function documents(next: () => number, count: number): JsonValue[] {
  const out: JsonValue[] = [{}];
  for (let i = 0; i < count; i++) {
    const doc: Record<string, JsonValue> = {};
    for (const key of KEYS) if (next() < 0.5) doc[key] = VALUES[Math.floor(next() * VALUES.length)] as JsonValue;
    out.push(doc);
  }
  return out;
}

describe('JSON Schema compatibility is sound', () => {
  it('no reported problem means every writer-valid document is reader-valid (2,000 seeded pairs)', () => {
    const next = random(13);
    const gen = generator(next);
    const docs = documents(next, 400);
    const strictAjv = new Ajv({ strict: false });
    const defaultsAjv = new Ajv({ strict: false, useDefaults: true });
    const unsound: string[] = [];
    let compatible = 0;
    for (let i = 0; i < 2000 && unsound.length < 5; i++) {
      const writer = gen.object();
      // Half the readers are a mutation of the writer, so compatible pairs are common.
      const reader = gen.chance(0.5) ? mutate(writer, gen) : gen.object();
      const problems = checkJsonSchemaCompatibility(
        resolveJsonSchema(JSON.stringify(reader), []),
        resolveJsonSchema(JSON.stringify(writer), []),
      );
      if (problems.length > 0) continue;
      compatible++;
      const validWriter = strictAjv.compile(writer as object);
      const validReader = defaultsAjv.compile(reader as object);
      const broken = docs.find((doc) => validWriter(doc) && !validReader(structuredClone(doc)));
      if (broken !== undefined) {
        unsound.push(
          `writer ${JSON.stringify(writer)}\nreader ${JSON.stringify(reader)}\ndoc ${JSON.stringify(broken)}`,
        );
      }
    }
    expect(unsound).toEqual([]);
    // The run means something only if many pairs were called compatible.
    expect(compatible).toBeGreaterThan(300);
  });
});

/** A reader near the writer: one property dropped, added, retyped, or the model or `required` changed. */
function mutate(writer: JsonValue, gen: ReturnType<typeof generator>): JsonValue {
  const out = structuredClone(writer) as Record<string, JsonValue>;
  const properties = out.properties as Record<string, JsonValue>;
  const keys = Object.keys(properties);
  switch (gen.pick(['drop', 'add', 'retype', 'releaf', 'releaf', 'releaf', 'model', 'required', 'same'])) {
    case 'drop':
      if (keys.length > 0) delete properties[gen.pick(keys)];
      break;
    case 'add':
      properties[gen.pick(KEYS)] = (gen.object() as Record<string, Record<string, JsonValue>>).properties?.a ?? {};
      break;
    case 'retype':
      if (keys.length > 0) properties[gen.pick(keys)] = { type: gen.pick(['number', 'integer', 'string']) };
      break;
    case 'releaf':
      // Another random schema for one property: the leaf rules (types, bounds, combinators, tuples) meet at random.
      if (keys.length > 0) properties[gen.pick(keys)] = gen.leaf();
      break;
    case 'model':
      if (out.additionalProperties === false) delete out.additionalProperties;
      else out.additionalProperties = false;
      break;
    case 'required':
      out.required = keys.filter(() => gen.chance(0.5));
      break;
  }
  return out;
}
