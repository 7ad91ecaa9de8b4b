/**
 * CreatePartitions (key 37, v0-3; v2 is flexible, v3 allows
 * THROTTLING_QUOTA_EXCEEDED, KIP-599's controller mutation quota): forwarded to the controller, which only
 * lets a topic grow and places (or checks) the new replicas. The reply waits
 * until this broker has applied the new partitions, so a client that
 * refreshes metadata right after sees them.
 */
import type { CreatePartitionsError, CreatePartitionsResult } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import { type CreatePartitionsRequest, type CreatePartitionsResponse, ErrorCode } from '@runnel/protocol';
import { type BrokerContext, type Handler, throttledTopicMessage } from './handler.ts';

const createPartitionsErrorCodes: Record<CreatePartitionsError, number> = {
  unknown_topic: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  invalid_partitions: ErrorCode.INVALID_PARTITIONS,
  invalid_replica_assignment: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  invalid_replication_factor: ErrorCode.INVALID_REPLICATION_FACTOR,
  policy_violation: ErrorCode.POLICY_VIOLATION,
};

type TopicResult = CreatePartitionsResponse['results'][number];

export function createPartitionsHandler(broker: BrokerContext): Handler<37> {
  return {
    apiKey: 37,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: CreatePartitionsRequest, context): Promise<CreatePartitionsResponse> {
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const unique = request.topics.filter((t) => counts.get(t.name) === 1);
      // KIP-599: each added partition counts against controller_mutation_rate (strict from v3).
      const quota = broker.mutationQuotas.forRequest(context.header.clientId ?? '', context.header.apiVersion >= 3);
      const added = (t: (typeof unique)[number]): number =>
        Math.max(0, t.count - (broker.image().topic(t.name)?.partitions.length ?? t.count));
      const throttled = new Set(
        request.validateOnly ? [] : unique.filter((t) => !quota.admit(added(t))).map((t) => t.name),
      );
      let results: CreatePartitionsResult[];
      try {
        results = await broker.controller.call('createPartitions', {
          topics: unique
            .filter((t) => !throttled.has(t.name))
            .map((t) => ({
              topic: t.name,
              count: t.count,
              assignments: (t.assignments ?? []).map((a) => [...a.brokerIds]),
            })),
          validateOnly: request.validateOnly,
        });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'CreatePartitions: no controller answered');
        const errorMessage = `No active controller answered; retry. (${error.message})`;
        return {
          throttleTimeMs: 0,
          results: request.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage })),
        };
      }
      await broker.partitions.settled();
      const byTopic = new Map(results.map((r) => [r.topic, r.result]));
      return {
        throttleTimeMs: quota.throttleTimeMs(),
        results: request.topics.map((t): TopicResult => {
          if (counts.get(t.name) !== 1) {
            return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
          }
          if (throttled.has(t.name)) {
            return {
              name: t.name,
              errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
              errorMessage: throttledTopicMessage,
            };
          }
          const result = byTopic.get(t.name);
          if (result === undefined || result.ok) return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
          broker.logger.info({ topic: t.name, error: result.error }, 'create partitions refused');
          return {
            name: t.name,
            errorCode: createPartitionsErrorCodes[result.error],
            errorMessage: result.message ?? null,
          };
        }),
      };
    },
  };
}
