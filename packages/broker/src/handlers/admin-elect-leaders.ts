/**
 * ElectLeaders (key 43), v0-2. Preferred elections (type 0, and every v0
 * request) are forwarded to the controller, which moves leadership back to
 * each partition's first replica when that replica is live and in sync.
 *
 * Unclean elections (type 1) are not run on request: the controller elects
 * an out-of-sync replica only where unclean.leader.election.enable is on,
 * and then does so by itself as soon as a partition goes offline. So this
 * handler answers them from the broker's metadata image: a partition with a
 * leader needs no election (ELECTION_NOT_NEEDED, as Kafka answers); one
 * without gets ELIGIBLE_LEADERS_NOT_AVAILABLE with a message naming the
 * config that allows it.
 */
import type { ElectLeadersError, ElectLeadersResult, MetadataImage, TopicPartitionRef } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import type { ElectLeadersRequest, ElectLeadersResponse } from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';

const electionTypes = { preferred: 0, unclean: 1 } as const;

const electionErrorCodes: Record<ElectLeadersError, number> = {
  unknown_topic_or_partition: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  election_not_needed: ErrorCode.ELECTION_NOT_NEEDED,
  preferred_leader_not_available: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
};

type TopicResult = ElectLeadersResponse['replicaElectionResults'][number];
type PartitionResult = TopicResult['partitionResult'][number];

/** One partition's answer before grouping by topic. */
interface Outcome {
  readonly topic: string;
  readonly partition: PartitionResult;
}

export function electLeadersHandler(broker: BrokerContext): Handler<43> {
  return {
    apiKey: 43,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: ElectLeadersRequest, context: RequestContext): Promise<ElectLeadersResponse> {
      const asked = askedPartitions(request);
      const electionType = request.electionType ?? electionTypes.preferred;
      if (electionType === electionTypes.unclean) {
        return respond(context, ErrorCode.NONE, uncleanOutcomes(broker.image(), asked));
      }
      if (electionType !== electionTypes.preferred) {
        const message = `Unknown election type ${electionType}; 0 = preferred, 1 = unclean.`;
        return respond(context, ErrorCode.INVALID_REQUEST, failAll(asked, ErrorCode.INVALID_REQUEST, message));
      }
      let results: ElectLeadersResult[];
      try {
        results = await broker.controller.call('electLeaders', { partitions: asked });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'ElectLeaders: no controller answered');
        const message = `No active controller answered; retry. (${error.message})`;
        return respond(context, ErrorCode.NOT_CONTROLLER, failAll(asked, ErrorCode.NOT_CONTROLLER, message));
      }
      // New leaders were committed: answer once this broker has applied them, so a metadata refresh shows them.
      await broker.partitions.settled();
      const elected = results.filter((r) => r.result.ok).length;
      broker.logger.info({ asked: asked?.length ?? 'all', elected }, 'preferred leader election');
      return respond(context, ErrorCode.NONE, results.map(preferredOutcome));
    },
  };
}

function askedPartitions(request: ElectLeadersRequest): TopicPartitionRef[] | null {
  if (request.topicPartitions === null) return null;
  return request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

function preferredOutcome(r: ElectLeadersResult): Outcome {
  const partitionId = r.partition;
  if (r.result.ok) return { topic: r.topic, partition: { partitionId, errorCode: ErrorCode.NONE, errorMessage: null } };
  const errorCode = electionErrorCodes[r.result.error];
  return { topic: r.topic, partition: { partitionId, errorCode, errorMessage: r.result.message ?? null } };
}

/** Every asked partition answered from the image; for `null`, the partitions without a leader. */
function uncleanOutcomes(image: MetadataImage, asked: readonly TopicPartitionRef[] | null): Outcome[] {
  const offline = (topic: string, partition: number): Outcome => ({
    topic,
    partition: {
      partitionId: partition,
      errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      errorMessage:
        `Partition ${partition} of '${topic}' has no eligible leader. Runnel elects unclean leaders by policy only: ` +
        'set unclean.leader.election.enable=true on the topic (or cluster) and the controller elects a live replica.',
    },
  });
  if (asked === null) {
    return image
      .topicNames()
      .flatMap((name) =>
        (image.topic(name)?.partitions ?? []).filter((p) => p.leader < 0).map((p) => offline(name, p.partition)),
      );
  }
  const seen = new Set<string>();
  const outcomes: Outcome[] = [];
  for (const { topic, partition } of asked) {
    const key = `${topic}\u0000${partition}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = image.topic(topic)?.partitions[partition];
    if (p === undefined) {
      const errorMessage = `There is no partition ${partition} of topic '${topic}'.`;
      outcomes.push({
        topic,
        partition: { partitionId: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage },
      });
    } else if (p.leader >= 0) {
      const errorMessage = `Broker ${p.leader} leads partition ${partition} of '${topic}'.`;
      outcomes.push({
        topic,
        partition: { partitionId: partition, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage },
      });
    } else {
      outcomes.push(offline(topic, partition));
    }
  }
  return outcomes;
}

function failAll(asked: readonly TopicPartitionRef[] | null, errorCode: number, errorMessage: string): Outcome[] {
  return (asked ?? []).map(({ topic, partition }) => ({
    topic,
    partition: { partitionId: partition, errorCode, errorMessage },
  }));
}

/** Groups outcomes by topic in first-seen order. v0 has no top-level error: it stays on the partitions only. */
function respond(context: RequestContext, errorCode: number, outcomes: readonly Outcome[]): ElectLeadersResponse {
  const topics = new Map<string, TopicResult>();
  for (const o of outcomes) {
    let topic = topics.get(o.topic);
    if (topic === undefined) {
      topic = { topic: o.topic, partitionResult: [] };
      topics.set(o.topic, topic);
    }
    topic.partitionResult.push(o.partition);
  }
  return {
    throttleTimeMs: 0,
    errorCode: context.header.apiVersion === 0 ? ErrorCode.NONE : errorCode,
    replicaElectionResults: [...topics.values()],
  };
}
