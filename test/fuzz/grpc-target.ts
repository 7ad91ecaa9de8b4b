/**
 * Fuzz target (c, gRPC): every request message the broker's and the
 * controller's gRPC servers accept, through the server's own deserializer
 * (proto-loader over protobufjs, the options the servers load with) and then
 * the codec that turns the proto shape into a domain request (the check a
 * handler relies on). Inputs are one byte naming the method, then protobuf
 * bytes built valid from the .proto files' reflection (every field, nested
 * messages, repeated fields, one member per oneof, int64 extremes) and mostly
 * damaged by the shared byte mutations (wrong wire types, huge lengths,
 * unterminated varints, groups, truncation).
 *
 * Invariants: deserializing either returns a value or throws an Error (every
 * server catches it and answers INVALID_ARGUMENT or INTERNAL); the
 * from-proto codec returns a Result and never throws (the controller and
 * Raft servers call it outside any try); a message left valid deserializes;
 * allocation stays bounded by the bytes present.
 */
import type { Random } from '@runnel/common';
import protobuf from 'protobufjs';
import { controllerOp, controllerOpNames } from '../../packages/rpc/src/controller-ops.ts';
import type { RaftMessageBatchProto } from '../../packages/rpc/src/generated/raft-proto.ts';
import type { ReplicaFetchRequestProto } from '../../packages/rpc/src/generated/replica-fetch-proto.ts';
import type {
  VerifyTxnRequestProto,
  WriteTxnMarkersRequestProto,
} from '../../packages/rpc/src/generated/txn-markers-proto.ts';
import {
  controllerProtoPath,
  controllerServiceName,
  raftProtoPath,
  raftServiceName,
  replicaFetchProtoPath,
  replicaFetchServiceName,
  serviceDefinition,
  txnMarkersProtoPath,
  txnMarkersServiceName,
} from '../../packages/rpc/src/load-protos.ts';
import { raftMessageFromProto } from '../../packages/rpc/src/raft-message-codec.ts';
import { replicaFetchRequestFromProto } from '../../packages/rpc/src/replica-fetch-codec.ts';
import { txnMarkersRequestFromProto, txnVerifyRequestFromProto } from '../../packages/rpc/src/txn-markers-codec.ts';
import { int64FromWire } from '../../packages/rpc/src/wire-int64.ts';
import { mutateBytes } from './byte-mutations.ts';
import { allocationBaseBytes, allocationBytesPerInputByte } from './fuzz-runner.ts';
import type { FuzzInput, FuzzTarget, Outcome } from './fuzz-target.ts';
import { InvariantBroken } from './fuzz-target.ts';

/** A request the servers accept: how to deserialize it and what the server does with the decoded shape. */
interface RpcInput {
  readonly name: string;
  readonly type: protobuf.Type;
  readonly deserialize: (bytes: Buffer) => unknown;
  /** The server's validation of the decoded shape: a Result's `ok`, or a throw (a finding). */
  readonly validate: (decoded: unknown) => boolean;
}

function rpcInputs(): RpcInput[] {
  const root = protobuf.loadSync([raftProtoPath, controllerProtoPath, replicaFetchProtoPath, txnMarkersProtoPath]);
  root.resolveAll();
  const method = (service: string, name: string, validate: (decoded: unknown) => boolean): RpcInput => {
    const def = serviceDefinition(service)[name];
    const reflected = root.lookupService(service).methods[name];
    if (def === undefined || reflected === undefined) throw new Error(`no method ${service}.${name}`);
    return {
      name: `${service}.${name}`,
      type: root.lookupType(reflected.resolvedRequestType?.fullName ?? reflected.requestType),
      deserialize: def.requestDeserialize,
      validate,
    };
  };
  const inputs = controllerOpNames.map((op) => {
    const entry = controllerOp(op);
    return method(controllerServiceName, entry.method, (decoded) => entry.requestFromProto(decoded).ok);
  });
  inputs.push(
    method(controllerServiceName, 'FetchMetadata', (decoded) => {
      int64FromWire((decoded as { afterOffset: string }).afterOffset);
      return true;
    }),
    method(raftServiceName, 'Send', (decoded) =>
      (decoded as RaftMessageBatchProto).messages.every((m) => raftMessageFromProto(m).ok),
    ),
    method(
      replicaFetchServiceName,
      'Fetch',
      (decoded) => replicaFetchRequestFromProto(decoded as ReplicaFetchRequestProto).ok,
    ),
    method(
      txnMarkersServiceName,
      'Write',
      (decoded) => txnMarkersRequestFromProto(decoded as WriteTxnMarkersRequestProto).ok,
    ),
    method(
      txnMarkersServiceName,
      'Verify',
      (decoded) => txnVerifyRequestFromProto(decoded as VerifyTxnRequestProto).ok,
    ),
  );
  return inputs;
}

let loaded: RpcInput[] | undefined;
function inputs(): RpcInput[] {
  loaded ??= rpcInputs();
  return loaded;
}

const int64Picks = ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993', '4294967296'];
const uint64Picks = ['0', '1', '18446744073709551615', '9007199254740993', '4294967295'];

function scalar(rng: Random, type: string): unknown {
  switch (type) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return rng.pick([0, 1, -1, 2147483647, -2147483648, rng.int(-1000, 1000)]);
    case 'uint32':
    case 'fixed32':
      return rng.pick([0, 1, 4294967295, rng.int(0, 1000)]);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return rng.bool(0.5) ? rng.pick(int64Picks) : String(rng.int(-1000, 100000));
    case 'uint64':
    case 'fixed64':
      return rng.bool(0.5) ? rng.pick(uint64Picks) : String(rng.int(0, 100000));
    case 'bool':
      return rng.bool();
    case 'double':
    case 'float':
      return rng.pick([0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, rng.next() * 1e6]);
    case 'string':
      return rng.pick(['', 'topic', 'a.b-c_d', 'é漢', 'x'.repeat(rng.int(0, 300))]);
    case 'bytes':
      return rng.bytes(rng.int(0, 48));
    default:
      throw new Error(`unknown scalar ${type}`);
  }
}

function fieldValue(rng: Random, field: protobuf.Field, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const values = Object.values(resolved.values);
    return rng.bool(0.9) ? rng.pick(values) : rng.int(-5, 100);
  }
  if (resolved instanceof protobuf.Type) return randomObject(rng, resolved, depth + 1);
  return scalar(rng, field.type);
}

/** A random plain object of `type`: one member per oneof at most, fewer elements deeper down. */
function randomObject(rng: Random, type: protobuf.Type, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const chosen = new Set<string>();
  for (const oneof of type.oneofsArray) {
    if (rng.bool(0.8) && oneof.oneof.length > 0) chosen.add(rng.pick(oneof.oneof));
  }
  for (const field of type.fieldsArray) {
    if (field.partOf !== null && !chosen.has(field.name)) continue;
    if (field.map) continue;
    if (depth > 3 && field.resolvedType instanceof protobuf.Type) continue;
    if (field.repeated) {
      out[field.name] = Array.from({ length: rng.int(0, depth > 1 ? 2 : 3) }, () => fieldValue(rng, field, depth));
    } else if (rng.bool(0.85)) {
      out[field.name] = fieldValue(rng, field, depth);
    }
  }
  return out;
}

export function generateRpcRequest(rng: Random): FuzzInput {
  const all = inputs();
  const which = rng.int(0, all.length - 1);
  const rpc = all[which];
  if (rpc === undefined) throw new Error('no rpc');
  const valid = Buffer.from(rpc.type.encode(rpc.type.fromObject(randomObject(rng, rpc.type, 0))).finish());
  const mode = rng.int(0, 99);
  const body = mode < 3 ? rng.bytes(rng.int(0, 64)) : mode < 15 ? valid : mutateBytes(rng, valid);
  return { bytes: Buffer.concat([Buffer.from([which]), body]), valid: mode >= 3 && mode < 15 };
}

export function runRpcRequest(input: FuzzInput): Outcome {
  const all = inputs();
  const rpc = all[(input.bytes[0] ?? 0) % all.length];
  if (rpc === undefined) throw new Error('no rpc');
  let decoded: unknown;
  try {
    decoded = rpc.deserialize(input.bytes.subarray(1));
  } catch (e) {
    if (input.valid) throw new InvariantBroken(`${rpc.name}: a valid message did not deserialize: ${String(e)}`);
    if (!(e instanceof Error)) throw new InvariantBroken(`${rpc.name}: deserialize threw a non-Error ${String(e)}`);
    return 'rejected';
  }
  try {
    return rpc.validate(decoded) ? 'accepted' : 'rejected';
  } catch (e) {
    throw new InvariantBroken(
      `${rpc.name}: the from-proto check threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
  }
}

export function grpcTarget(): FuzzTarget {
  return {
    name: 'grpc',
    measuresAllocation: true,
    allocationBytesMax: (inputBytes) => allocationBaseBytes + allocationBytesPerInputByte * inputBytes,
    generate: generateRpcRequest,
    run: runRpcRequest,
    close: async () => {},
  };
}
