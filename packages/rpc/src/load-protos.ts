/**
 * Loads proto/*.proto at first use with proto-loader. The options fix the
 * decoded shapes that src/generated/*-proto.ts describe (generated from the
 * .proto files by scripts/gen-proto-types.ts): camelCase names, int64 as
 * decimal strings (exact, converted by wire-int64.ts), enums as their names,
 * every field present (defaults filled in), and a virtual field naming the
 * member set in each oneof.
 */
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { loadSync } from '@grpc/proto-loader';
import { assert } from '@runnel/common';

export const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true } as const;

export const raftProtoPath = fileURLToPath(new URL('../proto/raft.proto', import.meta.url));
export const controllerProtoPath = fileURLToPath(new URL('../proto/controller.proto', import.meta.url));
export const replicaFetchProtoPath = fileURLToPath(new URL('../proto/replica-fetch.proto', import.meta.url));
export const txnMarkersProtoPath = fileURLToPath(new URL('../proto/txn-markers.proto', import.meta.url));

let loaded: PackageDefinition | undefined;

function packageDefinition(): PackageDefinition {
  loaded ??= loadSync([raftProtoPath, controllerProtoPath, replicaFetchProtoPath, txnMarkersProtoPath], loaderOptions);
  return loaded;
}

export function serviceDefinition(name: string): ServiceDefinition {
  const def = packageDefinition()[name];
  assert(def !== undefined && !('format' in def), `no service ${name} in the protos`);
  return def as ServiceDefinition;
}

/** One RPC with the request/response shapes the caller asserts it has (see the shapes files). */
export interface RpcMethod<Req, Res> {
  readonly path: string;
  readonly serializeRequest: (value: Req) => Buffer;
  readonly deserializeResponse: (bytes: Buffer) => Res;
  /** The server's side of the same call. */
  readonly deserializeRequest: (bytes: Buffer) => Req;
  readonly serializeResponse: (value: Res) => Buffer;
}

export function rpcMethod<Req, Res>(service: string, method: string): RpcMethod<Req, Res> {
  const def = serviceDefinition(service)[method];
  assert(def !== undefined, `no method ${method} in ${service}`);
  return {
    path: def.path,
    serializeRequest: def.requestSerialize as (value: Req) => Buffer,
    // protobufjs decodes into exactly the shape the loader options promise; this is the one cast.
    deserializeResponse: def.responseDeserialize as (bytes: Buffer) => Res,
    deserializeRequest: def.requestDeserialize as (bytes: Buffer) => Req,
    serializeResponse: def.responseSerialize as (value: Res) => Buffer,
  };
}

export const raftServiceName = 'runnel.raft.v1.RaftTransport';
export const controllerServiceName = 'runnel.controller.v1.ControllerService';
export const replicaFetchServiceName = 'runnel.replica.v1.ReplicaFetch';
export const txnMarkersServiceName = 'runnel.txn.v1.TxnMarkers';

/** Encoder and decoder for one message type, e.g. 'runnel.raft.v1.RaftMessage' (tests and tools). */
export interface ProtoMessageType<T> {
  readonly serialize: (value: T) => Buffer;
  readonly deserialize: (bytes: Buffer) => T;
}

export function protoMessageType<T>(name: string): ProtoMessageType<T> {
  const def = packageDefinition()[name];
  assert(def !== undefined && def.format === 'Protocol Buffer 3 DescriptorProto', `no message ${name} in the protos`);
  return {
    serialize: def.serialize as (value: T) => Buffer,
    deserialize: def.deserialize as (bytes: Buffer) => T,
  };
}
