// Public entry of @runnel/metadata.
export type {
  AlterClientQuotasError,
  ClientQuotaAlteration,
  ClientQuotaEntity,
  ClientQuotaEntry,
  ClientQuotaError,
  ClientQuotaKey,
  ClientQuotaOp,
  ClientQuotas,
  QuotaFilterComponent,
  ResolvedQuota,
} from './client-quotas.ts';
export {
  checkQuotaValue,
  clientQuotaKeys,
  describeClientQuotas,
  describeEntity,
  entityFromParts,
  entityKey,
  entityParts,
  isClientQuotaKey,
  resolveQuota,
  withClientQuota,
} from './client-quotas.ts';
export type { ConfigDef, ConfigSynonymDef, ConfigType, ConfigValidator } from './config-defs.ts';
export {
  brokerConfigDefs,
  brokerConfigDefsByName,
  longMax,
  topicConfigDefs,
  topicConfigDefsByName,
} from './config-defs.ts';
export type {
  BrokerConfigInput,
  BrokerConfigLayers,
  ConfigEntry,
  ConfigMap,
  ConfigSource,
  ConfigSynonym,
} from './configs.ts';
export {
  brokerConfigLayers,
  brokerLayersOf,
  checkConfigValue,
  configSourceIds,
  configTypeIds,
  describeBrokerConfigs,
  describeClusterDefaultConfigs,
  describeTopicConfigs,
  effectiveBrokerConfig,
  effectiveTopicConfig,
  effectiveTopicConfigs,
  validateBrokerConfigs,
  validateDynamicBrokerConfigs,
  validateTopicConfigs,
} from './configs.ts';
export type {
  AlterConfigsError,
  AlterConfigsResource,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerHeartbeat,
  BrokerHeartbeatError,
  BrokerHeartbeatReply,
  BrokerLifecycle,
  BrokerStatus,
  ClusterBroker,
  ClusterDescription,
  CommittedBatch,
  ConfigAlteration,
  ConfigOperation,
  CreatedTopic,
  CreatePartitionsError,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicError,
  CreateTopicRequest,
  CreateTopicResult,
  DecommissionError,
  DeleteTopicResult,
  DeleteTopicsRequest,
  ElectLeadersError,
  ElectLeadersResult,
  FeatureUpdate,
  FeatureUpgradeType,
  IsrMemberEpoch,
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  QuorumDescription,
  QuorumNode,
  QuorumReplica,
  ReassignmentError,
  ReassignmentQuery,
  RegisterBrokerError,
  RegisterBrokerRequest,
  TopicPartitionRef,
  UpdateFeaturesError,
} from './controller-channel.ts';
export { ControllerUnavailableError, isValidTopicName } from './controller-channel.ts';
export type { FeatureRange } from './feature-levels.ts';
export {
  defaultFinalizedFeatures,
  metadataVersionFeature,
  supportedFeatures,
  transactionVersionFeature,
} from './feature-levels.ts';
export { imageRecords } from './image-records.ts';
export type { BrokerRegistration, PartitionImage, TopicImage } from './metadata-image.ts';
export { MetadataImage, replay, replayBatch } from './metadata-image.ts';
export type { DecodeRecordError } from './record-codec.ts';
export { decodeMetadataRecord, encodeMetadataRecord, metadataRecordVersion } from './record-codec.ts';
export type {
  BrokerAdminState,
  BrokerListener,
  BrokerStateRecord,
  ClientQuotaRecord,
  ClusterIdRecord,
  ConfigRecord,
  ConfigResourceType,
  FeatureLevelRecord,
  FenceBrokerRecord,
  MetadataRecord,
  MetadataRecordType,
  PartitionPlacement,
  PartitionRecord,
  ProducerIdsRecord,
  RegisterBrokerRecord,
  RemoveTopicRecord,
  TopicRecord,
} from './records.ts';
export { isClusterId, isUuid, placementField, placementOf, zeroUuid } from './records.ts';
export type { TopicLogConfig } from './topic-log-config.ts';
export { topicLogConfig } from './topic-log-config.ts';
