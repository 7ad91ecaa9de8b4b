/**
 * CreateTopics (key 19, v3-4) and DeleteTopics (key 20, v1-3). Both are
 * forwarded to the controller, which validates, commits metadata records
 * and replays them; the reply waits until this broker has applied them so
 * a client can use (or stop using) the topic right after.
 */
import type { CreateTopicError, CreateTopicResult, DeleteTopicResult } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import {
  type CreateTopicsRequest,
  type CreateTopicsResponse,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
  ErrorCode,
} from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';
import type { BrokerContext, Handler } from './handler.ts';

const createTopicErrorCodes: Record<CreateTopicError, number> = {
  topic_already_exists: ErrorCode.TOPIC_ALREADY_EXISTS,
  invalid_topic_name: ErrorCode.INVALID_TOPIC_EXCEPTION,
  invalid_partitions: ErrorCode.INVALID_PARTITIONS,
  invalid_replication_factor: ErrorCode.INVALID_REPLICATION_FACTOR,
  invalid_replica_assignment: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  invalid_config: ErrorCode.INVALID_CONFIG,
};

export function createTopicsHandler(broker: BrokerContext): Handler<19> {
  return {
    apiKey: 19,
    minVersion: 3,
    maxVersion: 4,
    async handle(request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      // Internal topics are created by the broker itself (coordinators), never by clients.
      const unique = request.topics.filter((t) => counts.get(t.name) === 1 && !isInternalTopic(t.name));
      let results: CreateTopicResult[];
      try {
        results = await broker.controller.call('createTopics', {
          topics: unique.map((t) => {
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
        return {
          throttleTimeMs: 0,
          topics: request.topics.map((t) => ({
            name: t.name,
            errorCode: ErrorCode.NOT_CONTROLLER,
            errorMessage: `No active controller answered; retry. (${error.message})`,
          })),
        };
      }
      await broker.partitions.settled();
      const byName = new Map(results.map((r) => [r.name, r.result]));
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => {
          if (counts.get(t.name) !== 1) {
            return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request' };
          }
          if (isInternalTopic(t.name)) {
            return {
              name: t.name,
              errorCode: ErrorCode.INVALID_REQUEST,
              errorMessage: `Creation of internal topic ${t.name} is prohibited; the brokers create it on first use.`,
            };
          }
          const result = byName.get(t.name);
          if (result === undefined || result.ok) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
          broker.logger.info({ topic: t.name, error: result.error }, 'create topic refused');
          return { name: t.name, errorCode: createTopicErrorCodes[result.error], errorMessage: result.message ?? null };
        }),
      };
    },
  };
}

export function deleteTopicsHandler(broker: BrokerContext): Handler<20> {
  return {
    apiKey: 20,
    minVersion: 1,
    maxVersion: 3,
    async handle(request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
      let results: DeleteTopicResult[];
      try {
        results = await broker.controller.call('deleteTopics', { names: request.topicNames });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'DeleteTopics: no controller answered');
        return {
          throttleTimeMs: 0,
          responses: request.topicNames.map((name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER })),
        };
      }
      await broker.partitions.settled();
      return {
        throttleTimeMs: 0,
        responses: results.map((r) => ({
          name: r.name,
          errorCode: r.result.ok ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      };
    },
  };
}
