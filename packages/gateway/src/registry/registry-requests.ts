/**
 * Request pieces as Confluent's registry reads them, turned into typed
 * values or RegistryErrors with its codes: a schema body (register,
 * lookup, compatibility), a version in a path, a subject name, and the
 * offset/limit paging of list endpoints.
 */
import { registryErrors } from './registry-error.ts';
import { isSchemaType, parseReferences, type SchemaReference, type SchemaType } from './store-records.ts';

/** A schema as a request submits it (register, lookup). */
export interface SchemaRequest {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  /** A caller-chosen id: only in IMPORT mode. */
  id?: number;
  /** A caller-chosen version: in IMPORT mode, or the next version otherwise. */
  version?: number;
}

/** "latest" (or -1) or a version number. */
export type VersionSpec = number | 'latest';

export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1) throw registryErrors.invalidVersion(text);
  return n;
}

export function parseSchemaRequest(body: unknown): SchemaRequest {
  if (typeof body !== 'object' || body === null) throw registryErrors.invalidSchema('Invalid schema: no request body');
  const { schema, schemaType = 'AVRO', references, metadata, ruleSet, id, version } = body as Record<string, unknown>;
  if (typeof schema !== 'string' || schema.length === 0) throw registryErrors.invalidSchema('Empty schema');
  if (!isSchemaType(schemaType)) throw registryErrors.invalidSchema(`Invalid schema type ${String(schemaType)}`);
  const refs = parseReferences(references);
  if (refs === null) throw registryErrors.invalidSchema('Invalid schema references');
  const out: SchemaRequest = { schemaType, schema, references: refs };
  if (metadata !== undefined && metadata !== null) out.metadata = metadata;
  if (ruleSet !== undefined && ruleSet !== null) out.ruleSet = ruleSet;
  // Confluent treats a negative id and a version of 0 or less as "not given".
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) out.id = id;
  if (typeof version === 'number' && Number.isInteger(version) && version > 0) out.version = version;
  return out;
}

/** Confluent refuses subject names with control characters (42208). */
export function checkSubject(subject: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(subject)) throw registryErrors.invalidSubject(subject);
}

export interface Paging {
  offset: number;
  /** Negative: no limit. */
  limit: number;
}

/** offset (default 0) and limit (default -1, all) query parameters; text that is not an integer is the default. */
export function parsePaging(query: { offset?: string | undefined; limit?: string | undefined }): Paging {
  const integer = (text: string | undefined, fallback: number): number =>
    text !== undefined && /^-?\d+$/.test(text) ? Number(text) : fallback;
  return { offset: integer(query.offset, 0), limit: integer(query.limit, -1) };
}

/** References as `normalize` leaves them: duplicates dropped, sorted by name, subject, then version. */
export function sortedReferences(references: readonly SchemaReference[]): SchemaReference[] {
  const seen = new Map<string, SchemaReference>();
  for (const ref of references) seen.set(`${ref.name}\u0000${ref.subject}\u0000${ref.version}`, ref);
  const compare = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);
  return [...seen.values()].sort(
    (a, b) => compare(a.name, b.name) || compare(a.subject, b.subject) || a.version - b.version,
  );
}
