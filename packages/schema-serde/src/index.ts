export { type CompiledSchema, compileSchema } from './compiled-schema.ts';
export { type RegisteredVersion, RegistryClient, RegistryError } from './registry-client.ts';
export {
  type Deserialized,
  RegistryDeserializer,
  RegistrySerializer,
  type SerializerTarget,
  topicSubject,
} from './registry-serde.ts';
export {
  type ResolvedSchema,
  type Schema,
  type SchemaReference,
  type SchemaType,
  schemaTypes,
  type ValueCodec,
} from './schema.ts';
export { SerdeError } from './serde-error.ts';
export {
  decodeFrame,
  decodeMessageIndexes,
  encodeFrame,
  encodeMessageIndexes,
  type FrameHeader,
  magicByte,
} from './wire-format.ts';
