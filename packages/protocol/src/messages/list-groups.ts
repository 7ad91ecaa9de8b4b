/**
 * ListGroups (API key 16), versions 0-5. Flexible from v3.
 *
 * Request:  [statesFilter[string] v4+], [typesFilter[string] v5+]
 * Response: [throttleTimeMs v1+], errorCode,
 *           groups[ groupId, protocolType, [groupState v4+], [groupType v5+] ]
 *
 * v1 adds the response throttle time; v2 matches v1; v3 is the first flexible
 * version; v4 (KIP-518) lists only groups in the given states (Stable,
 * PreparingRebalance, CompletingRebalance, Empty, Dead; compared without
 * regard to case; empty: every state) and reports each group's state; v5
 * (KIP-848) filters by group type (classic, consumer, share, streams) and
 * reports each group's type.
 */
import type { ApiDef } from '../schema/types.ts';

export const listGroups: ApiDef = {
  apiKey: 16,
  name: 'ListGroups',
  request: {
    name: 'ListGroupsRequest',
    apiKey: 16,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'statesFilter', type: '[]string', versions: '4+' },
      { name: 'typesFilter', type: '[]string', versions: '5+' },
    ],
  },
  response: {
    name: 'ListGroupsResponse',
    apiKey: 16,
    kind: 'response',
    validVersions: '0-5',
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
          { name: 'groupState', type: 'string', versions: '4+', ignorable: true },
          { name: 'groupType', type: 'string', versions: '5+', ignorable: true },
        ],
      },
    ],
  },
};
