/**
 * The key and value formats of `runnel produce` and `runnel consume`:
 * `string` (the bytes as they are) or a Schema Registry format — `avro`,
 * `json` (JSON Schema) or `protobuf` — written and read in the registry's
 * wire format with `@runnel/schema-serde`. Input lines and printed records
 * are the format's JSON form (Avro's JSON encoding for Avro).
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  RegistryClient,
  type RegistryDeserializer,
  RegistryError,
  RegistrySerializer,
  type SchemaReference,
  type SchemaType,
  SerdeError,
  topicSubject,
} from '@runnel/schema-serde';
import { InvalidArgumentError, Option } from 'commander';
import { fail } from './cluster-connection.ts';
import { parseIntOption } from './options.ts';

export type RecordFormat = 'string' | 'avro' | 'json' | 'protobuf';
export type RecordPart = 'key' | 'value';

const formats: readonly RecordFormat[] = ['string', 'avro', 'json', 'protobuf'];
const schemaTypeOf: Record<Exclude<RecordFormat, 'string'>, SchemaType> = {
  avro: 'AVRO',
  json: 'JSON',
  protobuf: 'PROTOBUF',
};

export interface RegistryOptions {
  registryUrl: string;
}

/** What commander collects from the options `serializerOptions` adds, for one part. */
export interface PartSerializerOptions {
  format: RecordFormat;
  schema?: string;
  schemaId?: number;
  message?: string;
  references?: SchemaReference[];
  autoRegister: boolean;
}

export function registryOption(): Option {
  return new Option('--registry-url <url>', 'Schema Registry for the avro, json and protobuf formats')
    .default('http://127.0.0.1:8081')
    .env('RUNNEL_REGISTRY_URL');
}

export function formatOption(part: RecordPart): Option {
  return new Option(
    `--${part}-format <format>`,
    `${part} format: string (bytes as they are), or avro, json (JSON Schema) or protobuf in the registry's wire format`,
  )
    .choices(formats)
    .default('string');
}

/** The options that say which schema `produce` writes one part with. */
export function serializerOptions(part: RecordPart): Option[] {
  return [
    formatOption(part),
    new Option(
      `--${part}-schema <file|schema>`,
      `the ${part} schema: a file, or the schema text itself; registered under the subject <topic>-${part}`,
    ).conflicts(`${part}SchemaId`),
    new Option(`--${part}-schema-id <id>`, `write the ${part} with this registered schema id instead`).argParser(
      parseIntOption,
    ),
    new Option(`--${part}-message <name>`, `protobuf: the ${part} message (default: the first in the schema)`),
    new Option(
      `--${part}-reference <name=subject:version>`,
      `a reference of the ${part} schema to another subject's version; repeat for more`,
    ).argParser(collectReference),
  ];
}

/** `--no-auto-register`: find the schema's id under the subject instead of registering it. */
export function autoRegisterOption(): Option {
  return new Option('--no-auto-register', 'look the schema up under its subject instead of registering it');
}

/** The serializer options of one part, as commander named them (`valueFormat`, `valueSchema`...). */
export function partOptions(options: object, part: RecordPart): PartSerializerOptions {
  const all = options as Record<string, unknown>;
  const read = <T>(name: string): T | undefined => all[`${part}${name}`] as T | undefined;
  const result: PartSerializerOptions = {
    format: read<RecordFormat>('Format') ?? 'string',
    autoRegister: all.autoRegister !== false,
  };
  const schema = read<string>('Schema');
  const schemaId = read<number>('SchemaId');
  const message = read<string>('Message');
  const references = read<SchemaReference[]>('Reference');
  if (schema !== undefined) result.schema = schema;
  if (schemaId !== undefined) result.schemaId = schemaId;
  if (message !== undefined) result.message = message;
  if (references !== undefined) result.references = references;
  return result;
}

/**
 * Turns one input text into the bytes of one part: as they are for
 * `string`, else the registry frame of the JSON text under the schema the
 * options name (registered once, here, before any record is read).
 */
export async function partSerializer(
  registry: RegistryClient,
  topic: string,
  part: RecordPart,
  options: PartSerializerOptions,
): Promise<(text: string) => Buffer> {
  if (options.format === 'string') return (text) => Buffer.from(text);
  const schemaType = schemaTypeOf[options.format];
  const messageName = options.message === undefined ? {} : { messageName: options.message };
  let serializer: RegistrySerializer;
  if (options.schemaId !== undefined) {
    serializer = await RegistrySerializer.create(registry, { schemaId: options.schemaId }, messageName);
    if (serializer.schemaType !== schemaType) {
      throw new SerdeError(`schema id ${options.schemaId} is ${serializer.schemaType}, not ${options.format}`);
    }
  } else if (options.schema !== undefined) {
    const schema = { schemaType, schema: readSchemaArgument(options.schema), references: options.references ?? [] };
    const target = { subject: topicSubject(topic, part), schema, autoRegister: options.autoRegister };
    serializer = await RegistrySerializer.create(registry, target, messageName);
  } else {
    throw new SerdeError(`--${part}-format ${options.format} needs --${part}-schema or --${part}-schema-id`);
  }
  return (text) => serializer.serializeJson(text);
}

/** Turns the bytes of one part into printable text: as they are for `string`, else the decoded JSON form. */
export function partDeserializer(
  deserializer: RegistryDeserializer,
  format: RecordFormat,
): (bytes: Uint8Array | null) => string | Promise<string> {
  // Synchronous for string, so plain consumption pays no promise per record.
  if (format === 'string') {
    return (bytes) => (bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
  }
  const expected = schemaTypeOf[format];
  return async (bytes) => (bytes === null ? '' : (await deserializer.deserialize(bytes, expected)).toJson());
}

export function registryClient(options: RegistryOptions): RegistryClient {
  return new RegistryClient(options.registryUrl);
}

/** Runs `body`; a registry answer or a value that does not fit its schema is printed and sets exit code 1. */
export async function withSerdeErrors(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof RegistryError) {
      fail(`schema registry: ${registryStatus(error)}${error.message}`);
    } else if (error instanceof SerdeError) {
      fail(error.message);
    } else {
      throw error;
    }
  }
}

function registryStatus(error: RegistryError): string {
  if (error.status === 0) return '';
  return error.errorCode === error.status ? `${error.status} ` : `${error.status} (error code ${error.errorCode}) `;
}

/** A schema option names a file when one exists at that path; otherwise it is the schema itself. */
function readSchemaArgument(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8') : value;
}

function collectReference(value: string, previous: readonly SchemaReference[] = []): SchemaReference[] {
  const match = /^(.+)=([^=]+):(\d+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`"${value}" is not name=subject:version`);
  const [, name = '', subject = '', version = ''] = match;
  return [...previous, { name, subject, version: Number(version) }];
}
