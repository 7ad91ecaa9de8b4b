/**
 * The shape of a Kafka message definition, written as data.
 *
 * Runnel's message definitions (src/messages/*.ts) are our own, written from
 * the public protocol specification. The codec in src/schema interprets them
 * in both directions; scripts/gen-protocol-types.ts turns them into the
 * TypeScript types in src/generated/.
 *
 * Version specs use Kafka's notation: "0+" (0 and later), "3-5", "2", "none".
 */
export type VersionSpec = string;

export type PrimitiveType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

/**
 * A field's type: a primitive, "[]" + primitive for an array of primitives,
 * "[]" for an array of structs (the struct's fields in `fields`), or
 * "struct" for a single nested struct (its fields in `fields`).
 */
export type FieldType = PrimitiveType | `[]${PrimitiveType}` | '[]' | 'struct';

export interface FieldDef {
  /** camelCase; the key of the field in decoded objects. */
  readonly name: string;
  readonly type: FieldType;
  /** Versions in which the field is present. */
  readonly versions: VersionSpec;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  readonly nullableVersions?: VersionSpec;
  /** Versions in which the field is a tagged field (then `tag` is required). */
  readonly taggedVersions?: VersionSpec;
  readonly tag?: number;
  /** Value used when encoding a version that lacks the field, and for absent tagged fields. */
  readonly default?: number | bigint | boolean | string | null;
  /** If false (default), encoding a non-default value at a version without the field is an error. */
  readonly ignorable?: boolean;
  /** Fields of the struct, for types "[]" and "struct". */
  readonly fields?: readonly FieldDef[];
  /** Versions in which this field uses flexible encoding, overriding the message (only the header's clientId uses it). */
  readonly flexibleVersions?: VersionSpec;
}

export interface MessageDef {
  /** "ProduceRequest", "ProduceResponse", ... */
  readonly name: string;
  readonly apiKey: number;
  readonly kind: 'request' | 'response' | 'header' | 'data';
  /** Versions this definition covers (at least the advertised range). */
  readonly validVersions: VersionSpec;
  /** Versions using compact encodings and tagged fields ("none" if never). */
  readonly flexibleVersions: VersionSpec;
  readonly fields: readonly FieldDef[];
}

/** One API: its key, name and the two message definitions. */
export interface ApiDef {
  readonly apiKey: number;
  /** "Produce", "Fetch", ... */
  readonly name: string;
  readonly request: MessageDef;
  readonly response: MessageDef;
}
