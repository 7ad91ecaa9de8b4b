/**
 * UpdateFeatures (API key 57), versions 0-2 (Kafka 4.1's range). Flexible
 * in every version.
 *
 * Request:  timeoutMs, featureUpdates[feature, maxVersionLevel,
 *           allowDowngrade (v0), upgradeType (v1+)], validateOnly (v1+)
 * Response: throttleTimeMs, errorCode, errorMessage,
 *           results (v0-1)[feature, errorCode, errorMessage]
 *
 * v1 (KIP-778) replaces allowDowngrade with the upgrade type (1 upgrade,
 * 2 safe downgrade, 3 unsafe downgrade) and adds validateOnly; v2 drops the
 * per-feature results (the top-level error says it all: updates are all or
 * nothing).
 */
import type { ApiDef } from '../schema/types.ts';

export const updateFeatures: ApiDef = {
  apiKey: 57,
  name: 'UpdateFeatures',
  request: {
    name: 'UpdateFeaturesRequest',
    apiKey: 57,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      {
        name: 'featureUpdates',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'feature', type: 'string', versions: '0+' },
          // 0 removes the feature.
          { name: 'maxVersionLevel', type: 'int16', versions: '0+' },
          { name: 'allowDowngrade', type: 'bool', versions: '0', default: false },
          { name: 'upgradeType', type: 'int8', versions: '1+', default: 1 },
        ],
      },
      { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
    ],
  },
  response: {
    name: 'UpdateFeaturesResponse',
    apiKey: 57,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      {
        name: 'results',
        type: '[]',
        versions: '0-1',
        ignorable: true,
        fields: [
          { name: 'feature', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        ],
      },
    ],
  },
};
