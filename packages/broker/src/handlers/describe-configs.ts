/**
 * DescribeConfigs (key 32, v1-2) for topics (resource type 2) and this
 * broker (resource type 4), with Kafka's config names, defaults, sources
 * and synonyms. Other resource types get INVALID_REQUEST.
 */
import { type ConfigEntry, configSourceIds, describeBrokerConfigs, describeTopicConfigs } from '@runnel/metadata';
import { type DescribeConfigsRequest, type DescribeConfigsResponse, ErrorCode } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

type ResourceResult = DescribeConfigsResponse['results'][number];

const resourceTopic = 2;
const resourceBroker = 4;

export function describeConfigsHandler(broker: BrokerContext): Handler<32> {
  function toWire(entries: readonly ConfigEntry[], keys: readonly string[] | null, includeSynonyms: boolean) {
    const wanted = keys === null || keys.length === 0 ? null : new Set(keys);
    return entries
      .filter((e) => wanted === null || wanted.has(e.name))
      .map((e) => ({
        name: e.name,
        value: e.sensitive ? null : e.value,
        readOnly: e.readOnly,
        configSource: configSourceIds[e.source],
        isSensitive: e.sensitive,
        synonyms: includeSynonyms
          ? e.synonyms.map((s) => ({
              name: s.name,
              value: e.sensitive ? null : s.value,
              source: configSourceIds[s.source],
            }))
          : [],
      }));
  }

  function describe(resource: DescribeConfigsRequest['resources'][number], includeSynonyms: boolean): ResourceResult {
    const base = {
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    };
    const fail = (errorCode: number, errorMessage: string): ResourceResult => ({
      ...base,
      errorCode,
      errorMessage,
      configs: [],
    });
    if (resource.resourceType === resourceTopic) {
      const image = broker.image();
      if (image.topic(resource.resourceName) === undefined) {
        return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.resourceName} does not exist`);
      }
      const entries = describeTopicConfigs(image.configOverrides('topic', resource.resourceName), broker.kafkaConfig());
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: toWire(entries, resource.configurationKeys, includeSynonyms),
      };
    }
    if (resource.resourceType === resourceBroker) {
      if (resource.resourceName !== '' && resource.resourceName !== String(broker.config.nodeId)) {
        return fail(ErrorCode.INVALID_REQUEST, `This is broker ${broker.config.nodeId}, not ${resource.resourceName}`);
      }
      const entries = describeBrokerConfigs(broker.kafkaConfig());
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: toWire(entries, resource.configurationKeys, includeSynonyms),
      };
    }
    return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType}`);
  }

  return {
    apiKey: 32,
    minVersion: 1,
    maxVersion: 2,
    async handle(request: DescribeConfigsRequest): Promise<DescribeConfigsResponse> {
      return {
        throttleTimeMs: 0,
        results: request.resources.map((r) => describe(r, request.includeSynonyms)),
      };
    },
  };
}
