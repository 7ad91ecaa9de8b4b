/**
 * Request and response headers as message definitions.
 *
 *   RequestHeader v0:  api_key int16, api_version int16, correlation_id int32
 *   RequestHeader v1:  v0 + client_id nullable STRING (int16 length)
 *   RequestHeader v2:  v1 + tagged fields; client_id keeps its int16 length
 *   ResponseHeader v0: correlation_id int32
 *   ResponseHeader v1: v0 + tagged fields
 *
 * Which header version a message uses is decided in ../frame.ts.
 */
import type { MessageDef } from '../schema/types.ts';

export const requestHeaderDef: MessageDef = {
  name: 'RequestHeader',
  apiKey: -1,
  kind: 'header',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'apiKey', type: 'int16', versions: '0+' },
    { name: 'apiVersion', type: 'int16', versions: '0+' },
    { name: 'correlationId', type: 'int32', versions: '0+' },
    // Always a classic string, even in v2, so a broker can read it before it knows the API.
    {
      name: 'clientId',
      type: 'string',
      versions: '1+',
      nullableVersions: '1+',
      flexibleVersions: 'none',
      default: null,
    },
  ],
};

export const responseHeaderDef: MessageDef = {
  name: 'ResponseHeader',
  apiKey: -1,
  kind: 'header',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [{ name: 'correlationId', type: 'int32', versions: '0+' }],
};
