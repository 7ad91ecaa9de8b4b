/**
 * DeleteTopics (API key 20), versions 1-6. Flexible from v4.
 *
 * Request:  [topics v6+[name (nullable), topicId]], [topicNames v0-5], timeoutMs
 * Response: throttleTimeMs, responses[name (nullable v6+), [topicId v6+],
 *                                     errorCode, [errorMessage v5+]]
 *
 * v1 adds throttle time; v2 sends responses before throttling; v3 may return
 * TOPIC_DELETION_DISABLED; v4 is flexible; v5 adds the error message and may
 * answer THROTTLING_QUOTA_EXCEEDED (KIP-599); v6 names each topic by name or
 * by id (the other null / zero) and answers UNKNOWN_TOPIC_ID for an unknown
 * id (KIP-516).
 */
import type { ApiDef } from '../schema/types.ts';

export const deleteTopics: ApiDef = {
  apiKey: 20,
  name: 'DeleteTopics',
  request: {
    name: 'DeleteTopicsRequest',
    apiKey: 20,
    kind: 'request',
    validVersions: '1-6',
    flexibleVersions: '4+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '6+',
        fields: [
          { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'topicId', type: 'uuid', versions: '6+' },
        ],
      },
      { name: 'topicNames', type: '[]string', versions: '0-5', ignorable: true },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteTopicsResponse',
    apiKey: 20,
    kind: 'response',
    validVersions: '1-6',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'responses',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'topicId', type: 'uuid', versions: '6+', ignorable: true },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          {
            name: 'errorMessage',
            type: 'string',
            versions: '5+',
            nullableVersions: '5+',
            default: null,
            ignorable: true,
          },
        ],
      },
    ],
  },
};
