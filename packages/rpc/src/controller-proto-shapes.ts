/**
 * The shapes protobufjs produces for proto/controller.proto with the loader
 * options in load-protos.ts, and accepts for encoding. int64 fields are
 * decimal strings; enums are names (or a number the proto does not define);
 * for each oneof, `outcome`/`item` names the member that is set and the
 * other members are absent, so every member is optional here and decoders
 * check the one named.
 */
export interface ErrorProto {
  name: string;
  message: string;
}

export interface NotControllerProto {
  leaderId: number;
  leaderAddress: string;
}

export interface ListenerProto {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface RegisterBrokerRequestProto {
  brokerId: number;
  incarnationId: string;
  listeners: ListenerProto[];
  rack?: string;
  previousShutdownClean: boolean;
}

export interface RegisterBrokerResponseProto {
  outcome?: string;
  brokerEpoch?: string;
  error?: ErrorProto;
  notController?: NotControllerProto;
  committedOffset: string;
}

export interface BrokerHeartbeatRequestProto {
  brokerId: number;
  brokerEpoch: string;
  metadataOffset: string;
  wantsShutdown: boolean;
}

export interface HeartbeatStateProto {
  isFenced: boolean;
  isCaughtUp: boolean;
  shouldShutDown: boolean;
}

export interface BrokerHeartbeatResponseProto {
  outcome?: string;
  state?: HeartbeatStateProto;
  error?: ErrorProto;
  notController?: NotControllerProto;
  committedOffset: string;
}

export interface FetchMetadataRequestProto {
  afterOffset: string;
}

export interface MetadataRecordBatchProto {
  records: Uint8Array[];
  lastOffset: string;
}

export interface MetadataSnapshotChunkProto {
  records: Uint8Array[];
  lastOffset: string;
  lastChunk: boolean;
}

export interface FetchMetadataResponseProto {
  item?: string;
  batch?: MetadataRecordBatchProto;
  snapshot?: MetadataSnapshotChunkProto;
  notController?: NotControllerProto;
}

export interface ReplicaAssignmentProto {
  partition: number;
  brokerIds: number[];
}

export interface ConfigValueProto {
  name: string;
  value: string;
}

export interface NewTopicProto {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: ReplicaAssignmentProto[];
  configs: ConfigValueProto[];
}

export interface CreateTopicsRequestProto {
  topics: NewTopicProto[];
  validateOnly: boolean;
}

export interface CreatedTopicProto {
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
  configs: ConfigValueProto[];
}

export interface CreateTopicResultProto {
  name: string;
  outcome?: string;
  created?: CreatedTopicProto;
  error?: ErrorProto;
}

export interface CreateTopicsResponseProto {
  outcome?: string;
  results?: { results: CreateTopicResultProto[] };
  notController?: NotControllerProto;
  committedOffset: string;
}

export interface DeleteTopicsRequestProto {
  names: string[];
}

export interface DeleteTopicResultProto {
  name: string;
  outcome?: string;
  topicId?: string;
  error?: ErrorProto;
}

export interface DeleteTopicsResponseProto {
  outcome?: string;
  results?: { results: DeleteTopicResultProto[] };
  notController?: NotControllerProto;
  committedOffset: string;
}

export interface PartitionsIncreaseProto {
  topic: string;
  count: number;
  assignments: ReplicaAssignmentProto[];
}

export interface CreatePartitionsRequestProto {
  topics: PartitionsIncreaseProto[];
  validateOnly: boolean;
}

export interface CreatePartitionsResultProto {
  topic: string;
  outcome?: string;
  created?: Record<string, never>;
  error?: ErrorProto;
}

export interface CreatePartitionsResponseProto {
  outcome?: string;
  results?: { results: CreatePartitionsResultProto[] };
  notController?: NotControllerProto;
  committedOffset: string;
}

export interface ConfigChangeProto {
  name: string;
  op: string | number;
  value?: string;
}

export interface ConfigResourceChangesProto {
  resourceType: string | number;
  resourceName: string;
  changes: ConfigChangeProto[];
}

export interface IncrementalAlterConfigsRequestProto {
  resources: ConfigResourceChangesProto[];
  validateOnly: boolean;
}

export interface AlterConfigsResultProto {
  resourceType: string | number;
  resourceName: string;
  outcome?: string;
  altered?: Record<string, never>;
  error?: ErrorProto;
}

export interface IncrementalAlterConfigsResponseProto {
  outcome?: string;
  results?: { results: AlterConfigsResultProto[] };
  notController?: NotControllerProto;
  committedOffset: string;
}

export type DescribeClusterRequestProto = Record<string, never>;

export interface ClusterBrokerProto {
  brokerId: number;
  brokerEpoch: string;
  listeners: ListenerProto[];
  rack?: string;
  fenced: boolean;
}

export interface ClusterDescriptionProto {
  clusterId: string;
  controllerId: number;
  brokers: ClusterBrokerProto[];
  metadataOffset: string;
}

export interface DescribeClusterResponseProto {
  outcome?: string;
  cluster?: ClusterDescriptionProto;
  notController?: NotControllerProto;
}

export interface AlterPartitionRequestProto {
  leaderId: number;
  topicId: string;
  partition: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
  addedBrokerEpochs?: { brokerId: number; brokerEpoch: string }[];
}

export interface AlteredPartitionProto {
  partitionEpoch: number;
  isr: number[];
}

export interface AlterPartitionResponseProto {
  outcome?: string;
  altered?: AlteredPartitionProto;
  error?: ErrorProto;
  notController?: NotControllerProto;
  committedOffset: string;
}
