/**
 * OffsetCommit (key 8, v2–9), OffsetFetch (9, v1–9), OffsetDelete (47, v0)
 * and TxnOffsetCommit (28, v0–5). Partitions of topics the metadata image
 * does not know are refused here with UNKNOWN_TOPIC_OR_PARTITION (as Kafka
 * does before its coordinator sees them); the rest go to the coordinator.
 * OffsetCommit v8 and OffsetFetch v6 are the first flexible versions.
 */
import type {
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchRequestGroup,
  OffsetFetchResponse,
  OffsetFetchResponseGroup,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import type { CommitResult, FetchedOffset, PartitionError, TopicPartitionRef } from '../groups/group-api.ts';
import type { GroupCoordinator } from '../groups/group-coordinator.ts';
import { consumerOffsetsTopic } from '../groups/types.ts';
import type { TxnVerifier } from '../transactions/txn-ports.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';

/** What the group handlers read from the broker: the metadata image (do committed topics exist?). */
export interface GroupHandlerContext extends Pick<BrokerContext, 'image'> {
  /**
   * Adds a transaction version 2 producer's offsets partition to its
   * transaction before TxnOffsetCommit v5 writes (KIP-890 part 2); absent
   * where no transaction coordinator can be asked (unit tests).
   */
  readonly txnPartitions?: TxnVerifier;
}

/** The coordinator's answer to an implicit add, as TxnOffsetCommit error codes (coordinator trouble is retried). */
function txnAddErrorCode(code: number): number {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    default:
      return code;
  }
}

function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Groups flat per-partition results by topic, topics in first-seen order. */
export function byTopic<T extends TopicPartitionRef, P>(
  items: readonly T[],
  partition: (item: T) => P,
): { name: string; partitions: P[] }[] {
  const topics = new Map<string, { name: string; partitions: P[] }>();
  for (const item of items) {
    let topic = topics.get(item.topic);
    if (topic === undefined) {
      topic = { name: item.topic, partitions: [] };
      topics.set(item.topic, topic);
    }
    topic.partitions.push(partition(item));
  }
  return [...topics.values()];
}

type AskedCommit = TopicPartitionRef & { offset: bigint; leaderEpoch: number; metadata: string | null };

/** The partitions of a commit request, flat; the leader epoch only from the version that carries it. */
function askedCommits(
  topics: readonly {
    name: string;
    partitions: readonly {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch?: number;
      committedMetadata: string | null;
    }[];
  }[],
  withEpoch: boolean,
): AskedCommit[] {
  return topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: withEpoch ? (p.committedLeaderEpoch ?? -1) : -1,
      metadata: p.committedMetadata,
    })),
  );
}

/** Sends the known partitions to the coordinator; unknown ones answer UNKNOWN_TOPIC_OR_PARTITION. */
async function commitKnown(
  context: GroupHandlerContext,
  asked: readonly AskedCommit[],
  commit: (known: AskedCommit[]) => Promise<CommitResult>,
): Promise<{ name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]> {
  const image = context.image();
  const known = asked.filter((o) => image.partition(o.topic, o.partition) !== undefined);
  const codes = new Map<string, number>();
  if (known.length > 0) {
    for (const p of (await commit(known)).partitions) codes.set(key(p.topic, p.partition), p.errorCode);
  }
  return byTopic(asked, (o) => ({
    partitionIndex: o.partition,
    errorCode: codes.get(key(o.topic, o.partition)) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  }));
}

/**
 * OffsetCommit v2–9. v9 is v8 on the wire; for a classic group (every
 * Runnel group) it differs only in answering GROUP_ID_NOT_FOUND to a
 * member's commit (generation >= 0) for a group that does not exist, where
 * v2–8 answer ILLEGAL_GENERATION.
 */
export function offsetCommitHandler(coordinator: GroupCoordinator, context: GroupHandlerContext): Handler<8> {
  return {
    apiKey: 8,
    minVersion: 2,
    maxVersion: 9,
    async handle(request: OffsetCommitRequest, requestContext: RequestContext): Promise<OffsetCommitResponse> {
      const version = requestContext.header.apiVersion;
      const asked = askedCommits(request.topics, version >= 6);
      const topics = await commitKnown(context, asked, (offsets) =>
        coordinator.commitOffsets({
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? null,
          groupIdNotFound: version >= 9,
          offsets,
        }),
      );
      return { throttleTimeMs: 0, topics };
    },
  };
}

/**
 * TxnOffsetCommit v0–5: a transactional producer's commits for a group,
 * pending until its transaction's marker. v2+ carries the leader epoch; v3+
 * the consumer's generation, member id and instance id (KIP-447), checked
 * when given; v0–2 commit as a non-member (generation -1, member ''). v4
 * (may answer TRANSACTION_ABORTABLE) and v5 add no fields. Up to v4 the
 * offsets partition must already be in the transaction (AddOffsetsToTxn),
 * as transaction version 1 has it; v5 is transaction version 2, whose
 * clients send no AddOffsetsToTxn: the group's `__consumer_offsets`
 * partition is added to the transaction first (KIP-890 part 2), and a
 * refused add refuses every partition of the commit.
 */
export function txnOffsetCommitHandler(coordinator: GroupCoordinator, context: GroupHandlerContext): Handler<28> {
  return {
    apiKey: 28,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: TxnOffsetCommitRequest, requestContext: RequestContext): Promise<TxnOffsetCommitResponse> {
      const version = requestContext.header.apiVersion;
      const asked = askedCommits(request.topics, version >= 2);
      const member = version >= 3;
      if (version >= 5 && context.txnPartitions !== undefined) {
        const [verdict] = await context.txnPartitions.verify({
          transactionalId: request.transactionalId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          partitions: [{ topic: consumerOffsetsTopic, partition: coordinator.partitionFor(request.groupId) }],
          add: true,
        });
        const refused = txnAddErrorCode(verdict?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
        if (refused !== ErrorCode.NONE) {
          return {
            throttleTimeMs: 0,
            topics: byTopic(asked, (o) => ({ partitionIndex: o.partition, errorCode: refused })),
          };
        }
      }
      const topics = await commitKnown(context, asked, (offsets) =>
        coordinator.txnCommitOffsets({
          groupId: request.groupId,
          transactionalId: request.transactionalId,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          generationId: member ? (request.generationId ?? -1) : -1,
          memberId: member ? (request.memberId ?? '') : '',
          groupInstanceId: member ? (request.groupInstanceId ?? null) : null,
          offsets,
        }),
      );
      return { throttleTimeMs: 0, topics };
    },
  };
}

/** The topics of one group's OffsetFetch answer (partitions of one topic together). */
function fetchedTopics(offsets: readonly FetchedOffset[]) {
  return byTopic(offsets, (o) => ({
    partitionIndex: o.partition,
    committedOffset: o.offset,
    committedLeaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: o.errorCode,
  }));
}

type AskedTopics = readonly { name: string; partitionIndexes: readonly number[] }[] | null | undefined;

/** The asked partitions, flat; null (all the group committed) when no topic list was sent. */
function askedPartitions(topics: AskedTopics): TopicPartitionRef[] | null {
  return topics?.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))) ?? null;
}

/**
 * OffsetFetch v1–9. v2 lets topics be null (every committed partition) and
 * adds a group-level error; v7 requireStable (KIP-447): partitions with a
 * transaction's pending commits answer UNSTABLE_OFFSET_COMMIT. v8 (KIP-709)
 * asks for several groups, each answered with its own error (a group this
 * broker does not coordinate answers NOT_COORDINATOR alone). v9's member id
 * and epoch (KIP-848) are checked only for consumer-protocol groups in
 * Kafka; every Runnel group is classic, so they are ignored, as Kafka
 * ignores them for a classic group.
 */
export function offsetFetchHandler(coordinator: GroupCoordinator): Handler<9> {
  function fetchGroup(group: OffsetFetchRequestGroup, requireStable: boolean): OffsetFetchResponseGroup {
    const result = coordinator.fetchOffsets(group.groupId, askedPartitions(group.topics), requireStable);
    if (result.errorCode !== ErrorCode.NONE) return { groupId: group.groupId, topics: [], errorCode: result.errorCode };
    return { groupId: group.groupId, topics: fetchedTopics(result.offsets), errorCode: ErrorCode.NONE };
  }

  return {
    apiKey: 9,
    minVersion: 1,
    maxVersion: 9,
    async handle(request: OffsetFetchRequest, context: RequestContext): Promise<OffsetFetchResponse> {
      const version = context.header.apiVersion;
      const requireStable = version >= 7 && request.requireStable === true;
      if (version >= 8) {
        return { throttleTimeMs: 0, groups: (request.groups ?? []).map((g) => fetchGroup(g, requireStable)) };
      }
      const asked = askedPartitions(request.topics);
      const result = coordinator.fetchOffsets(request.groupId ?? '', asked, requireStable);
      let offsets = result.offsets;
      if (result.errorCode !== ErrorCode.NONE) {
        // v1 has no top-level error code: every asked partition carries it instead.
        if (version >= 2) return { throttleTimeMs: 0, errorCode: result.errorCode, topics: [] };
        offsets = (asked ?? []).map((p) => ({
          ...p,
          offset: -1n,
          leaderEpoch: -1,
          metadata: '',
          errorCode: result.errorCode,
        }));
      }
      return { throttleTimeMs: 0, errorCode: result.errorCode, topics: fetchedTopics(offsets) };
    },
  };
}

export function offsetDeleteHandler(coordinator: GroupCoordinator, context: GroupHandlerContext): Handler<47> {
  return {
    apiKey: 47,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
      const image = context.image();
      const asked = request.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })),
      );
      const known = asked.filter((p) => image.partition(p.topic, p.partition) !== undefined);
      const result = await coordinator.deleteOffsets(request.groupId, known);
      if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] };
      const codes = new Map(result.partitions.map((p: PartitionError) => [key(p.topic, p.partition), p.errorCode]));
      return {
        errorCode: ErrorCode.NONE,
        throttleTimeMs: 0,
        topics: byTopic(asked, (p) => ({
          partitionIndex: p.partition,
          errorCode: codes.get(key(p.topic, p.partition)) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      };
    },
  };
}
