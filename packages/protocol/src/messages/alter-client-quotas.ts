/**
 * AlterClientQuotas (API key 49), versions 0-1 (Kafka 4.1's range); v1 is
 * v0 made flexible.
 *
 * Request:  entries[entity[entityType, entityName], ops[key, value, remove]],
 *           validateOnly
 * Response: throttleTimeMs, entries[errorCode, errorMessage,
 *           entity[entityType, entityName]]
 *
 * A null entityName is the `<default>` entity of its type; `value` is
 * ignored when `remove` is set. Each entry succeeds or fails on its own.
 */
import type { ApiDef, FieldDef } from '../schema/types.ts';

const entityFields: readonly FieldDef[] = [
  { name: 'entityType', type: 'string', versions: '0+' },
  { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
];

export const alterClientQuotas: ApiDef = {
  apiKey: 49,
  name: 'AlterClientQuotas',
  request: {
    name: 'AlterClientQuotasRequest',
    apiKey: 49,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'entries',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'entity', type: '[]', versions: '0+', fields: entityFields },
          {
            name: 'ops',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
              { name: 'remove', type: 'bool', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'AlterClientQuotasResponse',
    apiKey: 49,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'entries',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'entity', type: '[]', versions: '0+', fields: entityFields },
        ],
      },
    ],
  },
};
