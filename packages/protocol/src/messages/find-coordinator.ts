/**
 * FindCoordinator (API key 10), versions 0-6. Flexible from v3.
 *
 * Request:  [key v0-3], [keyType v1+], [coordinatorKeys[string] v4+]
 * Response: [throttleTimeMs v1+],
 *           v0-3: errorCode, [errorMessage v1+], nodeId, host, port
 *           v4+:  coordinators[ key, nodeId, host, port, errorCode, errorMessage ]
 *
 * v1 adds the key type (group or transaction), throttle time and error
 * message; v2 matches v1 (responses go out before throttling); v3 is the
 * first flexible version; v4 (KIP-699) looks up a batch of keys of one type,
 * each answered with its own coordinator or error; v5 may answer
 * TRANSACTION_ABORTABLE (KIP-890; Runnel never does); v6 adds key type 2,
 * share groups (KIP-932), which Runnel does not have.
 */
import type { ApiDef } from '../schema/types.ts';

export const findCoordinator: ApiDef = {
  apiKey: 10,
  name: 'FindCoordinator',
  request: {
    name: 'FindCoordinatorRequest',
    apiKey: 10,
    kind: 'request',
    validVersions: '0-6',
    flexibleVersions: '3+',
    fields: [
      // A group id or a transactional id, depending on keyType.
      { name: 'key', type: 'string', versions: '0-3' },
      // 0 = group, 1 = transaction, 2 = share group (v6+).
      { name: 'keyType', type: 'int8', versions: '1+', default: 0, ignorable: false },
      // v4+: every key is of keyType; the answer has one coordinator per key.
      { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
    ],
  },
  response: {
    name: 'FindCoordinatorResponse',
    apiKey: 10,
    kind: 'response',
    validVersions: '0-6',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0-3' },
      { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', ignorable: true },
      { name: 'nodeId', type: 'int32', versions: '0-3' },
      { name: 'host', type: 'string', versions: '0-3' },
      { name: 'port', type: 'int32', versions: '0-3' },
      {
        name: 'coordinators',
        type: '[]',
        versions: '4+',
        fields: [
          { name: 'key', type: 'string', versions: '4+' },
          { name: 'nodeId', type: 'int32', versions: '4+' },
          { name: 'host', type: 'string', versions: '4+' },
          { name: 'port', type: 'int32', versions: '4+' },
          { name: 'errorCode', type: 'int16', versions: '4+' },
          { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+', ignorable: true },
        ],
      },
    ],
  },
};
