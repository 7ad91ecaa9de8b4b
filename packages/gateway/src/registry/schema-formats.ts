/**
 * Parsing a schema submitted to the registry into the text it is stored
 * and identified by. Avro is parsed with avsc (a schema avsc refuses is an
 * invalid schema, 42201), its referenced schemas first so their named
 * types resolve. Protobuf is parsed with protobufjs (formats/protobuf.ts);
 * JSON Schema is validated and compiled with Ajv (formats/json-schema.ts).
 */
import { avroTypeOf } from './formats/avro-types.ts';
import { parseJsonSchema } from './formats/json-schema.ts';
import { parseProtobuf } from './formats/protobuf.ts';
import { normalizedProtobuf } from './formats/protobuf-normalize.ts';
import type { ReferencedSchema, SchemaType } from './store-records.ts';

export type Parsed = { ok: true; schema: string } | { ok: false; message: string };

/**
 * The stored form of a schema, or why it is invalid. `referenced` are the
 * schemas its references reach, transitively, each before the schemas that
 * use it, already resolved by the caller; `imports` the same by reference
 * name (Protobuf imports).
 */
export function parseSchema(
  schemaType: SchemaType,
  text: string,
  referenced: readonly ReferencedSchema[],
  imports: ReadonlyMap<string, string> = new Map(),
): Parsed {
  if (schemaType === 'PROTOBUF') return parseProtobuf(text, imports);
  if (schemaType === 'JSON') return parseJsonSchema(text, referenced);
  if (schemaType !== 'AVRO') return { ok: true, schema: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Invalid schema: ${(error as Error).message}` };
  }
  try {
    avroTypeOf(
      text,
      referenced.map((r) => r.schema),
    );
  } catch (error) {
    return { ok: false, message: `Invalid schema: ${(error as Error).message}` };
  }
  // Identity is the schema as JSON without insignificant whitespace: two submissions differing only in layout
  // are the same schema. Confluent prints Avro in Java's Schema.toString() form; matching that byte for byte
  // (attribute order, full names) is the `normalize` step of issue 13.
  return { ok: true, schema: JSON.stringify(json) };
}

/** JSON with every object's keys sorted (UTF-16 order, as Java's TreeMap orders strings), at every depth. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, sortedKeys(object[k])]),
    );
  }
  return value;
}

/**
 * The stored text under `normalize` for JSON Schema and Protobuf, from the
 * canonical text `parseSchema` gave (JSON: keys sorted at every depth, as
 * Confluent re-reads the schema into sorted objects; Protobuf:
 * protobuf-normalize.ts). Avro has its own printer (avro-canonical.ts).
 */
export function normalizedSchema(
  schemaType: SchemaType,
  canonical: string,
  text: string,
  imports: ReadonlyMap<string, string>,
): string {
  if (schemaType === 'JSON') return JSON.stringify(sortedKeys(JSON.parse(canonical)));
  if (schemaType === 'PROTOBUF') return normalizedProtobuf(text, imports);
  return canonical;
}
