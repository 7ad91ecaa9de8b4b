/**
 * Metadata (key 3, v0-6): brokers, cluster id, controller id and topic
 * partitions with leaders and ISRs, from this broker's metadata image.
 * Unknown topics are auto-created when auto.create.topics.enable is true
 * and the request allows it (v4+ carries allow_auto_topic_creation; older
 * versions always allow it), as in Kafka. The reply waits for the new
 * partitions to be opened, so the client can produce right away.
 */
import type { CreateTopicResult, MetadataImage } from '@runnel/metadata';
import { ControllerUnavailableError, isValidTopicName } from '@runnel/metadata';
import { ErrorCode, type MetadataRequest, type MetadataResponse } from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';

type TopicMetadata = MetadataResponse['topics'][number];

export function metadataHandler(broker: BrokerContext): Handler<3> {
  function describeTopic(image: MetadataImage, name: string): TopicMetadata | null {
    const topic = image.topic(name);
    if (topic === undefined) return null;
    const partitions = topic.partitions.map((p) => ({
      errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [],
    }));
    return { errorCode: ErrorCode.NONE, name, isInternal: isInternalTopic(name), partitions };
  }

  function missing(name: string, errorCode: number): TopicMetadata {
    return { errorCode, name, isInternal: false, partitions: [] };
  }

  async function autoCreate(names: string[]): Promise<void> {
    if (names.length === 0) return;
    let results: CreateTopicResult[];
    try {
      results = await broker.controller.call('createTopics', {
        topics: names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} })),
        validateOnly: false,
      });
    } catch (error) {
      if (!(error instanceof ControllerUnavailableError)) throw error;
      // The topics stay unknown; the client retries its metadata request.
      broker.logger.warn({ err: error.message, topics: names }, 'auto-create: no controller answered');
      return;
    }
    for (const r of results) {
      if (r.result.ok) broker.logger.info({ topic: r.name }, 'auto-created topic');
    }
    await broker.partitions.settled();
  }

  return {
    apiKey: 3,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: MetadataRequest, context: RequestContext): Promise<MetadataResponse> {
      const version = context.header.apiVersion;
      const requested =
        request.topics === null || (version === 0 && request.topics.length === 0)
          ? null
          : request.topics.map((t) => t.name);
      const allowCreate = broker.autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation !== false);
      let image = broker.image();
      if (requested !== null && allowCreate) {
        // Internal topics are created by FindCoordinator with their own settings, never as plain topics.
        const toCreate = [...new Set(requested)].filter(
          (n) => image.topic(n) === undefined && isValidTopicName(n) && !isInternalTopic(n),
        );
        if (toCreate.length > 0) {
          await autoCreate(toCreate);
          image = broker.image();
        }
      }
      const names = requested ?? [...image.topicNames()].sort();
      const topics = names.map((name) => {
        if (!isValidTopicName(name)) return missing(name, ErrorCode.INVALID_TOPIC_EXCEPTION);
        return describeTopic(image, name) ?? missing(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      });
      const brokers = [...image.liveBrokers()].map((b) => {
        const listener = b.listeners[0];
        return { nodeId: b.brokerId, host: listener?.host ?? '', port: listener?.port ?? 0, rack: b.rack };
      });
      return {
        throttleTimeMs: 0,
        brokers,
        clusterId: broker.clusterId(),
        // Clients send admin requests to the "controller"; it must be a broker they were told about
        // (this one, unless it is fenced and so not listed).
        controllerId: brokers.some((b) => b.nodeId === broker.config.nodeId)
          ? broker.config.nodeId
          : (brokers[0]?.nodeId ?? -1),
        topics,
      };
    },
  };
}
