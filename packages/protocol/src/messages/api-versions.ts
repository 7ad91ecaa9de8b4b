/**
 * ApiVersions (key 18), v0-4.
 *
 *   Request v0-2:  (empty)
 *   Request v3:    client_software_name COMPACT_STRING, client_software_version COMPACT_STRING, tags
 *   Response v0:   error_code int16, api_keys [api_key int16, min_version int16, max_version int16]
 *   Response v1-2: v0 + throttle_time_ms int32
 *   Response v3:   flexible; tagged 0 supported_features, 1 finalized_features_epoch,
 *                  2 finalized_features, 3 zk_migration_ready
 *   v4:            as v3; the client can read a supported feature whose minimum
 *                  is 0 (KAFKA-17011: older Java clients refuse one, so v3
 *                  answers leave such features out)
 *
 * The response always travels with response header v0 (see ../frame.ts).
 */
import type { ApiDef } from '../schema/types.ts';

export const apiVersions: ApiDef = {
  apiKey: 18,
  name: 'ApiVersions',
  request: {
    name: 'ApiVersionsRequest',
    apiKey: 18,
    kind: 'request',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [
      { name: 'clientSoftwareName', type: 'string', versions: '3+', ignorable: true },
      { name: 'clientSoftwareVersion', type: 'string', versions: '3+', ignorable: true },
    ],
  },
  response: {
    name: 'ApiVersionsResponse',
    apiKey: 18,
    kind: 'response',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'apiKeys',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'apiKey', type: 'int16', versions: '0+' },
          { name: 'minVersion', type: 'int16', versions: '0+' },
          { name: 'maxVersion', type: 'int16', versions: '0+' },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'supportedFeatures',
        type: '[]',
        versions: '3+',
        taggedVersions: '3+',
        tag: 0,
        ignorable: true,
        fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'minVersion', type: 'int16', versions: '3+' },
          { name: 'maxVersion', type: 'int16', versions: '3+' },
        ],
      },
      {
        name: 'finalizedFeaturesEpoch',
        type: 'int64',
        versions: '3+',
        taggedVersions: '3+',
        tag: 1,
        default: -1n,
        ignorable: true,
      },
      {
        name: 'finalizedFeatures',
        type: '[]',
        versions: '3+',
        taggedVersions: '3+',
        tag: 2,
        ignorable: true,
        fields: [
          { name: 'name', type: 'string', versions: '3+' },
          { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
          { name: 'minVersionLevel', type: 'int16', versions: '3+' },
        ],
      },
      { name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, ignorable: true },
    ],
  },
};
