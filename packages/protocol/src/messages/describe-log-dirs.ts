/**
 * DescribeLogDirs (API key 35), versions 1-4 (Kafka 4.1's range: KIP-896
 * removed v0). Flexible from v2.
 *
 * Request:  topics (nullable: null = every partition) [topic, partitions[]int32]
 * Response: throttleTimeMs, errorCode (v3+),
 *           results[errorCode, logDir, topics[name, partitions[partitionIndex,
 *           partitionSize, offsetLag, isFutureKey]], totalBytes (v4+), usableBytes (v4+)]
 *
 * v1 answers before throttling; v3 adds the request-wide error code; v4
 * (KIP-827) each log dir's filesystem size and free space.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeLogDirs: ApiDef = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  request: {
    name: 'DescribeLogDirsRequest',
    apiKey: 35,
    kind: 'request',
    validVersions: '1-4',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DescribeLogDirsResponse',
    apiKey: 35,
    kind: 'response',
    validVersions: '1-4',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '3+', default: 0 },
      {
        name: 'results',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'logDir', type: 'string', versions: '0+' },
          {
            name: 'topics',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              {
                name: 'partitions',
                type: '[]',
                versions: '0+',
                fields: [
                  { name: 'partitionIndex', type: 'int32', versions: '0+' },
                  { name: 'partitionSize', type: 'int64', versions: '0+' },
                  // A current replica: its log end offset's distance to the high watermark.
                  { name: 'offsetLag', type: 'int64', versions: '0+' },
                  // Always false: Runnel has one log dir per broker, so no replica is ever moving between dirs.
                  { name: 'isFutureKey', type: 'bool', versions: '0+' },
                ],
              },
            ],
          },
          // -1 when unknown; ignorable: a v1-3 answer simply leaves them out.
          { name: 'totalBytes', type: 'int64', versions: '4+', default: -1n, ignorable: true },
          { name: 'usableBytes', type: 'int64', versions: '4+', default: -1n, ignorable: true },
        ],
      },
    ],
  },
};
