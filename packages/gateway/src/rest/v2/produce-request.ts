/**
 * A v2 produce request as the routes receive it, checked: its embedded
 * format (from the content type), its records and where their key and
 * value schemas come from. Pure; Fastify has already checked the body's
 * shape against `produceBodySchema`, these functions check what a JSON
 * schema cannot say, with Confluent's error codes.
 */
import {
  type EmbeddedFormat,
  formatOfContentType,
  type SchemaSource,
  usesRegistry,
} from '../formats/embedded-formats.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';

/** Confluent's codes for a registry format's request that has keys (values) but no key (value) schema. */
export const keySchemaMissing = restErrorCodes.keySchemaMissing;
export const valueSchemaMissing = restErrorCodes.valueSchemaMissing;

export interface ProduceRecordBody {
  key?: unknown;
  value?: unknown;
  partition?: number;
}

export interface ProduceBody {
  records: ProduceRecordBody[];
  key_schema?: string;
  key_schema_id?: number;
  value_schema?: string;
  value_schema_id?: number;
}

/** What Fastify validates (and /openapi.json shows); `recordsMax` is the gateway's records-per-request limit. */
export function produceBodySchema(recordsMax: number, withRecordPartition: boolean) {
  const record = {
    type: 'object',
    properties: {
      key: { description: 'The key in the embedded format (base64 for binary); null or absent for none.' },
      value: { description: 'The value in the embedded format (base64 for binary); null for a tombstone.' },
      ...(withRecordPartition
        ? { partition: { type: 'integer', minimum: 0, description: 'The partition; by default the key decides' } }
        : {}),
    },
  };
  return {
    type: 'object',
    required: ['records'],
    properties: {
      records: { type: 'array', minItems: 1, maxItems: recordsMax, items: record },
      key_schema: { type: 'string', description: 'The key schema, registered under <topic>-key' },
      key_schema_id: { type: 'integer', minimum: 0, description: 'The id of a registered key schema' },
      value_schema: { type: 'string', description: 'The value schema, registered under <topic>-value' },
      value_schema_id: { type: 'integer', minimum: 0, description: 'The id of a registered value schema' },
    },
  } as const;
}

/**
 * The embedded format a produce request's content type names. A v2 type with no format (and plain JSON) means
 * binary, as Confluent's REST Proxy has it; any other type is not one produce takes (415).
 */
export function produceFormatOf(contentType: string | undefined): EmbeddedFormat {
  const format = formatOfContentType(contentType);
  if (format !== null) return format;
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (base === 'application/vnd.kafka.v2+json' || base === 'application/json') return 'binary';
  throw new RestError(
    restErrorCodes.unsupportedMediaType,
    `HTTP 415 Unsupported Media Type: produce takes application/vnd.kafka.{binary,json,avro,jsonschema,protobuf}.v2+json, not ${contentType ?? 'no content type'}`,
  );
}

/** Where the key and value schemas come from; null for a part with none (or a format that uses none). */
export interface SchemaSources {
  key: SchemaSource | null;
  value: SchemaSource | null;
}

/**
 * The request's schema sources, checked as Confluent checks them: a registry format needs a key schema when some
 * record has a non-null key (42201) and a value schema when some record has a non-null value (42202); one part
 * may not name both a schema and an id (422). Binary and json take no schema and ignore any given.
 */
export function schemaSourcesOf(format: EmbeddedFormat, body: ProduceBody): SchemaSources {
  if (!usesRegistry(format)) return { key: null, value: null };
  const key = sourceOf('key', body.key_schema, body.key_schema_id);
  const value = sourceOf('value', body.value_schema, body.value_schema_id);
  if (key === null && body.records.some((r) => r.key !== undefined && r.key !== null)) {
    throw new RestError(keySchemaMissing, 'Request includes keys but does not include key_schema or key_schema_id');
  }
  if (value === null && body.records.some((r) => r.value !== undefined && r.value !== null)) {
    throw new RestError(
      valueSchemaMissing,
      'Request includes values but does not include value_schema or value_schema_id',
    );
  }
  return { key, value };
}

function sourceOf(part: 'key' | 'value', schema: string | undefined, id: number | undefined): SchemaSource | null {
  if (schema !== undefined && id !== undefined) {
    throw new RestError(
      restErrorCodes.unprocessableEntity,
      `${part}_schema and ${part}_schema_id are both given; give one`,
    );
  }
  if (schema !== undefined) return { schema };
  if (id !== undefined) return { schemaId: id };
  return null;
}
