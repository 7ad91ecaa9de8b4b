/**
 * One record of a v3 produce request, checked and read into what the
 * producer needs, without touching the registry: Confluent's
 * `ProduceRequest` body `{partition_id?, headers?: [{name, value}], key?,
 * value?, timestamp?}` where key and value are `{type?, data?, schema_id?,
 * schema?, subject?, subject_name_strategy?, schema_version?}`. Types:
 * BINARY (base64 text), JSON (any JSON value), STRING (text), AVRO,
 * JSONSCHEMA, PROTOBUF (through the registry). Pure: a bad record is a
 * result with the HTTP status Confluent answers (400 for a body it cannot
 * read, 422 for a field of the wrong kind), never a throw.
 */
import type { RecordHeader } from '@runnel/protocol';

export const dataTypes = ['BINARY', 'JSON', 'STRING', 'AVRO', 'JSONSCHEMA', 'PROTOBUF'] as const;
export type DataType = (typeof dataTypes)[number];

/** Where a registry part's schema comes from. */
export type PartSchema =
  | { kind: 'inline'; schema: string }
  | { kind: 'id'; schemaId: number }
  | { kind: 'version'; subject: string | null; version: number | 'latest' };

export interface ProducePart {
  /** Null when only a schema was named: the registry says which format it is. */
  type: DataType | null;
  data: unknown;
  schema: PartSchema | null;
}

export interface ProduceRecord {
  partitionId: number | null;
  headers: RecordHeader[];
  key: ProducePart | null;
  value: ProducePart | null;
  /** Milliseconds since the epoch; null means now. */
  timestampMs: number | null;
}

export type ParsedRecord = { ok: true; record: ProduceRecord } | { ok: false; status: 400 | 422; message: string };

const partFields = new Set([
  'type',
  'data',
  'schema_id',
  'schema',
  'subject',
  'subject_name_strategy',
  'schema_version',
]);
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads one record's JSON text (a buffer from the stream splitter). */
export function parseProduceRecordText(text: Buffer | string): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (error) {
    return { ok: false, status: 400, message: `Error processing JSON: ${(error as Error).message}` };
  }
  return parseProduceRecord(json);
}

export function parseProduceRecord(json: unknown): ParsedRecord {
  if (!isObject(json)) return invalid('a record must be a JSON object');
  let partitionId: number | null = null;
  if (json.partition_id !== undefined && json.partition_id !== null) {
    if (!Number.isInteger(json.partition_id) || (json.partition_id as number) < 0)
      return invalid('partition_id must be a non-negative integer');
    partitionId = json.partition_id as number;
  }
  const headers: RecordHeader[] = [];
  if (json.headers !== undefined && json.headers !== null) {
    if (!Array.isArray(json.headers)) return invalid('headers must be an array of {name, value}');
    for (const header of json.headers) {
      if (!isObject(header) || typeof header.name !== 'string')
        return invalid('each header needs a string name and a base64 value (or null)');
      if (header.value === null || header.value === undefined) headers.push({ key: header.name, value: null });
      else if (typeof header.value === 'string' && base64.test(header.value))
        headers.push({ key: header.name, value: Buffer.from(header.value, 'base64') });
      else return invalid(`header ${header.name}: the value must be base64 text`);
    }
  }
  let timestampMs: number | null = null;
  if (json.timestamp !== undefined && json.timestamp !== null) {
    // Confluent takes an ISO-8601 date-time; epoch milliseconds are accepted too.
    const parsed = typeof json.timestamp === 'number' ? json.timestamp : Date.parse(String(json.timestamp));
    if (typeof json.timestamp === 'boolean' || !Number.isFinite(parsed) || parsed < 0)
      return invalid('timestamp must be an ISO-8601 date-time');
    timestampMs = Math.trunc(parsed);
  }
  const key = parsePart(json.key, 'key');
  if (!key.ok) return key;
  const value = parsePart(json.value, 'value');
  if (!value.ok) return value;
  return { ok: true, record: { partitionId, headers, key: key.part, value: value.part, timestampMs } };
}

type ParsedPart = { ok: true; part: ProducePart | null } | { ok: false; status: 422; message: string };

function parsePart(json: unknown, which: 'key' | 'value'): ParsedPart {
  if (json === undefined || json === null) return { ok: true, part: null };
  if (!isObject(json)) return invalid(`${which} must be an object {type, data, ...}`);
  for (const field of Object.keys(json)) {
    if (!partFields.has(field)) return invalid(`${which}: unknown field ${field}`);
  }
  let type: DataType | null = null;
  if (json.type !== undefined && json.type !== null) {
    const named = String(json.type).toUpperCase();
    if (!(dataTypes as readonly string[]).includes(named))
      return invalid(`${which}.type must be one of ${dataTypes.join(', ')}`);
    type = named as DataType;
  }
  const schema = partSchema(json, which);
  if (typeof schema === 'string') return invalid(schema);
  if (type === null && schema === null) type = 'BINARY';
  if (schema !== null && (type === 'BINARY' || type === 'JSON' || type === 'STRING'))
    return invalid(`${which}: a ${type} ${which} takes no schema`);
  if (schema?.kind === 'inline' && type === null)
    return invalid(`${which}: type is required with an inline schema (AVRO, JSONSCHEMA or PROTOBUF)`);
  if (schema === null && type !== null && type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') {
    // As Confluent: a schema type with no schema uses the latest version of the topic's subject.
    return {
      ok: true,
      part: { type, data: json.data ?? null, schema: { kind: 'version', subject: null, version: 'latest' } },
    };
  }
  const data = json.data ?? null;
  if (type === 'BINARY' && data !== null && (typeof data !== 'string' || !base64.test(data)))
    return invalid(`${which}: BINARY data must be base64 text`);
  if (type === 'STRING' && data !== null && typeof data !== 'string')
    return invalid(`${which}: STRING data must be text`);
  return { ok: true, part: { type, data, schema } };
}

function partSchema(json: Record<string, unknown>, which: string): PartSchema | null | string {
  if (json.subject_name_strategy !== undefined && json.subject_name_strategy !== null) {
    const strategy = String(json.subject_name_strategy).toUpperCase();
    if (strategy !== 'TOPIC_NAME') return `${which}: only the TOPIC_NAME subject_name_strategy is served`;
  }
  const subject = json.subject === undefined || json.subject === null ? null : json.subject;
  if (subject !== null && typeof subject !== 'string') return `${which}.subject must be text`;
  if (json.schema !== undefined && json.schema !== null) {
    if (typeof json.schema !== 'string') return `${which}.schema must be the schema's text`;
    if (subject !== null) return `${which}: an inline schema is registered under the topic's subject; omit subject`;
    return { kind: 'inline', schema: json.schema };
  }
  if (json.schema_id !== undefined && json.schema_id !== null) {
    if (!Number.isInteger(json.schema_id) || (json.schema_id as number) < 0)
      return `${which}.schema_id must be a non-negative integer`;
    return { kind: 'id', schemaId: json.schema_id as number };
  }
  if (json.schema_version !== undefined && json.schema_version !== null) {
    const version = json.schema_version;
    if (version !== 'latest' && (!Number.isInteger(version) || (version as number) < 1))
      return `${which}.schema_version must be a version number`;
    return { kind: 'version', subject, version: version as number | 'latest' };
  }
  if (subject !== null) return { kind: 'version', subject, version: 'latest' };
  return null;
}

function invalid(message: string): { ok: false; status: 422; message: string } {
  return { ok: false, status: 422, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
