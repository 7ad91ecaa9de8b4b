/**
 * CreateTopics (key 19, v3-7) and DeleteTopics (key 20, v1-6). Both are
 * forwarded to the controller, which validates, commits metadata records
 * and replays them; the reply waits until this broker has applied them so
 * a client can use (or stop using) the topic right after.
 *
 * CreateTopics v4+ may leave numPartitions and replicationFactor at -1: the
 * controller applies num.partitions and default.replication.factor; v5+
 * answers with what the topic got (partitions, replication factor, every
 * topic config as DescribeConfigs would show it); v7+ with its id.
 * DeleteTopics v6 names topics by name or by id; by id, exactly that topic
 * goes (never a newer one that took its name) and an unknown id is
 * UNKNOWN_TOPIC_ID.
 */
import type { CreatedTopic, CreateTopicError, CreateTopicResult, DeleteTopicResult } from '@runnel/metadata';
import { ControllerUnavailableError, configSourceIds, describeTopicConfigs, zeroUuid } from '@runnel/metadata';
import {
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  ErrorCode,
} from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';
import { type BrokerContext, type Handler, throttledTopicMessage } from './handler.ts';

const createTopicErrorCodes: Record<CreateTopicError, number> = {
  topic_already_exists: ErrorCode.TOPIC_ALREADY_EXISTS,
  invalid_topic_name: ErrorCode.INVALID_TOPIC_EXCEPTION,
  invalid_partitions: ErrorCode.INVALID_PARTITIONS,
  invalid_replication_factor: ErrorCode.INVALID_REPLICATION_FACTOR,
  invalid_replica_assignment: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  invalid_config: ErrorCode.INVALID_CONFIG,
  policy_violation: ErrorCode.POLICY_VIOLATION,
};

type CreatedTopicResult = CreateTopicsResponse['topics'][number];

/** A refused topic: no id, -1 for the counts and no configs, as Kafka answers. */
function refused(name: string, errorCode: number, errorMessage: string | null): CreatedTopicResult {
  return { name, topicId: zeroUuid, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null };
}

export function createTopicsHandler(broker: BrokerContext): Handler<19> {
  function created(name: string, topic: CreatedTopic): CreatedTopicResult {
    const configs = describeTopicConfigs(topic.configs, broker.kafkaConfig()).map((e) => ({
      name: e.name,
      value: e.sensitive ? null : e.value,
      readOnly: e.readOnly,
      configSource: configSourceIds[e.source],
      isSensitive: e.sensitive,
    }));
    return {
      name,
      topicId: topic.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: topic.numPartitions,
      replicationFactor: topic.replicationFactor,
      configs,
    };
  }

  return {
    apiKey: 19,
    minVersion: 2,
    maxVersion: 7,
    async handle(request: CreateTopicsRequest, context): Promise<CreateTopicsResponse> {
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      // Internal topics are created by the broker itself (coordinators), never by clients.
      const unique = request.topics.filter((t) => counts.get(t.name) === 1 && !isInternalTopic(t.name));
      // KIP-599: each new partition counts against controller_mutation_rate (strict from v6).
      const quota = broker.mutationQuotas.forRequest(context.header.clientId ?? '', context.header.apiVersion >= 6);
      const partitionsOf = (t: (typeof unique)[number]): number =>
        t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions < 0
            ? broker.config.numPartitions
            : t.numPartitions;
      const throttled = new Set(
        request.validateOnly ? [] : unique.filter((t) => !quota.admit(partitionsOf(t))).map((t) => t.name),
      );
      let results: CreateTopicResult[];
      try {
        results = await broker.controller.call('createTopics', {
          topics: unique
            .filter((t) => !throttled.has(t.name))
            .map((t) => {
              const configs: Record<string, string> = {};
              for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
              return {
                name: t.name,
                numPartitions: t.numPartitions,
                replicationFactor: t.replicationFactor,
                assignments: t.assignments.map((a) => ({ partition: a.partitionIndex, brokerIds: [...a.brokerIds] })),
                configs,
              };
            }),
          validateOnly: request.validateOnly,
        });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'CreateTopics: no controller answered');
        const message = `No active controller answered; retry. (${error.message})`;
        return {
          throttleTimeMs: 0,
          topics: request.topics.map((t) => refused(t.name, ErrorCode.NOT_CONTROLLER, message)),
        };
      }
      await broker.partitions.settled();
      const byName = new Map(results.map((r) => [r.name, r.result]));
      return {
        throttleTimeMs: quota.throttleTimeMs(),
        topics: request.topics.map((t) => {
          if (counts.get(t.name) !== 1) return refused(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic in request');
          if (throttled.has(t.name)) return refused(t.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, throttledTopicMessage);
          if (isInternalTopic(t.name)) {
            const message = `Creation of internal topic ${t.name} is prohibited; the brokers create it on first use.`;
            return refused(t.name, ErrorCode.INVALID_REQUEST, message);
          }
          const result = byName.get(t.name);
          if (result === undefined)
            return refused(t.name, ErrorCode.UNKNOWN_SERVER_ERROR, 'The controller did not answer for this topic.');
          if (result.ok) return created(t.name, result.value);
          broker.logger.info({ topic: t.name, error: result.error }, 'create topic refused');
          return refused(t.name, createTopicErrorCodes[result.error], result.message ?? null);
        }),
      };
    },
  };
}

type DeletedTopicResult = DeleteTopicsResponse['responses'][number];

/** Deletion by id arrived in v6; before it the request carries names only. */
const deleteByIdFromVersion = 6;

function deletedToWire(r: DeleteTopicResult): DeletedTopicResult {
  if (r.result.ok)
    return { name: r.name, topicId: r.result.value.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
  if (r.result.error === 'unknown_topic_id') {
    return {
      name: null,
      topicId: r.byTopicId ?? zeroUuid,
      errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      errorMessage: r.result.message ?? null,
    };
  }
  return {
    name: r.name,
    topicId: zeroUuid,
    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    errorMessage: r.result.message ?? null,
  };
}

export function deleteTopicsHandler(broker: BrokerContext): Handler<20> {
  return {
    apiKey: 20,
    minVersion: 1,
    maxVersion: 6,
    async handle(request: DeleteTopicsRequest, context): Promise<DeleteTopicsResponse> {
      const byId = context.header.apiVersion >= deleteByIdFromVersion;
      // v6: each entry names a topic by id (non-zero) or else by name; an entry with neither is malformed.
      const entries = byId
        ? (request.topics ?? [])
        : (request.topicNames ?? []).map((name) => ({ name, topicId: zeroUuid }));
      const names = entries.flatMap((e) => (e.topicId === zeroUuid && e.name !== null ? [e.name] : []));
      const topicIds = entries.flatMap((e) => (e.topicId !== zeroUuid ? [e.topicId] : []));
      const malformed: DeletedTopicResult[] = entries
        .filter((e) => e.topicId === zeroUuid && e.name === null)
        .map(() => ({
          name: null,
          topicId: zeroUuid,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'Name a topic by name or by id.',
        }));
      // KIP-599: each deleted partition counts against controller_mutation_rate (strict from v5).
      const quota = broker.mutationQuotas.forRequest(context.header.clientId ?? '', context.header.apiVersion >= 5);
      const image = broker.image();
      const throttled: DeletedTopicResult[] = [];
      const admitted = (name: string | null, topicId: string): boolean => {
        const topic = topicId !== zeroUuid ? image.topicById(topicId) : image.topic(name ?? '');
        if (quota.admit(topic?.partitions.length ?? 0)) return true;
        throttled.push({
          name,
          topicId,
          errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
          errorMessage: throttledTopicMessage,
        });
        return false;
      };
      let results: DeleteTopicResult[];
      try {
        results = await broker.controller.call('deleteTopics', {
          names: names.filter((n) => admitted(n, zeroUuid)),
          topicIds: topicIds.filter((id) => admitted(null, id)),
        });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'DeleteTopics: no controller answered');
        return {
          throttleTimeMs: 0,
          responses: entries.map((e) => ({
            name: e.name,
            topicId: e.topicId,
            errorCode: ErrorCode.NOT_CONTROLLER,
            errorMessage: `No active controller answered; retry. (${error.message})`,
          })),
        };
      }
      await broker.partitions.settled();
      return {
        throttleTimeMs: quota.throttleTimeMs(),
        responses: [...results.map(deletedToWire), ...throttled, ...malformed],
      };
    },
  };
}
