// Public entry of @runnel/rpc.

export { callErrorOf } from './call-errors.ts';
export type {
  ControllerAnswer,
  ControllerCallError,
  ControllerLeaderHint,
  ControllerReply,
} from './controller-answer.ts';
export { answer, notController } from './controller-answer.ts';
export type { ControllerClientOptions } from './controller-client.ts';
export { ControllerClient } from './controller-client.ts';
export type { ControllerOp, ControllerOpName, ControllerOps, OpRequest, OpValue } from './controller-ops.ts';
export { controllerOp, controllerOpNames, controllerOps } from './controller-ops.ts';
export type { ControllerServiceServerOptions } from './controller-service-server.ts';
export { ControllerServiceServer } from './controller-service-server.ts';
export type {
  ControllerChannel,
  ControllerOpHandlers,
  ControllerServiceHandler,
  FetchMetadataAnswer,
  MetadataStreamSink,
} from './controller-types.ts';
export type {
  ConfStateProto,
  EntryProto,
  RaftMessageBatchProto,
  RaftMessageProto,
  SendAckProto,
  SnapshotMetadataProto,
  SnapshotProto,
} from './generated/raft-proto.ts';
export type { GrpcControllerChannelOptions } from './grpc-controller-channel.ts';
export { ControllerCallFailure, GrpcControllerChannel } from './grpc-controller-channel.ts';
export type { MessageMemory } from './grpc-http2.ts';
export type { BindError, ReconnectBackoff } from './grpc-options.ts';
export { grpcMessageBytesMaxDefault, reconnectBackoffDefault } from './grpc-options.ts';
export type { ProtoMessageType } from './load-protos.ts';
export {
  controllerProtoPath,
  protoMessageType,
  raftProtoPath,
  replicaFetchProtoPath,
  txnMarkersProtoPath,
} from './load-protos.ts';
export type { MetadataStream, MetadataStreamEnd, MetadataStreamEvents } from './metadata-stream.ts';
export type { AllocateProducerIdsError, AllocateProducerIdsRequest, ProducerIdBlock } from './producer-ids-codec.ts';
export type { RaftDecodeError } from './raft-message-codec.ts';
export {
  entryFromProto,
  entryToProto,
  raftMessageFromProto,
  raftMessageToProto,
  snapshotFromProto,
  snapshotToProto,
} from './raft-message-codec.ts';
export type { RaftSendFailure, RaftTransportClientOptions } from './raft-transport-client.ts';
export { RaftTransportClient } from './raft-transport-client.ts';
export type { RaftTransportServerOptions } from './raft-transport-server.ts';
export { RaftTransportServer } from './raft-transport-server.ts';
export type { ReplicaFetchClientOptions, ReplicaFetchResult } from './replica-fetch-client.ts';
export { ReplicaFetchClient } from './replica-fetch-client.ts';
export type { ReplicaFetchHandler, ReplicaFetchServerOptions } from './replica-fetch-server.ts';
export { ReplicaFetchServer, replicaFetchStreamRequestsMaxDefault } from './replica-fetch-server.ts';
export type {
  DivergingEpoch,
  ReplicaFetchError,
  ReplicaFetchPartitionError,
  ReplicaFetchPartitionRequest,
  ReplicaFetchPartitionResponse,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
} from './replica-fetch-types.ts';
export type { TxnMarkersClientOptions, TxnMarkersResult, TxnVerifyResult } from './txn-markers-client.ts';
export { TxnMarkersClient } from './txn-markers-client.ts';
export type {
  TxnMarkerResult,
  TxnMarkerRpcEntry,
  TxnMarkerRpcPartitionResult,
  TxnMarkersCallError,
  TxnMarkersHandler,
  TxnMarkersRequest,
  TxnMarkersResponse,
  TxnMarkerTopicPartition,
  TxnVerifyHandler,
  TxnVerifyRequest,
  TxnVerifyResponse,
} from './txn-markers-types.ts';
