// Public entry of @runnel/protocol.
export type { AdvertisedApi, ApiKey } from './api-versions-table.ts';
export { ApiKeys, advertisedApis } from './api-versions-table.ts';
export type { ErrorCodeName, ErrorCodeValue } from './errors.ts';
export { ErrorCode, errorDescription, errorName, isRetriable } from './errors.ts';
export type { RequestDecodeError, RequestDecodeResult, RequestHeader } from './frame.ts';
export {
  apiDefByKey,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from './frame.ts';
export type * from './generated/messages.ts';
export type { KafkaRange, NotServedApi } from './kafka-reference-versions.ts';
export { kafka41BrokerVersions, notServedApis } from './kafka-reference-versions.ts';
export { requestHeaderDef, responseHeaderDef } from './messages/headers.ts';
export { apiDefs } from './messages/index.ts';
export * from './records/index.ts';
export { decodeMessage, EncodeError, encodeMessage, readMessage, writeMessage } from './schema/codec.ts';
export { DecodeError, Reader } from './schema/reader.ts';
export type { ApiDef, FieldDef, FieldType, MessageDef, PrimitiveType, VersionSpec } from './schema/types.ts';
export { inVersions, parseVersions, versionsOf } from './schema/versions.ts';
export { Writer } from './schema/writer.ts';
export type { RequestApiKey } from './typed-bodies.ts';
export { asRequest, asResponse } from './typed-bodies.ts';
