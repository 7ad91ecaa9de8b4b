/**
 * IncrementalAlterConfigs (API key 44), versions 0-1. Flexible from v1.
 *
 * Request:  resources[resourceType, resourceName, configs[name, configOperation, value]], validateOnly
 * Response: throttleTimeMs, responses[errorCode, errorMessage, resourceType, resourceName]
 *
 * Unlike AlterConfigs, each entry is an operation on one key (0 set,
 * 1 delete, 2 append, 3 subtract); keys not listed keep their value.
 * v1 changes only the encoding (compact strings and arrays, tagged fields).
 */
import type { ApiDef } from '../schema/types.ts';

export const incrementalAlterConfigs: ApiDef = {
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  request: {
    name: 'IncrementalAlterConfigsRequest',
    apiKey: 44,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'resources',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'configOperation', type: 'int8', versions: '0+' },
              // Null only makes sense for delete, which ignores the value.
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'IncrementalAlterConfigsResponse',
    apiKey: 44,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'responses',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
        ],
      },
    ],
  },
};
