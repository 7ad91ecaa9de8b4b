/**
 * AlterConfigs (API key 33), versions 0-2. Flexible from v2.
 *
 * Request:  resources[resourceType, resourceName, configs[name, value]], validateOnly
 * Response: throttleTimeMs, responses[errorCode, errorMessage, resourceType, resourceName]
 *
 * v1 matches v0 (responses go out before throttling); v2 is the flexible
 * encoding. The request replaces a
 * resource's whole dynamic config; keys not listed are removed.
 */
import type { ApiDef } from '../schema/types.ts';

export const alterConfigs: ApiDef = {
  apiKey: 33,
  name: 'AlterConfigs',
  request: {
    name: 'AlterConfigsRequest',
    apiKey: 33,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
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
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'AlterConfigsResponse',
    apiKey: 33,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
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
