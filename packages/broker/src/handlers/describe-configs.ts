/**
 * DescribeConfigs (key 32, v1-4) for topics (resource type 2), this broker
 * or the cluster-wide default broker resource "" (type 4) and this broker's
 * loggers (type 8, BROKER_LOGGER), with Kafka's config names, defaults,
 * sources (a value nobody set is DEFAULT_CONFIG), synonyms and, from v3,
 * types and (when asked) documentation. Sensitive values are null. Values
 * come from @runnel/metadata's resolution over this broker's config layers
 * (dynamic ones from the metadata log), the same the controller and the
 * partitions use. Other resource types get INVALID_REQUEST.
 */
import {
  type ConfigEntry,
  configSourceIds,
  configTypeIds,
  describeBrokerConfigs,
  describeClusterDefaultConfigs,
  describeTopicConfigs,
} from '@runnel/metadata';
import { type DescribeConfigsRequest, type DescribeConfigsResponse, ErrorCode } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

type ResourceResult = DescribeConfigsResponse['results'][number];
type WireConfig = ResourceResult['configs'][number];

export const resourceTopic = 2;
export const resourceBroker = 4;
export const resourceBrokerLogger = 8;

interface Wanted {
  readonly keys: ReadonlySet<string> | null;
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

function toWire(entries: readonly ConfigEntry[], wanted: Wanted): WireConfig[] {
  return entries
    .filter((e) => wanted.keys === null || wanted.keys.has(e.name))
    .map((e) => ({
      name: e.name,
      value: e.sensitive ? null : e.value,
      readOnly: e.readOnly,
      configSource: configSourceIds[e.source],
      isSensitive: e.sensitive,
      synonyms: wanted.includeSynonyms
        ? e.synonyms.map((s) => ({
            name: s.name,
            value: e.sensitive ? null : s.value,
            source: configSourceIds[s.source],
          }))
        : [],
      configType: configTypeIds[e.type],
      documentation: wanted.includeDocumentation ? e.documentation : null,
    }));
}

export function describeConfigsHandler(broker: BrokerContext): Handler<32> {
  const nodeId = String(broker.config.nodeId);

  function describe(resource: DescribeConfigsRequest['resources'][number], wanted: Wanted): ResourceResult {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    const answer = (configs: WireConfig[]): ResourceResult => ({
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs,
    });
    const fail = (errorCode: number, errorMessage: string): ResourceResult => ({
      ...base,
      errorCode,
      errorMessage,
      configs: [],
    });
    const image = broker.image();
    switch (resource.resourceType) {
      case resourceTopic: {
        if (image.topic(resource.resourceName) === undefined) {
          return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.resourceName} does not exist`);
        }
        const overrides = image.configOverrides('topic', resource.resourceName);
        return answer(toWire(describeTopicConfigs(overrides, broker.configLayers()), wanted));
      }
      case resourceBroker: {
        if (resource.resourceName === '') {
          return answer(toWire(describeClusterDefaultConfigs(broker.configLayers()), wanted));
        }
        if (resource.resourceName !== nodeId) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${nodeId} or empty string, but received ${resource.resourceName}`,
          );
        }
        return answer(toWire(describeBrokerConfigs(broker.configLayers()), wanted));
      }
      case resourceBrokerLogger: {
        if (resource.resourceName !== nodeId) {
          return fail(
            ErrorCode.INVALID_REQUEST,
            `Unexpected broker id, expected ${nodeId}, but received '${resource.resourceName}'`,
          );
        }
        const configs = broker.loggers
          .describe()
          .filter((l) => wanted.keys === null || wanted.keys.has(l.name))
          .map(
            (l): WireConfig => ({
              name: l.name,
              value: l.level,
              readOnly: false,
              configSource: configSourceIds.DYNAMIC_BROKER_LOGGER_CONFIG,
              isSensitive: false,
              synonyms: [],
              configType: configTypeIds.string,
              documentation: null,
            }),
          );
        return answer(configs);
      }
      default:
        return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`);
    }
  }

  return {
    apiKey: 32,
    minVersion: 1,
    maxVersion: 4,
    async handle(request: DescribeConfigsRequest): Promise<DescribeConfigsResponse> {
      broker.logger.debug(
        { resources: request.resources.map((r) => `${r.resourceType}:${r.resourceName}`) },
        'describe configs',
      );
      return {
        throttleTimeMs: 0,
        results: request.resources.map((r) =>
          describe(r, {
            keys:
              r.configurationKeys === null || r.configurationKeys.length === 0 ? null : new Set(r.configurationKeys),
            includeSynonyms: request.includeSynonyms,
            includeDocumentation: request.includeDocumentation ?? false,
          }),
        ),
      };
    },
  };
}
