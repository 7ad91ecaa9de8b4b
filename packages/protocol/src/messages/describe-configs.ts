/**
 * DescribeConfigs (API key 32), versions 1-2. Flexible from v4, above our range.
 *
 * Request:  resources[resourceType, resourceName, configurationKeys (nullable)],
 *           includeSynonyms
 * Response: throttleTimeMs, results[errorCode, errorMessage, resourceType,
 *           resourceName, configs[name, value, readOnly, configSource,
 *           isSensitive, synonyms[name, value, source]]]
 *
 * v1 adds includeSynonyms, configSource and synonyms (replacing v0's
 * isDefault); v2 matches v1 (responses go out before throttling).
 */
import type { ApiDef } from '../schema/types.ts';

export const describeConfigs: ApiDef = {
  apiKey: 32,
  name: 'DescribeConfigs',
  request: {
    name: 'DescribeConfigsRequest',
    apiKey: 32,
    kind: 'request',
    validVersions: '1-2',
    flexibleVersions: '4+',
    fields: [
      {
        name: 'resources',
        type: '[]',
        versions: '0+',
        fields: [
          // 2 = topic, 4 = broker, 8 = broker logger.
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          // Null lists every key.
          { name: 'configurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
        ],
      },
      { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false, ignorable: false },
    ],
  },
  response: {
    name: 'DescribeConfigsResponse',
    apiKey: 32,
    kind: 'response',
    validVersions: '1-2',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'readOnly', type: 'bool', versions: '0+' },
              // Where the value came from (dynamic topic, static broker, default, ...).
              { name: 'configSource', type: 'int8', versions: '1+', default: -1, ignorable: true },
              { name: 'isSensitive', type: 'bool', versions: '0+' },
              {
                // The value at each config level, highest precedence first.
                name: 'synonyms',
                type: '[]',
                versions: '1+',
                ignorable: true,
                fields: [
                  { name: 'name', type: 'string', versions: '1+' },
                  { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                  { name: 'source', type: 'int8', versions: '1+' },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
};
