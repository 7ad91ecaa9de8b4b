/**
 * The REST Proxy's embedded formats: how a key or value given in a JSON
 * request becomes record bytes, and how record bytes are shown in a JSON
 * answer. `binary` is base64 of the bytes; `json` is any JSON value, stored
 * as its JSON text; `avro`, `jsonschema` and `protobuf` are the registry's
 * wire format (@runnel/schema-serde) under a schema given inline (registered
 * under the TopicNameStrategy subject `<topic>-key` / `<topic>-value`, as
 * Confluent's REST Proxy does) or by id, with values in the format's JSON
 * form (Avro's JSON encoding, unions wrapped; JSON; Protobuf's JSON
 * mapping). Shared by v2 produce and consume, v3 records and the console.
 * Serializers are cached per subject and schema text (bounded), and the
 * deserializer compiles each schema id once. jsonschema values are
 * validated against their schema before they are written (a misfit is
 * 42203), as Confluent's REST Proxy does; the validators are cached per
 * schema id (bounded).
 */
import {
  type RegistryClient,
  RegistryDeserializer,
  RegistryError,
  RegistrySerializer,
  type SchemaType,
  SerdeError,
  topicSubject,
} from '@runnel/schema-serde';
import { jsonValueValidator, resolveJsonSchema } from '../../registry/formats/json-schema.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';

export const embeddedFormats = ['binary', 'json', 'avro', 'jsonschema', 'protobuf'] as const;
export type EmbeddedFormat = (typeof embeddedFormats)[number];

const schemaTypeOf: Record<'avro' | 'jsonschema' | 'protobuf', SchemaType> = {
  avro: 'AVRO',
  jsonschema: 'JSON',
  protobuf: 'PROTOBUF',
};

/** Whether the format's records go through the registry. */
export function usesRegistry(format: EmbeddedFormat): format is 'avro' | 'jsonschema' | 'protobuf' {
  return format === 'avro' || format === 'jsonschema' || format === 'protobuf';
}

/**
 * The embedded format a v2 content type names (`application/vnd.kafka.avro.v2+json` -> avro); null for one that
 * names none (`application/vnd.kafka.v2+json`, `application/json`) or is not a v2 Kafka type at all.
 */
export function formatOfContentType(contentType: string | undefined): EmbeddedFormat | null {
  const match = /^application\/vnd\.kafka\.([a-z]+)\.v2\+json/i.exec(contentType ?? '');
  const name = match?.[1]?.toLowerCase();
  return (embeddedFormats as readonly string[]).includes(name ?? '') ? (name as EmbeddedFormat) : null;
}

/** Where a record part's schema comes from: inline text (registered under the topic's subject) or an id. */
export type SchemaSource = { schema: string } | { schemaId: number };

/** Encodes one part (key or value) of records in one format, under one schema when the format has one. */
export interface PartEncoder {
  /** The schema id the records are written with; null for binary and json. */
  readonly schemaId: number | null;
  /** The record bytes for a JSON value; null stays null (no key, a tombstone). Throws RestError(42203) on a bad value. */
  encode(value: unknown): Buffer | null;
}

const serializersMax = 1000;
// Each validator holds its own Ajv instance (about 70 KiB, and tens of milliseconds to build): fewer are kept
// than serializers.
const jsonValidatorsMax = 64;

export class EmbeddedFormats {
  readonly #registry: RegistryClient;
  readonly #deserializer: RegistryDeserializer;
  readonly #serializers = new Map<string, Promise<RegistrySerializer>>();
  readonly #jsonValidators = new Map<number, Promise<(value: unknown) => string | null>>();

  constructor(registry: RegistryClient) {
    this.#registry = registry;
    this.#deserializer = new RegistryDeserializer(registry);
  }

  /**
   * The encoder of `part` of records for `topic` in `format`. A registry format needs a schema source (RestError
   * 42201 / 42202 without one); an inline schema is registered under `<topic>-<part>` (a schema the registry
   * refuses: 42205; an id it does not know: 400).
   */
  async encoder(
    format: EmbeddedFormat,
    topic: string,
    part: 'key' | 'value',
    source: SchemaSource | null,
  ): Promise<PartEncoder> {
    if (format === 'binary') return { schemaId: null, encode: encodeBinary };
    if (format === 'json') return { schemaId: null, encode: encodeJson };
    if (source === null) {
      throw new RestError(
        part === 'key' ? restErrorCodes.keySchemaMissing : restErrorCodes.valueSchemaMissing,
        `${part}_schema or ${part}_schema_id is required for ${format}`,
      );
    }
    const serializer = await this.#serializer(format, topicSubject(topic, part), source);
    const validate = format === 'jsonschema' ? await this.#jsonValidator(serializer.schemaId) : null;
    return {
      schemaId: serializer.schemaId,
      encode: (value) => {
        if (value === null || value === undefined) return null;
        const problem = validate?.(value) ?? null;
        if (problem !== null) {
          throw new RestError(restErrorCodes.invalidRecord, `the ${part} does not fit its schema: ${problem}`);
        }
        try {
          return serializer.serializeJson(JSON.stringify(value));
        } catch (error) {
          throw new RestError(restErrorCodes.invalidRecord, `the ${part} does not fit its schema: ${messageOf(error)}`);
        }
      },
    };
  }

  /**
   * A record part's bytes as its JSON form in `format`: base64 text for binary, the parsed JSON for json, the
   * registry format's JSON form otherwise. Null stays null. Bytes the format cannot read: RestError(50002).
   */
  async decode(format: EmbeddedFormat, bytes: Uint8Array | null): Promise<unknown> {
    if (bytes === null) return null;
    if (format === 'binary') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    try {
      if (format === 'json') return JSON.parse(Buffer.from(bytes).toString('utf8'));
      const decoded = await this.#deserializer.deserialize(bytes, schemaTypeOf[format]);
      return JSON.parse(decoded.toJson());
    } catch (error) {
      throw new RestError(restErrorCodes.kafkaError, `a record could not be read as ${format}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** A record part's bytes decoded by whatever schema its frame names, or null when it is not a registry frame. */
  async decodeAny(bytes: Uint8Array): Promise<{ schemaId: number; schemaType: SchemaType; value: unknown } | null> {
    if (bytes.byteLength < 5 || bytes[0] !== 0) return null;
    try {
      const decoded = await this.#deserializer.deserialize(bytes);
      return { schemaId: decoded.schemaId, schemaType: decoded.schemaType, value: JSON.parse(decoded.toJson()) };
    } catch {
      return null;
    }
  }

  /** The validator of values for JSON Schema `schemaId`, with the schemas it references (cached, bounded). */
  #jsonValidator(schemaId: number): Promise<(value: unknown) => string | null> {
    let validator = this.#jsonValidators.get(schemaId);
    if (validator === undefined) {
      validator = (async () => {
        const resolved = await this.#registry.resolve(await this.#registry.schemaById(schemaId));
        const referenced = resolved.referenced.map((r) => ({ name: r.name, schema: r.schema.schema }));
        return jsonValueValidator(resolveJsonSchema(resolved.schema.schema, referenced));
      })().catch((error: unknown) => {
        throw schemaError(error);
      });
      if (this.#jsonValidators.size >= jsonValidatorsMax) {
        const oldest = this.#jsonValidators.keys().next().value;
        if (oldest !== undefined) this.#jsonValidators.delete(oldest);
      }
      this.#jsonValidators.set(schemaId, validator);
      // A registry that did not answer may answer the next request.
      validator.catch(() => this.#jsonValidators.delete(schemaId));
    }
    return validator;
  }

  #serializer(format: 'avro' | 'jsonschema' | 'protobuf', subject: string, source: SchemaSource) {
    const key = 'schemaId' in source ? `id:${source.schemaId}` : `${format}:${subject}:${source.schema}`;
    let serializer = this.#serializers.get(key);
    if (serializer === undefined) {
      const target =
        'schemaId' in source
          ? { schemaId: source.schemaId }
          : { subject, schema: { schemaType: schemaTypeOf[format], schema: source.schema, references: [] } };
      serializer = RegistrySerializer.create(this.#registry, target).catch((error: unknown) => {
        throw schemaError(error);
      });
      if (this.#serializers.size >= serializersMax) {
        const oldest = this.#serializers.keys().next().value;
        if (oldest !== undefined) this.#serializers.delete(oldest);
      }
      this.#serializers.set(key, serializer);
      serializer.catch(() => this.#serializers.delete(key));
    }
    return serializer;
  }
}

function encodeBinary(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new RestError(restErrorCodes.unprocessableEntity, 'binary keys and values must be base64 strings');
  }
  return Buffer.from(value, 'base64');
}

function encodeJson(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A registry refusal or a schema this side cannot compile, as Confluent's REST Proxy reports them. */
function schemaError(error: unknown): RestError {
  if (error instanceof RegistryError) {
    if (error.status === 404) {
      // Confluent's REST Proxy answers a schema it cannot fetch as a plain bad request.
      return new RestError(restErrorCodes.badRequest, `schema not found: ${error.message}`, { cause: error });
    }
    if (error.status === 409 || error.status === 422) {
      return new RestError(restErrorCodes.invalidSchema, error.message, { cause: error });
    }
    return new RestError(restErrorCodes.kafkaError, `schema registry: ${error.message}`, { cause: error });
  }
  if (error instanceof SerdeError) return new RestError(restErrorCodes.invalidSchema, error.message, { cause: error });
  return new RestError(restErrorCodes.invalidSchema, messageOf(error), { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
