/**
 * The `_schemas` topic's record formats, as Confluent's registry writes
 * them (see README.md in this folder): a JSON key naming the record's kind
 * (`keytype`) and what it is about, and a JSON value, or no value (a
 * tombstone). Pure: bytes to typed records and back. Field order follows
 * Confluent's so a topic written here reads the same to its tools.
 */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const schemaTypes: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema a reference reaches: the reference's name and the referenced version's schema text. */
export interface ReferencedSchema {
  readonly name: string;
  readonly schema: string;
}

export type StoreKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'NOOP' }
  | { keytype: 'DELETE_SUBJECT'; subject: string }
  /** subject null: every subject (IMPORT set on the whole registry). */
  | { keytype: 'CLEAR_SUBJECT'; subject: string | null };

/** A SCHEMA record's value: one version of one subject. `schemaType` absent means AVRO. */
export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  references?: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  schema: string;
  deleted: boolean;
}

/** A CONFIG record's value; Confluent's newer fields (alias, normalize, ...) are kept as they came. */
export interface ConfigValue {
  compatibilityLevel?: string;
  [field: string]: unknown;
}

export interface ModeValue {
  /** Present for a subject's own mode, absent for the global one. */
  subject?: string;
  mode: string;
}

/** DELETE_SUBJECT: every version up to `version` is soft-deleted. */
export interface DeleteSubjectValue {
  subject: string;
  version: number;
}

export interface ClearSubjectValue {
  subject?: string;
}

/** Confluent marks a SCHEMA key with magic 1 and every other key with magic 0. */
export function encodeKey(key: StoreKey): Buffer {
  switch (key.keytype) {
    case 'SCHEMA':
      return json({ keytype: key.keytype, subject: key.subject, version: key.version, magic: 1 });
    case 'NOOP':
      return json({ keytype: key.keytype, magic: 0 });
    case 'CONFIG':
    case 'MODE':
    case 'CLEAR_SUBJECT':
      // Confluent leaves a null subject out of these keys (Jackson's NON_EMPTY), as for the global config.
      if (key.subject === null) return json({ keytype: key.keytype, magic: 0 });
      return json({ keytype: key.keytype, subject: key.subject, magic: 0 });
    default:
      return json({ keytype: key.keytype, subject: key.subject, magic: 0 });
  }
}

export function encodeSchemaValue(value: SchemaValue): Buffer {
  const out: Record<string, unknown> = { subject: value.subject, version: value.version, id: value.id };
  // Confluent omits schemaType for AVRO, and empty references.
  if (value.schemaType !== undefined && value.schemaType !== 'AVRO') out.schemaType = value.schemaType;
  if (value.references !== undefined && value.references.length > 0) out.references = value.references;
  if (value.metadata !== undefined) out.metadata = value.metadata;
  if (value.ruleSet !== undefined) out.ruleSet = value.ruleSet;
  out.schema = value.schema;
  out.deleted = value.deleted;
  return json(out);
}

export function encodeValue(value: ConfigValue | ModeValue | DeleteSubjectValue | ClearSubjectValue): Buffer {
  return json(value);
}

/** The key, or why it is not one this registry understands (the record is then skipped). */
export function decodeKey(bytes: Buffer | null): StoreKey | string {
  if (bytes === null) return 'record without a key';
  const parsed = parseObject(bytes);
  if (parsed === null) return 'key is not a JSON object';
  const subject = parsed.subject;
  switch (parsed.keytype) {
    case 'SCHEMA':
      if (typeof subject !== 'string' || typeof parsed.version !== 'number')
        return 'SCHEMA key without subject/version';
      return { keytype: 'SCHEMA', subject, version: parsed.version };
    case 'CONFIG':
    case 'MODE':
      if (subject !== undefined && subject !== null && typeof subject !== 'string')
        return `${parsed.keytype} key subject`;
      return { keytype: parsed.keytype, subject: typeof subject === 'string' ? subject : null };
    case 'NOOP':
      return { keytype: 'NOOP' };
    case 'DELETE_SUBJECT':
      if (typeof subject !== 'string') return `${parsed.keytype} key without subject`;
      return { keytype: parsed.keytype, subject };
    case 'CLEAR_SUBJECT':
      return { keytype: parsed.keytype, subject: typeof subject === 'string' ? subject : null };
    default:
      return `unknown keytype ${JSON.stringify(parsed.keytype)}`;
  }
}

/** A JSON object, or null when the bytes are not one. */
export function parseObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function isSchemaType(value: unknown): value is SchemaType {
  return value === 'AVRO' || value === 'JSON' || value === 'PROTOBUF';
}

export function parseReferences(value: unknown): SchemaReference[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return null;
  const out: SchemaReference[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { name, subject, version } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof subject !== 'string' || typeof version !== 'number') return null;
    out.push({ name, subject, version });
  }
  return out;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
