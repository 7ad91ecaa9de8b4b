/**
 * Turns the key or value of a v3 produce record into record bytes, and
 * says what to report for it (`{type, size, schema_id?}`). BINARY, JSON and
 * STRING are encoded at once; the registry formats go through the embedded
 * formats (rest/formats) under a schema given inline, by id, or by subject
 * and version, resolved once per request and then reused synchronously, so
 * a stream of records under one schema asks the registry once. Owned by one
 * produce request. Throws RestError for a record that cannot be encoded.
 */
import { type RegistryClient, RegistryError, type SchemaType } from '@runnel/schema-serde';
import type { EmbeddedFormats, PartEncoder } from '../formats/embedded-formats.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import type { DataType, ProducePart } from './produce-record.ts';

export interface PartReport {
  type: DataType;
  size: number;
  schema_id?: number;
}

export interface EncodedPart {
  bytes: Buffer | null;
  report: PartReport;
}

type RegistryType = 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF';

interface ResolvedEncoder {
  type: RegistryType;
  encoder: PartEncoder;
}

const formatOf = { AVRO: 'avro', JSONSCHEMA: 'jsonschema', PROTOBUF: 'protobuf' } as const;
const typeOfSchema: Record<SchemaType, RegistryType> = { AVRO: 'AVRO', JSON: 'JSONSCHEMA', PROTOBUF: 'PROTOBUF' };
/** Distinct schemas one request may name; each costs a compiled serializer. */
const encodersMax = 64;

export class PartEncoders {
  readonly #formats: EmbeddedFormats;
  readonly #registry: RegistryClient;
  readonly #topic: string;
  readonly #resolved = new Map<string, ResolvedEncoder>();
  readonly #resolving = new Map<string, Promise<ResolvedEncoder>>();

  constructor(formats: EmbeddedFormats, registry: RegistryClient, topic: string) {
    this.#formats = formats;
    this.#registry = registry;
    this.#topic = topic;
  }

  /** The part's bytes and report: synchronously when its encoder is known, else once it is resolved. */
  encode(part: ProducePart | null, which: 'key' | 'value'): EncodedPart | null | Promise<EncodedPart> {
    if (part === null) return null;
    if (part.type === 'BINARY' || part.type === 'JSON' || part.type === 'STRING')
      return encodePlain(part.type, part.data);
    const cacheKey = `${which}\n${part.type ?? ''}\n${JSON.stringify(part.schema)}`;
    const known = this.#resolved.get(cacheKey);
    if (known !== undefined) return encodeWith(known, part.data);
    return this.#resolve(cacheKey, part, which).then((resolved) => encodeWith(resolved, part.data));
  }

  #resolve(cacheKey: string, part: ProducePart, which: 'key' | 'value'): Promise<ResolvedEncoder> {
    let pending = this.#resolving.get(cacheKey);
    if (pending === undefined) {
      if (this.#resolving.size >= encodersMax)
        throw new RestError(restErrorCodes.unprocessableEntity, `one request may name at most ${encodersMax} schemas`);
      pending = this.#lookUp(part, which).then((resolved) => {
        this.#resolved.set(cacheKey, resolved);
        return resolved;
      });
      this.#resolving.set(cacheKey, pending);
    }
    return pending;
  }

  async #lookUp(part: ProducePart, which: 'key' | 'value'): Promise<ResolvedEncoder> {
    const schema = part.schema;
    if (schema === null) throw new RestError(restErrorCodes.unprocessableEntity, `${which}: no schema given`);
    if (schema.kind === 'inline') {
      const type = part.type as RegistryType;
      return { type, encoder: await this.#formats.encoder(formatOf[type], this.#topic, which, schema) };
    }
    let schemaId: number;
    let schemaType: SchemaType;
    try {
      if (schema.kind === 'id') {
        schemaId = schema.schemaId;
        schemaType = (await this.#registry.schemaById(schemaId)).schemaType;
      } else {
        const version = await this.#registry.version(schema.subject ?? `${this.#topic}-${which}`, schema.version);
        schemaId = version.id;
        schemaType = version.schema.schemaType;
      }
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404)
        throw new RestError(restErrorCodes.invalidRecord, `${which}: schema not found: ${error.message}`);
      throw error;
    }
    const type = typeOfSchema[schemaType];
    if (part.type !== null && part.type !== type)
      throw new RestError(restErrorCodes.invalidRecord, `${which}: the schema is ${type}, not ${part.type}`);
    return { type, encoder: await this.#formats.encoder(formatOf[type], this.#topic, which, { schemaId }) };
  }
}

function encodePlain(type: 'BINARY' | 'JSON' | 'STRING', data: unknown): EncodedPart {
  let bytes: Buffer | null;
  if (data === null) bytes = null;
  else if (type === 'BINARY') bytes = Buffer.from(data as string, 'base64');
  else if (type === 'STRING') bytes = Buffer.from(data as string, 'utf8');
  else bytes = Buffer.from(JSON.stringify(data), 'utf8');
  return { bytes, report: { type, size: bytes?.length ?? 0 } };
}

function encodeWith(resolved: ResolvedEncoder, data: unknown): EncodedPart {
  const bytes = resolved.encoder.encode(data);
  const report: PartReport = { type: resolved.type, size: bytes?.length ?? 0 };
  if (resolved.encoder.schemaId !== null) report.schema_id = resolved.encoder.schemaId;
  return { bytes, report };
}
