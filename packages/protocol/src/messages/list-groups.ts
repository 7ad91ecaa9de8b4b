/**
 * ListGroups (API key 16), versions 0-2. Flexible from v3, above our range.
 *
 * Request:  (no fields)
 * Response: [throttleTimeMs v1+], errorCode, groups[ groupId, protocolType ]
 *
 * v1 adds the response throttle time; v2 matches v1.
 */
import type { ApiDef } from '../schema/types.ts';

export const listGroups: ApiDef = {
  apiKey: 16,
  name: 'ListGroups',
  request: {
    name: 'ListGroupsRequest',
    apiKey: 16,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '3+',
    fields: [],
  },
  response: {
    name: 'ListGroupsResponse',
    apiKey: 16,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'groups',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
        ],
      },
    ],
  },
};
