/**
 * DescribeAcls (API key 29), version 1. Flexible from v2, above our range.
 *
 * Request:  resourceTypeFilter, resourceNameFilter (nullable), patternTypeFilter,
 *           principalFilter (nullable), hostFilter (nullable), operation, permissionType
 * Response: throttleTimeMs, errorCode, errorMessage (nullable),
 *           resources[resourceType, resourceName, patternType,
 *                     acls[principal, host, operation, permissionType]]
 *
 * v1 adds resource pattern types (KIP-290) to the filter and the result.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeAcls: ApiDef = {
  apiKey: 29,
  name: 'DescribeAcls',
  request: {
    name: 'DescribeAclsRequest',
    apiKey: 29,
    kind: 'request',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
      { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      // 3 = LITERAL; 1 = ANY and 2 = MATCH are only valid in filters.
      { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3, ignorable: false },
      { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'operation', type: 'int8', versions: '0+' },
      { name: 'permissionType', type: 'int8', versions: '0+' },
    ],
  },
  response: {
    name: 'DescribeAclsResponse',
    apiKey: 29,
    kind: 'response',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'resources',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          { name: 'patternType', type: 'int8', versions: '1+', default: 3, ignorable: false },
          {
            name: 'acls',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'principal', type: 'string', versions: '0+' },
              { name: 'host', type: 'string', versions: '0+' },
              { name: 'operation', type: 'int8', versions: '0+' },
              { name: 'permissionType', type: 'int8', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
