/**
 * JSON Schema as the registry takes it: parsed, checked against its draft's
 * meta-schema and compiled with Ajv (so a `$ref` that does not resolve, a
 * bad `pattern` or a keyword of the wrong shape is an invalid schema,
 * 42201), with the schemas it references registered under their
 * reference names. The draft comes from `$schema`: draft-04 (ajv-draft-04),
 * draft-06 and draft-07 (Ajv's default class), 2019-09 (Ajv2019) and
 * 2020-12 (Ajv2020); no `$schema`, or one Confluent does not know, is
 * draft-07, as in Confluent's registry. Unknown keywords (Confluent's own
 * `confluent:tags`, vendor extensions) are allowed, as the drafts say, and
 * formats are not checked: the registry validates schemas, not data.
 */
import { createRequire } from 'node:module';
import { Ajv, type AnySchema, type AnySchemaObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import type { ReferencedSchema } from '../store-records.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** A JSON Schema with everything its `$ref`s can reach. */
export interface ResolvedJsonSchema {
  readonly root: JsonValue;
  readonly draft: Draft;
  /** Referenced documents by the absolute key their name resolves to against the root's `$id` (or the bare name). */
  readonly documents: ReadonlyMap<string, JsonValue>;
  /** The root's base URI (`$id`, or `id` in draft-04), when it has one. */
  readonly base: string | undefined;
}

export type ParsedJson = { ok: true; schema: string; resolved: ResolvedJsonSchema } | { ok: false; message: string };

const require = createRequire(import.meta.url);
const draft06Meta = require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject;

// `$schema` values as the drafts publish them; http/https and a trailing '#' are not significant.
const DRAFTS: ReadonlyMap<string, Draft> = new Map([
  ['json-schema.org/draft-04/schema', 'draft-04'],
  ['json-schema.org/draft-06/schema', 'draft-06'],
  ['json-schema.org/draft-07/schema', 'draft-07'],
  ['json-schema.org/draft/2019-09/schema', '2019-09'],
  ['json-schema.org/draft/2020-12/schema', '2020-12'],
]);

function metaKey(uri: string): string {
  return uri.replace(/^https?:\/\//, '').replace(/#$/, '');
}

/** The draft a schema is written in, from its `$schema`; draft-07 when absent or unknown. */
export function draftOf(schema: JsonValue): Draft {
  if (!isObject(schema) || typeof schema.$schema !== 'string') return 'draft-07';
  return DRAFTS.get(metaKey(schema.$schema)) ?? 'draft-07';
}

export function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function newAjv(draft: Draft): Ajv {
  // strict: false lets unknown keywords and formats through (the drafts ignore them); logger: false keeps
  // Ajv's warnings about them out of the gateway's log. Ajv2019/2020 and AjvDraft04 share Ajv's core API.
  const options: Options = { strict: false, validateFormats: false, logger: false, allErrors: false };
  switch (draft) {
    case 'draft-04':
      return new AjvDraft04.default(options) as unknown as Ajv;
    case '2019-09':
      return new Ajv2019(options) as unknown as Ajv;
    case '2020-12':
      return new Ajv2020(options) as unknown as Ajv;
    default: {
      const ajv = new Ajv(options);
      ajv.addMetaSchema(draft06Meta);
      return ajv;
    }
  }
}

/** Where a reference name points once resolved against the root's base URI, as Confluent registers it. */
export function referenceKey(name: string, base: string | undefined): string {
  if (base === undefined) return name;
  try {
    return new URL(name, base).href;
  } catch {
    return name;
  }
}

function baseOf(root: JsonValue, draft: Draft): string | undefined {
  if (!isObject(root)) return undefined;
  const id = draft === 'draft-04' ? root.id : root.$id;
  if (typeof id !== 'string') return undefined;
  try {
    return new URL(id).href;
  } catch {
    return undefined; // a relative $id gives no absolute base
  }
}

function parseJson(text: string, what: string): { value: JsonValue } | { error: string } {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { error: `Invalid ${what}: ${(error as Error).message}` };
  }
}

/**
 * The resolved form of a schema and its references, without validation:
 * used for stored schemas (already validated when registered).
 */
export function resolveJsonSchema(text: string, referenced: readonly ReferencedSchema[]): ResolvedJsonSchema {
  const root = JSON.parse(text) as JsonValue;
  const draft = draftOf(root);
  const base = baseOf(root, draft);
  const documents = new Map<string, JsonValue>();
  for (const ref of referenced) {
    const key = referenceKey(ref.name, base);
    if (!documents.has(key)) documents.set(key, JSON.parse(ref.schema) as JsonValue);
  }
  return { root, draft, documents, base };
}

/**
 * The stored form of a submitted JSON Schema, or why it is invalid.
 * `referenced` are every schema its references reach (transitively), by name.
 */
export function parseJsonSchema(text: string, referenced: readonly ReferencedSchema[]): ParsedJson {
  const parsed = parseJson(text, 'schema');
  if ('error' in parsed) return { ok: false, message: parsed.error };
  const root = parsed.value;
  if (!isObject(root) && typeof root !== 'boolean') {
    return { ok: false, message: 'Invalid schema: a JSON Schema is an object or a boolean' };
  }
  const draft = draftOf(root);
  const base = baseOf(root, draft);
  const documents = new Map<string, JsonValue>();
  for (const ref of referenced) {
    const key = referenceKey(ref.name, base);
    if (documents.has(key)) continue;
    const parsedRef = parseJson(ref.schema, `reference ${ref.name}`);
    if ('error' in parsedRef) return { ok: false, message: parsedRef.error };
    const doc = parsedRef.value;
    if (!isObject(doc) && typeof doc !== 'boolean') {
      return { ok: false, message: `Invalid schema: reference ${ref.name} is not a JSON Schema` };
    }
    documents.set(key, doc);
  }
  const problem = compile(draft, root, documents);
  if (problem !== undefined) return { ok: false, message: problem };
  // Confluent's canonical string is the parsed tree printed back without insignificant whitespace, keys in the
  // order given; JSON.stringify does the same (see the registry README for where number spelling may differ).
  return { ok: true, schema: JSON.stringify(root), resolved: { root, draft, documents, base } };
}

// One Ajv per draft, reused: building one compiles its meta-schemas, which costs about ten milliseconds, against
// well under one for a compile.
const pool = new Map<Draft, Ajv>();

/** Compiles the schema with its referenced documents under their keys: undefined when valid, else why not. */
function compile(draft: Draft, root: JsonValue, documents: ReadonlyMap<string, JsonValue>): string | undefined {
  const ajv = pool.get(draft) ?? newAjv(draft);
  pool.delete(draft);
  // Ajv registers every `$id` it meets (nested ones too) globally; what this compile added is removed after it,
  // so a later schema reusing an `$id` with other content is not refused as ambiguous.
  const before = new Set([...Object.keys(ajv.refs), ...Object.keys(ajv.schemas)]);
  const schema = withoutUnknownDialect(root, draft) as AnySchema;
  const docs = [...documents].map(([key, doc]) => [key, withoutUnknownDialect(doc, draft) as AnySchema] as const);
  try {
    for (const [key, doc] of docs) {
      try {
        ajv.addSchema(doc, key);
      } catch (error) {
        return `Invalid schema: reference ${key}: ${(error as Error).message}`;
      }
    }
    ajv.compile(schema);
  } catch (error) {
    return `Invalid schema: ${(error as Error).message}`;
  }
  for (const key of [...Object.keys(ajv.refs), ...Object.keys(ajv.schemas)]) {
    if (!before.has(key)) ajv.removeSchema(key);
  }
  for (const [, doc] of docs) if (typeof doc === 'object') ajv.removeSchema(doc);
  if (typeof schema === 'object') ajv.removeSchema(schema);
  pool.set(draft, ajv); // only an instance whose compile succeeded goes back: a failed one may hold partial state
  return undefined;
}

// The meta-schema ids as Ajv registers them (a trailing '#' aside): a `$schema` spelled otherwise (https for the
// older drafts, http for the newer ones) names the same draft but would send Ajv looking for a meta-schema it lacks.
const AJV_META_IDS = new Set([
  'http://json-schema.org/draft-04/schema',
  'http://json-schema.org/draft-06/schema',
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft/2019-09/schema',
  'https://json-schema.org/draft/2020-12/schema',
]);

function withoutUnknownDialect(schema: JsonValue, draft: Draft): JsonValue {
  // The Ajv class is already chosen by the root's draft. A `$schema` naming none of the five drafts is read as
  // draft-07 (Confluent's default) rather than refused for lacking its meta-schema; a referenced schema of another
  // draft is checked by the root's; another spelling of a known draft's URI is read as that draft.
  if (!isObject(schema) || typeof schema.$schema !== 'string') return schema;
  const own = DRAFTS.get(metaKey(schema.$schema));
  const exact = AJV_META_IDS.has(schema.$schema.replace(/#$/, ''));
  if (exact && own !== undefined && family(own) === family(draft)) return schema;
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}

/** Drafts one Ajv instance reads together (Ajv's default class holds the draft-06 and draft-07 meta-schemas). */
function family(draft: Draft): string {
  return draft === 'draft-06' ? 'draft-07' : draft;
}

/**
 * A validator of values against a resolved schema, for the REST Proxy's jsonschema format (Confluent's REST
 * Proxy validates each value, as its JsonSchemaUtils.toObject does): null for a value that fits, else why not.
 * Each validator has its own Ajv instance, so schemas reusing an `$id` never meet; callers cache validators.
 */
export function jsonValueValidator(resolved: ResolvedJsonSchema): (value: unknown) => string | null {
  const ajv = newAjv(resolved.draft);
  for (const [key, doc] of resolved.documents)
    ajv.addSchema(withoutUnknownDialect(doc, resolved.draft) as AnySchema, key);
  const validate = ajv.compile(withoutUnknownDialect(resolved.root, resolved.draft) as AnySchema);
  return (value) => (validate(value) ? null : ajv.errorsText(validate.errors, { dataVar: 'value' }));
}
