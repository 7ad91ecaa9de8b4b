/**
 * DescribeGroups (API key 15), versions 0-6. Flexible from v5.
 *
 * Request:  groups[string], [includeAuthorizedOperations v3+]
 * Response: [throttleTimeMs v1+],
 *           groups[ errorCode, [errorMessage v6+], groupId, groupState, protocolType, protocolData,
 *                   members[ memberId, [groupInstanceId v4+], clientId, clientHost,
 *                            memberMetadata(bytes), memberAssignment(bytes) ],
 *                   [authorizedOperations v3+] ]
 *
 * v1 adds the response throttle time; v2 matches v1; v3 lets the client ask for
 * the operations it may perform on each group; v4 reports members' instance ids;
 * v5 is the first flexible version; v6 (KIP-1043) answers GROUP_ID_NOT_FOUND,
 * with a message, for a group that does not exist, where v0-5 describe it as
 * a Dead group with no error.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeGroups: ApiDef = {
  apiKey: 15,
  name: 'DescribeGroups',
  request: {
    name: 'DescribeGroupsRequest',
    apiKey: 15,
    kind: 'request',
    validVersions: '0-6',
    flexibleVersions: '5+',
    fields: [
      { name: 'groups', type: '[]string', versions: '0+' },
      { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+', default: false, ignorable: true },
    ],
  },
  response: {
    name: 'DescribeGroupsResponse',
    apiKey: 15,
    kind: 'response',
    validVersions: '0-6',
    flexibleVersions: '5+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'groups',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
          // The selected protocol (assignor) name; empty unless the group is Stable.
          { name: 'protocolData', type: 'string', versions: '0+' },
          {
            name: 'members',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'memberId', type: 'string', versions: '0+' },
              {
                name: 'groupInstanceId',
                type: 'string',
                versions: '4+',
                nullableVersions: '4+',
                default: null,
                ignorable: true,
              },
              { name: 'clientId', type: 'string', versions: '0+' },
              { name: 'clientHost', type: 'string', versions: '0+' },
              { name: 'memberMetadata', type: 'bytes', versions: '0+' },
              { name: 'memberAssignment', type: 'bytes', versions: '0+' },
            ],
          },
          // Bit set of ACL operations; INT32_MIN means "not requested".
          { name: 'authorizedOperations', type: 'int32', versions: '3+', default: -2147483648 },
        ],
      },
    ],
  },
};
