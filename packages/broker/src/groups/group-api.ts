/**
 * The coordinator's own request and result shapes: what the group machine
 * takes and answers, independent of wire versions. Handlers translate the
 * decoded Kafka messages to these and back (handlers/groups-*.ts), so the
 * machine never sees optional per-version fields.
 *
 * Error codes here are Kafka error codes: the group protocol's failures are
 * answers to the client, returned as data.
 */

/** Kafka's classic group states, under the names DescribeGroups reports. */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions: how groups are spread over `__consumer_offsets`. */
  readonly offsetsTopicPartitions: number;
  /** group.min.session.timeout.ms */
  readonly sessionTimeoutMsMin: number;
  /** group.max.session.timeout.ms */
  readonly sessionTimeoutMsMax: number;
  /** group.initial.rebalance.delay.ms: how long the first join of an empty group waits for more members. */
  readonly initialRebalanceDelayMs: number;
  /** group.max.size; null = unbounded. */
  readonly groupSizeMax: number | null;
  /** offsets.retention.minutes, in ms. */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  readonly offsetMetadataBytesMax: number;
}

export const defaultGroupCoordinatorConfig: GroupCoordinatorConfig = {
  offsetsTopicPartitions: 50,
  sessionTimeoutMsMin: 6000,
  sessionTimeoutMsMax: 1_800_000,
  initialRebalanceDelayMs: 3000,
  groupSizeMax: null,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataBytesMax: 4096,
};

export interface ProtocolOffer {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinInput {
  readonly groupId: string;
  /** '' for a member joining for the first time. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly ProtocolOffer[];
  /** JoinGroup v4+ (KIP-394): a new dynamic member first gets MEMBER_ID_REQUIRED and its id. */
  readonly requireKnownMemberId: boolean;
  /** JoinGroup v8+ (KIP-800): why the client (re)joins; logged with the rebalance it causes. */
  readonly reason?: string | null;
  /**
   * JoinGroup v9+ (KIP-814): a static leader that replaces itself in a Stable
   * group with unchanged subscriptions gets the members and skipAssignment,
   * so it knows it leads without computing a new assignment.
   */
  readonly skipAssignmentSupported?: boolean;
}

export interface JoinMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  /** The group's protocol type ('' when it has none, or on error). */
  readonly protocolType?: string;
  readonly protocolName: string;
  readonly leader: string;
  /** The leader is told to keep the current assignment (JoinGroup v9+, see JoinInput.skipAssignmentSupported). */
  readonly skipAssignment?: boolean;
  readonly memberId: string;
  /** Only the leader gets the members (with their metadata for the chosen protocol). */
  readonly members: readonly JoinMember[];
}

export interface SyncInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** SyncGroup v5+ (KIP-559): what the member synced for; null (older versions) is not checked. */
  readonly protocolType?: string | null;
  readonly protocolName?: string | null;
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
  /** On success: the group's protocol type and chosen protocol (SyncGroup v5+ answers them). */
  readonly protocolType?: string;
  readonly protocolName?: string;
}

export interface HeartbeatInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface MemberIdentity {
  /** '' when only the group.instance.id is known (LeaveGroup v3+). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** LeaveGroup v5+ (KIP-800): why the member leaves; logged. */
  readonly reason?: string | null;
}

export interface LeaveResult {
  readonly errorCode: number;
  readonly members: readonly (MemberIdentity & { readonly errorCode: number })[];
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionError extends TopicPartitionRef {
  readonly errorCode: number;
}

export interface CommitInput {
  readonly groupId: string;
  /** -1 with memberId '' for a consumer that uses assign() and only stores offsets. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /**
   * OffsetCommit v9+: a commit with a generation (>= 0) to a group that does
   * not exist answers GROUP_ID_NOT_FOUND; older versions ILLEGAL_GENERATION.
   */
  readonly groupIdNotFound?: boolean;
  readonly offsets: readonly (TopicPartitionRef & {
    readonly offset: bigint;
    readonly leaderEpoch: number;
    readonly metadata: string | null;
  })[];
}

/**
 * TxnOffsetCommit: offsets a transactional producer commits for a group as
 * part of its transaction. v0–2 carry no member identity (generation -1,
 * member ''), so they are never fenced by the group; v3+ (KIP-447) carry
 * the consumer's generation and member id, checked when given.
 */
export interface TxnCommitInput extends CommitInput {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** How a transaction ended, as its marker says. */
export type TxnResult = 'commit' | 'abort';

export interface CommitResult {
  readonly partitions: readonly PartitionError[];
}

export interface FetchedOffset extends TopicPartitionRef {
  /** -1 when nothing is committed. */
  readonly offset: bigint;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly errorCode: number;
}

export interface FetchResult {
  readonly errorCode: number;
  readonly offsets: readonly FetchedOffset[];
}

export interface OffsetDeleteResult {
  readonly errorCode: number;
  readonly partitions: readonly PartitionError[];
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Empty unless the group is Stable (as Kafka reports it). */
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

export interface GroupDescription {
  readonly errorCode: number;
  /** False when the coordinator has no such group (described as Dead; DescribeGroups v6 answers GROUP_ID_NOT_FOUND). */
  readonly exists?: boolean;
  readonly groupId: string;
  readonly state: GroupStateName;
  readonly protocolType: string;
  /** The chosen protocol when Stable, else ''. */
  readonly protocol: string;
  readonly members: readonly GroupMemberDescription[];
}

export interface GroupListing {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: GroupStateName;
}

/** One committed offset, the input of lag metrics and `runnel groups describe`. */
export interface CommittedOffset extends TopicPartitionRef {
  readonly groupId: string;
  readonly offset: bigint;
}
