/**
 * SaslAuthenticate (API key 36), versions 0-1. Flexible from v2, above our range.
 *
 * Request:  authBytes
 * Response: errorCode, errorMessage (nullable), authBytes, [sessionLifetimeMs v1+]
 *
 * v1 adds the session lifetime after which the client must re-authenticate
 * (KIP-368).
 */
import type { ApiDef } from '../schema/types.ts';

export const saslAuthenticate: ApiDef = {
  apiKey: 36,
  name: 'SaslAuthenticate',
  request: {
    name: 'SaslAuthenticateRequest',
    apiKey: 36,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '2+',
    fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
  },
  response: {
    name: 'SaslAuthenticateResponse',
    apiKey: 36,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '2+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'authBytes', type: 'bytes', versions: '0+' },
      // 0 means the session never expires.
      { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0n, ignorable: true },
    ],
  },
};
