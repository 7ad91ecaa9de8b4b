/**
 * The JSON the console's own endpoints (/ui/api/...) answer: the contract
 * between the gateway (console-*-routes.ts) and the browser code
 * (packages/gateway/console/src), which imports these types. Offsets and
 * sizes are JSON numbers: the console only shows them, and a log would need
 * 2^53 records before one loses precision.
 */

export interface BrokerRow {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  /** Partitions this broker leads, and replicas it holds. */
  leaderPartitions: number;
  replicaPartitions: number;
  /** The broker's log directory, from DescribeLogDirs; null when the broker did not answer. */
  logDirBytes: number | null;
}

export interface QuorumReplica {
  nodeId: number;
  status: 'leader' | 'follower' | 'observer';
  logEndOffset: number;
  /** High watermark minus log end offset; null when unknown. */
  lag: number | null;
  /** How long ago the replica last caught up with the leader, per the leader's clock; null when unknown. */
  lastCaughtUpAgoMs: number | null;
}

export interface QuorumAnswer {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  replicas: QuorumReplica[];
}

export type PartitionProblem = 'offline' | 'under-replicated';

export interface ProblemPartition {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  problem: PartitionProblem;
}

export interface OverviewAnswer {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerRow[];
  /** The controllers' quorum (DescribeQuorum), or why it could not be described. */
  quorum: QuorumAnswer | { error: string };
  topics: number;
  partitions: { total: number; underReplicated: number; offline: number };
  /** Offline first, then under-replicated; at most problemPartitionsMax of them. */
  problemPartitions: ProblemPartition[];
  problemPartitionsTruncated: boolean;
}

/** Where rates come from: the brokers' own counters, or the gateway's samples of log-end offsets. */
export type RatesSource = 'broker-metrics' | 'log-end-offsets';

export interface TopicRates {
  messagesInPerSec: number | null;
  messagesOutPerSec: number | null;
  bytesInPerSec: number | null;
  bytesOutPerSec: number | null;
}

export interface RatesAnswer {
  source: RatesSource;
  /** A sentence for the page saying where the numbers come from. */
  sourceNote: string;
  /** When the newest sample was taken (gateway clock, ms). */
  atMs: number;
  /** Cluster totals; null until two samples exist or when the source cannot tell. */
  total: TopicRates;
  topics: Record<string, TopicRates>;
  /** Metrics endpoints that failed this time, with the reason. */
  errors: string[];
}

export interface TopicRow {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  underReplicated: number;
  offline: number;
  /** Bytes on disk, summed over each partition's leader replica; null when no broker said. */
  sizeBytes: number | null;
  messagesInPerSec: number | null;
  messagesOutPerSec: number | null;
}

export interface TopicsAnswer {
  topics: TopicRow[];
  ratesSource: RatesSource;
}

export interface CreateTopicBody {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface PartitionRow {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  earliestOffset: number | null;
  latestOffset: number | null;
  sizeBytes: number | null;
}

export interface ConfigRow {
  name: string;
  value: string | null;
  source: string;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

export interface TopicAnswer {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionRow[];
  configs: ConfigRow[];
}

export interface GroupRow {
  groupId: string;
  state: string;
  protocolType: string;
  members: number;
  /** Summed over the partitions with a committed offset; null when it could not be computed. */
  totalLag: number | null;
}

export interface GroupsAnswer {
  groups: GroupRow[];
  /** Brokers that did not answer ListGroups. */
  failures: string[];
}

export interface GroupMemberRow {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface GroupOffsetRow {
  topic: string;
  partition: number;
  /** The committed offset; null when the group has none for this partition (assigned, not committed yet). */
  committed: number | null;
  logEndOffset: number | null;
  lag: number | null;
  /** The member the partition is assigned to, if any. */
  memberId: string | null;
}

export interface GroupAnswer {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberRow[];
  offsets: GroupOffsetRow[];
  totalLag: number;
  /** The gateway's clock when the offsets were read, for charts of lag over time. */
  atMs: number;
}

export type ResetTarget = 'earliest' | 'latest' | 'offset' | 'timestamp';

export interface ResetOffsetsBody {
  /** Only this topic's partitions; absent: every topic the group has committed offsets for. */
  topic?: string;
  to: ResetTarget;
  /** With `to: 'offset'`: the offset, clamped to the partition's earliest and latest. */
  offset?: number;
  /** With `to: 'timestamp'`: the first offset whose record's timestamp is at or after it (ms since the epoch). */
  timestampMs?: number;
  /** Compute and answer the new offsets without committing them. */
  dryRun?: boolean;
}

export interface ResetOffsetsAnswer {
  dryRun: boolean;
  offsets: { topic: string; partition: number; previous: number | null; next: number }[];
}
