/** One registry schema compiled for its format: which codec reads and writes a record, and its message indexes. */
import { avroCodec } from './avro-codec.ts';
import { jsonCodec } from './json-codec.ts';
import { compileProtobuf } from './protobuf-codec.ts';
import type { ResolvedSchema, SchemaType, ValueCodec } from './schema.ts';
import { SerdeError } from './serde-error.ts';

export interface CompiledSchema {
  readonly schemaType: SchemaType;
  /** The index path written before the payload: Protobuf only (undefined for the others). */
  messageIndexes(messageName?: string): number[] | undefined;
  codecFor(messageIndexes: readonly number[] | undefined): ValueCodec;
}

export function compileSchema(resolved: ResolvedSchema): CompiledSchema {
  const { schemaType } = resolved.schema;
  if (schemaType === 'PROTOBUF') {
    const proto = compileProtobuf(resolved);
    return {
      schemaType,
      messageIndexes: (name) => proto.indexesOf(name),
      codecFor: (indexes) => proto.codecAt(indexes ?? [0]),
    };
  }
  const codec = schemaType === 'AVRO' ? avroCodec(resolved) : jsonCodec();
  return {
    schemaType,
    messageIndexes: (name) => {
      if (name !== undefined) throw new SerdeError(`a message name only applies to Protobuf, not ${schemaType}`);
      return undefined;
    },
    codecFor: () => codec,
  };
}
