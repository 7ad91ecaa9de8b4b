/**
 * DeleteTopics (API key 20), versions 1-3. Flexible from v4, above our range.
 *
 * Request:  topicNames[], timeoutMs
 * Response: throttleTimeMs, responses[name, errorCode]
 *
 * v1 adds throttle time; v2 sends responses before throttling; v3 may return
 * TOPIC_DELETION_DISABLED. Deletion by topic id (topics[]) starts at v6.
 */
import type { ApiDef } from '../schema/types.ts';

export const deleteTopics: ApiDef = {
  apiKey: 20,
  name: 'DeleteTopics',
  request: {
    name: 'DeleteTopicsRequest',
    apiKey: 20,
    kind: 'request',
    validVersions: '1-3',
    flexibleVersions: '4+',
    fields: [
      { name: 'topicNames', type: '[]string', versions: '0-5', ignorable: true },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteTopicsResponse',
    apiKey: 20,
    kind: 'response',
    validVersions: '1-3',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      {
        name: 'responses',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    ],
  },
};
