/**
 * Metadata (key 3, v0-13): brokers, cluster id, controller id and topic
 * partitions with leaders, leader epochs (v7+), ISRs and topic ids (v10+),
 * from this broker's metadata image. Unknown topics are auto-created when
 * auto.create.topics.enable is true and the request allows it (v4+ carries
 * allow_auto_topic_creation; older versions always allow it), as in Kafka;
 * never for a topic asked for by id (v12+). The reply waits for the new
 * partitions to be opened, so the client can produce right away.
 * Authorized operations (v8+), when asked for, are everything a topic (and,
 * v8-10, the cluster) supports, as Kafka answers without an authorizer
 * (Runnel has none); else INT32_MIN, "not provided". The top-level error (v13+, KIP-1102) is always NONE: Kafka's
 * broker sets it only to make a client rebootstrap, which Runnel never asks.
 */
import type { CreateTopicResult } from '@runnel/metadata';
import { ControllerUnavailableError, isValidTopicName, zeroUuid } from '@runnel/metadata';
import { ErrorCode, type MetadataRequest, type MetadataResponse } from '@runnel/protocol';
import { authorizedOperations } from '../authorized-operations.ts';
import { isInternalTopic } from '../internal-topic.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';
import { describeSelected, describeTopic, type TopicDescription, type TopicSelector } from './topic-descriptions.ts';

type TopicMetadata = MetadataResponse['topics'][number];

/** Versions before 12 name every topic: an id or a null name there is a malformed request. */
const topicIdsFromVersion = 12;

export function metadataHandler(broker: BrokerContext): Handler<3> {
  /** Fields a version lacks (topic id, leader epoch) are ignorable: the codec leaves them out. */
  function toWire(t: TopicDescription, topicOperations: number): TopicMetadata {
    return {
      topicAuthorizedOperations: topicOperations,
      errorCode: t.errorCode,
      name: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.map((p) => ({
        errorCode: p.errorCode,
        partitionIndex: p.partitionIndex,
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicaNodes,
        isrNodes: p.isrNodes,
        offlineReplicas: p.offlineReplicas,
      })),
    };
  }

  function invalidSelector(name: string | null): TopicMetadata {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      name: name ?? '',
      topicId: zeroUuid,
      isInternal: false,
      partitions: [],
    };
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
    maxVersion: 13,
    async handle(request: MetadataRequest, context: RequestContext): Promise<MetadataResponse> {
      const version = context.header.apiVersion;
      const topicOperations = authorizedOperations(
        'topic',
        version >= 8 && request.includeTopicAuthorizedOperations === true,
      );
      const requested: TopicSelector[] | null =
        request.topics === null || (version === 0 && request.topics.length === 0)
          ? null
          : request.topics.map((t) => ({ name: t.name, topicId: t.topicId ?? zeroUuid }));
      const allowCreate = broker.autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation !== false);
      let image = broker.image();
      if (requested !== null && allowCreate) {
        // Only topics asked for by name; internal topics are created by FindCoordinator with their own settings.
        const names = requested.flatMap((t) => (t.topicId === zeroUuid && t.name !== null ? [t.name] : []));
        const toCreate = [...new Set(names)].filter(
          (n) => image.topic(n) === undefined && isValidTopicName(n) && !isInternalTopic(n),
        );
        if (toCreate.length > 0) {
          await autoCreate(toCreate);
          image = broker.image();
        }
      }
      const topics =
        requested === null
          ? [...image.topicNames()].sort().flatMap((name) => {
              const topic = image.topic(name);
              return topic === undefined ? [] : [toWire(describeTopic(image, topic), topicOperations)];
            })
          : requested.map((selector) =>
              version < topicIdsFromVersion && (selector.name === null || selector.topicId !== zeroUuid)
                ? invalidSelector(selector.name)
                : toWire(describeSelected(image, selector), topicOperations),
            );
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
        clusterAuthorizedOperations: authorizedOperations(
          'cluster',
          version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations === true,
        ),
        errorCode: ErrorCode.NONE,
      };
    },
  };
}
