/**
 * DescribeClientQuotas (API key 48), versions 0-1 (Kafka 4.1's range); v1
 * is v0 made flexible.
 *
 * Request:  components[entityType, matchType, match], strict
 * Response: throttleTimeMs, errorCode, errorMessage,
 *           entries (nullable)[entity[entityType, entityName], values[key, value]]
 *
 * matchType: 0 the exact name in `match`, 1 the default entity (`match`
 * null), 2 any entity of that type (`match` null). `strict` leaves out
 * entities with types the filter does not name. A null entityName is the
 * `<default>` entity; a failed describe answers a top-level error and null
 * entries.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeClientQuotas: ApiDef = {
  apiKey: 48,
  name: 'DescribeClientQuotas',
  request: {
    name: 'DescribeClientQuotasRequest',
    apiKey: 48,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'components',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'entityType', type: 'string', versions: '0+' },
          { name: 'matchType', type: 'int8', versions: '0+' },
          { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
      { name: 'strict', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'DescribeClientQuotasResponse',
    apiKey: 48,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'entries',
        type: '[]',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          {
            name: 'entity',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'entityType', type: 'string', versions: '0+' },
              { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
          {
            name: 'values',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
