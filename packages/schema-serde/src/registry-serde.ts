/**
 * Serializers and deserializers in the registry's wire format
 * (wire-format.ts) for Avro, JSON Schema and Protobuf, on a RegistryClient.
 *
 * A RegistrySerializer is bound to one schema id, found once at creation
 * (registered under a subject, looked up there, or given), so `serialize`
 * is synchronous. A RegistryDeserializer reads any record, fetching and
 * compiling each schema id once. Both are owned by their creator and hold
 * no resources besides caches; a failure rejects that call only.
 */
import { type CompiledSchema, compileSchema } from './compiled-schema.ts';
import type { RegistryClient } from './registry-client.ts';
import type { Schema, SchemaType, ValueCodec } from './schema.ts';
import { SerdeError } from './serde-error.ts';
import { decodeFrame, decodeMessageIndexes, encodeFrame } from './wire-format.ts';

/** Confluent's TopicNameStrategy: `<topic>-key` or `<topic>-value`. */
export function topicSubject(topic: string, part: 'key' | 'value'): string {
  return `${topic}-${part}`;
}

export type SerializerTarget =
  /** Register `schema` under `subject` (as Confluent's auto.register.schemas), or with `autoRegister: false` find its id there. */
  | { subject: string; schema: Schema; autoRegister?: boolean; normalize?: boolean }
  /** Write with this id; the schema comes from the registry. */
  | { schemaId: number };

export class RegistrySerializer {
  readonly schemaId: number;
  readonly schemaType: SchemaType;
  readonly #codec: ValueCodec;
  readonly #messageIndexes: number[] | undefined;

  private constructor(schemaId: number, compiled: CompiledSchema, messageIndexes: number[] | undefined) {
    this.schemaId = schemaId;
    this.schemaType = compiled.schemaType;
    this.#messageIndexes = messageIndexes;
    this.#codec = compiled.codecFor(messageIndexes);
  }

  /** `messageName` picks a Protobuf message (default: the file's first). */
  static async create(
    client: RegistryClient,
    target: SerializerTarget,
    options: { messageName?: string } = {},
  ): Promise<RegistrySerializer> {
    if ('schemaId' in target) {
      const compiled = compileSchema(await client.resolve(await client.schemaById(target.schemaId)));
      return new RegistrySerializer(target.schemaId, compiled, compiled.messageIndexes(options.messageName));
    }
    // Compiled and the message found before registering: a schema this side cannot use should not become a version.
    const compiled = compileSchema(await client.resolve(target.schema));
    const messageIndexes = compiled.messageIndexes(options.messageName);
    const schemaId =
      target.autoRegister === false
        ? (await client.lookup(target.subject, target.schema)).id
        : await client.register(target.subject, target.schema, { normalize: target.normalize === true });
    return new RegistrySerializer(schemaId, compiled, messageIndexes);
  }

  /** The framed bytes of `value` (the format library's value or a plain object). */
  serialize(value: unknown): Buffer {
    return encodeFrame(this.schemaId, this.#codec.encode(value), this.#messageIndexes);
  }

  /** The framed bytes of a value given in the format's JSON form (ValueCodec.fromJson). */
  serializeJson(text: string): Buffer {
    return this.serialize(this.#codec.fromJson(text));
  }
}

export interface Deserialized {
  schemaId: number;
  schemaType: SchemaType;
  /** Protobuf only. */
  messageIndexes?: number[];
  value: unknown;
  /** The value in the format's JSON form. */
  toJson(): string;
}

export class RegistryDeserializer {
  readonly #client: RegistryClient;
  readonly #compiled = new Map<number, Promise<CompiledSchema>>();

  constructor(client: RegistryClient) {
    this.#client = client;
  }

  /** The value in a framed record; with `expected`, a SerdeError when the record's schema is of another type. */
  async deserialize(bytes: Uint8Array, expected?: SchemaType): Promise<Deserialized> {
    const { schemaId, body } = decodeFrame(bytes);
    const compiled = await this.#compile(schemaId);
    if (expected !== undefined && compiled.schemaType !== expected) {
      throw new SerdeError(`schema id ${schemaId} is ${compiled.schemaType}, not ${expected}`);
    }
    if (compiled.schemaType === 'PROTOBUF') {
      const { indexes, payload } = decodeMessageIndexes(body);
      const codec = compiled.codecFor(indexes);
      const value = codec.decode(payload);
      return { schemaId, schemaType: 'PROTOBUF', messageIndexes: indexes, value, toJson: () => codec.toJson(value) };
    }
    const codec = compiled.codecFor(undefined);
    const value = codec.decode(body);
    return { schemaId, schemaType: compiled.schemaType, value, toJson: () => codec.toJson(value) };
  }

  #compile(schemaId: number): Promise<CompiledSchema> {
    let compiling = this.#compiled.get(schemaId);
    if (compiling === undefined) {
      compiling = this.#client
        .schemaById(schemaId)
        .then((schema) => this.#client.resolve(schema))
        .then(compileSchema);
      this.#compiled.set(schemaId, compiling);
      compiling.catch(() => this.#compiled.delete(schemaId));
    }
    return compiling;
  }
}
