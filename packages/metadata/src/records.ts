/**
 * Metadata records: the only way cluster metadata changes. The controller
 * commits them to its log; every MetadataImage (controller and brokers) is
 * the result of replaying them in offset order. They are persisted, so a
 * change of shape needs a new encoding version (see record-codec.ts).
 */
import type { ClientQuotaEntity } from './client-quotas.ts';

export interface BrokerListener {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export type ConfigResourceType = 'topic' | 'broker';

/** A broker announced itself; it is live until fenced. brokerEpoch is the record's offset. */
export interface RegisterBrokerRecord {
  readonly type: 'register-broker';
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly brokerEpoch: bigint;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
}

/** A topic exists under this name; its partitions follow as partition records. */
export interface TopicRecord {
  readonly type: 'topic';
  readonly name: string;
  /** UUID, 8-4-4-4-12 lowercase hex. */
  readonly topicId: string;
}

/**
 * Who chose a partition's replicas and their order (the first is the
 * preferred leader). 'operator': an explicit assignment in CreateTopics or
 * CreatePartitions, or an AlterPartitionReassignments call (a cancel
 * included); the automatic balancer never changes such a partition's
 * replicas or their order. 'controller': placed by the controller (topic
 * creation without an assignment, auto-creation, the balancer's own moves),
 * so the balancer may move it.
 */
export type PartitionPlacement = 'controller' | 'operator';

/** The full state of one partition; a later record for the same partition replaces it. */
export interface PartitionRecord {
  readonly type: 'partition';
  readonly topicId: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /**
   * Eligible leader replicas (KIP-966): former ISR members removed while the
   * ISR was below min.insync.replicas. They held every record up to the high
   * watermark when they left, so they may lead if no ISR member is live.
   */
  readonly elr: readonly number[];
  /** The ELR as it was when it last emptied with no leader: who to look at for an unclean recovery. */
  readonly lastKnownElr: readonly number[];
  /** Replicas a reassignment is adding (target replicas not yet in sync). */
  readonly addingReplicas: readonly number[];
  /** Replicas a reassignment will remove once the adding ones are in sync. */
  readonly removingReplicas: readonly number[];
  /**
   * Present only when an operator chose `replicas`; absent means the
   * controller placed them (so one state has one form, and every record
   * before encoding version 4 reads as controller-placed). A record that
   * changes only ISR or leadership carries the partition's placement forward.
   */
  readonly placement?: 'operator';
}

/** Sets (value) or deletes (null) one config override of a topic or broker. */
export interface ConfigRecord {
  readonly type: 'config';
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string | null;
}

/** The topic, its partitions and its config overrides are gone. */
export interface RemoveTopicRecord {
  readonly type: 'remove-topic';
  readonly topicId: string;
}

export interface FenceBrokerRecord {
  readonly type: 'fence-broker' | 'unfence-broker';
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

/** An operator's lifecycle mark on a broker; see BrokerStateRecord. */
export type BrokerAdminState = 'active' | 'decommissioning';

/**
 * An operator started (decommissioning) or cancelled (active) a broker's
 * decommission. Kept apart from the registration so it survives the
 * broker's restarts: a decommissioning broker gets no new replicas and the
 * controller moves its replicas away until it holds none (removable).
 */
export interface BrokerStateRecord {
  readonly type: 'broker-state';
  readonly brokerId: number;
  readonly state: BrokerAdminState;
}

/**
 * The cluster's identity, created once by the first active controller
 * (Kafka keeps it in meta.properties after `kafka-storage format`). Every
 * broker reports it in Metadata and DescribeCluster and keeps it in its data
 * directory, so a broker never joins a cluster its logs do not belong to.
 * Written once; a second one is a bug.
 */
export interface ClusterIdRecord {
  readonly type: 'cluster-id';
  /** 22 characters: a random 128-bit id in URL-safe base64, as Kafka's. */
  readonly clusterId: string;
}

/**
 * A block of producer ids was handed to a broker: every id below
 * `nextProducerId` is taken. Committed before the broker hears of the
 * block, so no id is ever issued twice, across controller failovers too.
 */
export interface ProducerIdsRecord {
  readonly type: 'producer-ids';
  /** The broker the block went to, and its epoch then (for operators reading the log). */
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  readonly nextProducerId: bigint;
}

/**
 * A finalized feature level (KIP-584), e.g. `metadata.version` or
 * `transaction.version`: what every broker of the cluster must support,
 * and what clients read in ApiVersions. Level 0 removes the feature (Kafka
 * lists no feature finalized at 0). Written by the first active controller
 * (feature-levels.ts has the defaults) and by UpdateFeatures.
 */
export interface FeatureLevelRecord {
  readonly type: 'feature-level';
  readonly name: string;
  readonly level: number;
}

/**
 * Sets (value) or removes (null) one client quota of one entity (Kafka's
 * QuotaRecord): see client-quotas.ts for entities and keys.
 */
export interface ClientQuotaRecord {
  readonly type: 'client-quota';
  readonly entity: ClientQuotaEntity;
  readonly key: string;
  readonly value: number | null;
}

export type MetadataRecord =
  | ClientQuotaRecord
  | FeatureLevelRecord
  | ClusterIdRecord
  | ProducerIdsRecord
  | RegisterBrokerRecord
  | BrokerStateRecord
  | TopicRecord
  | PartitionRecord
  | ConfigRecord
  | RemoveTopicRecord
  | FenceBrokerRecord;

export type MetadataRecordType = MetadataRecord['type'];

/** The `placement` field of a partition record placed by `placement`: absent for the controller. */
export function placementField(placement: PartitionPlacement): Pick<PartitionRecord, 'placement'> {
  return placement === 'operator' ? { placement } : {};
}

/** Who placed the partition a record describes. */
export function placementOf(record: Pick<PartitionRecord, 'placement'>): PartitionPlacement {
  return record.placement ?? 'controller';
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** The all-zero UUID Kafka uses for "no topic id" (e.g. validate-only creates). */
export const zeroUuid = '00000000-0000-0000-0000-000000000000';

const clusterIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** A Kafka cluster id: 16 bytes in URL-safe base64 without padding (22 characters). */
export function isClusterId(value: string): boolean {
  return clusterIdPattern.test(value);
}
