/** Schemas as the registry stores and serves them. */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const schemaTypes: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

/** A reference to another subject's version: `name` is how the schema refers to it (an Avro full name, a $ref URL, an import path). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface Schema {
  schemaType: SchemaType;
  schema: string;
  references: readonly SchemaReference[];
}

/**
 * A schema with the schemas it references, transitively, each once, in an
 * order where every schema comes after the ones it references: what a
 * parser needs to resolve names that live in other subjects.
 */
export interface ResolvedSchema {
  schema: Schema;
  referenced: readonly { name: string; schema: Schema }[];
}

/**
 * One schema compiled for reading and writing values. Values are the
 * format library's own (avsc values, protobufjs messages or plain objects,
 * JSON values); `fromJson`/`toJson` convert from and to the format's JSON
 * text form, which is what the CLI reads and prints.
 */
export interface ValueCodec {
  /** The payload for `value`; a SerdeError when the schema refuses it. */
  encode(value: unknown): Buffer;
  /** The value in `payload`; a SerdeError when it does not decode. */
  decode(payload: Buffer): unknown;
  fromJson(text: string): unknown;
  toJson(value: unknown): string;
}
