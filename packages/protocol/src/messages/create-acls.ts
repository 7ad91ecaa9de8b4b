/**
 * CreateAcls (API key 30), version 1. Flexible from v2, above our range.
 *
 * Request:  creations[resourceType, resourceName, resourcePatternType,
 *                     principal, host, operation, permissionType]
 * Response: throttleTimeMs, results[errorCode, errorMessage (nullable)]
 *
 * v1 adds the resource pattern type (KIP-290). Results line up with
 * creations by position.
 */
import type { ApiDef } from '../schema/types.ts';

export const createAcls: ApiDef = {
  apiKey: 30,
  name: 'CreateAcls',
  request: {
    name: 'CreateAclsRequest',
    apiKey: 30,
    kind: 'request',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'creations',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          // 3 = LITERAL, 4 = PREFIXED.
          { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
          { name: 'principal', type: 'string', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'CreateAclsResponse',
    apiKey: 30,
    kind: 'response',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
};
