/**
 * FindCoordinator (API key 10), versions 0-2. Flexible from v3, above our range.
 *
 * Request:  key, [keyType v1+]
 * Response: [throttleTimeMs v1+], errorCode, [errorMessage v1+], nodeId, host, port
 *
 * v1 adds the key type (group or transaction), throttle time and error
 * message; v2 matches v1 (responses go out before throttling). The batched
 * form (coordinatorKeys / coordinators) starts at v4 and is not covered.
 */
import type { ApiDef } from '../schema/types.ts';

export const findCoordinator: ApiDef = {
  apiKey: 10,
  name: 'FindCoordinator',
  request: {
    name: 'FindCoordinatorRequest',
    apiKey: 10,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '3+',
    fields: [
      // A group id or a transactional id, depending on keyType.
      { name: 'key', type: 'string', versions: '0-3' },
      // 0 = group, 1 = transaction.
      { name: 'keyType', type: 'int8', versions: '1+', default: 0, ignorable: false },
    ],
  },
  response: {
    name: 'FindCoordinatorResponse',
    apiKey: 10,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0-3' },
      { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', ignorable: true },
      { name: 'nodeId', type: 'int32', versions: '0-3' },
      { name: 'host', type: 'string', versions: '0-3' },
      { name: 'port', type: 'int32', versions: '0-3' },
    ],
  },
};
