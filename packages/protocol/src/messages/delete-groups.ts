/**
 * DeleteGroups (API key 42), versions 0-2. Flexible from v2.
 *
 * Request:  groupsNames[string]
 * Response: throttleTimeMs, results[ groupId, errorCode ]
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied; v2 is the first flexible version and otherwise matches v1.
 */
import type { ApiDef } from '../schema/types.ts';

export const deleteGroups: ApiDef = {
  apiKey: 42,
  name: 'DeleteGroups',
  request: {
    name: 'DeleteGroupsRequest',
    apiKey: 42,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
  },
  response: {
    name: 'DeleteGroupsResponse',
    apiKey: 42,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
};
