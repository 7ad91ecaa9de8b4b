/**
 * DescribeConfigs (API key 32), versions 1-4 (v0, with its isDefault flag,
 * left Kafka in 4.0 with KIP-896). Flexible from v4.
 *
 * Request:  resources[resourceType, resourceName, configurationKeys (nullable)],
 *           includeSynonyms, includeDocumentation (v3+)
 * Response: throttleTimeMs, results[errorCode, errorMessage, resourceType,
 *           resourceName, configs[name, value, readOnly, configSource,
 *           isSensitive, synonyms[name, value, source], configType (v3+),
 *           documentation (v3+)]]
 *
 * v1 adds includeSynonyms, configSource and synonyms (replacing v0's
 * isDefault); v2 matches v1 (responses go out before throttling); v3 adds
 * each config's type and, when asked for, its documentation (KIP-569); v4
 * is the flexible encoding.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeConfigs: ApiDef = {
  apiKey: 32,
  name: 'DescribeConfigs',
  request: {
    name: 'DescribeConfigsRequest',
    apiKey: 32,
    kind: 'request',
    validVersions: '1-4',
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
      { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false, ignorable: false },
    ],
  },
  response: {
    name: 'DescribeConfigsResponse',
    apiKey: 32,
    kind: 'response',
    validVersions: '1-4',
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
              // 1 boolean, 2 string, 3 int, 4 short, 5 long, 6 double, 7 list, 8 class, 9 password; 0 unknown.
              { name: 'configType', type: 'int8', versions: '3+', default: 0, ignorable: true },
              { name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+', ignorable: true },
            ],
          },
        ],
      },
    ],
  },
};
