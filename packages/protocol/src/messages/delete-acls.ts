/**
 * DeleteAcls (API key 31), version 1. Flexible from v2, above our range.
 *
 * Request:  filters[resourceTypeFilter, resourceNameFilter (nullable),
 *                   patternTypeFilter, principalFilter (nullable),
 *                   hostFilter (nullable), operation, permissionType]
 * Response: throttleTimeMs,
 *           filterResults[errorCode, errorMessage (nullable),
 *                         matchingAcls[errorCode, errorMessage (nullable),
 *                                      resourceType, resourceName, patternType,
 *                                      principal, host, operation, permissionType]]
 *
 * v1 adds resource pattern types (KIP-290) to filters and matches.
 */
import type { ApiDef } from '../schema/types.ts';

export const deleteAcls: ApiDef = {
  apiKey: 31,
  name: 'DeleteAcls',
  request: {
    name: 'DeleteAclsRequest',
    apiKey: 31,
    kind: 'request',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'filters',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
          { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3, ignorable: false },
          { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'operation', type: 'int8', versions: '0+' },
          { name: 'permissionType', type: 'int8', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DeleteAclsResponse',
    apiKey: 31,
    kind: 'response',
    validVersions: '1',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'filterResults',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          {
            name: 'matchingAcls',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'resourceType', type: 'int8', versions: '0+' },
              { name: 'resourceName', type: 'string', versions: '0+' },
              { name: 'patternType', type: 'int8', versions: '1+', default: 3, ignorable: false },
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
