/**
 * SaslHandshake (API key 17), versions 0-1. Never flexible.
 *
 * Request:  mechanism
 * Response: errorCode, mechanisms[]
 *
 * After a v0 handshake the client sends raw SASL tokens as bare
 * length-prefixed frames; after v1 it wraps them in SaslAuthenticate.
 */
import type { ApiDef } from '../schema/types.ts';

export const saslHandshake: ApiDef = {
  apiKey: 17,
  name: 'SaslHandshake',
  request: {
    name: 'SaslHandshakeRequest',
    apiKey: 17,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
  },
  response: {
    name: 'SaslHandshakeResponse',
    apiKey: 17,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      // Every mechanism the broker enables, so a client can retry with one.
      { name: 'mechanisms', type: '[]string', versions: '0+' },
    ],
  },
};
