/**
 * The leader side of TxnMarkers.Write and .Verify, hosted by
 * ReplicaFetchServer on the broker's replication port (no second port to
 * configure or register). Each method takes the decoded request proto and
 * settles with the response proto or a gRPC status: a malformed request is
 * INVALID_ARGUMENT, a handler rejection (a bug) INTERNAL, Verify on a broker
 * without a verifier UNIMPLEMENTED; per-partition trouble is in the response.
 */
import type { Logger } from '@runnel/common';
import type {
  VerifyTxnRequestProto,
  VerifyTxnResponseProto,
  WriteTxnMarkersRequestProto,
  WriteTxnMarkersResponseProto,
} from './generated/txn-markers-proto.ts';
import type { GrpcStatusCode } from './grpc-http2.ts';
import { grpcStatus } from './grpc-http2.ts';
import type { RpcMethod } from './load-protos.ts';
import { rpcMethod, txnMarkersServiceName } from './load-protos.ts';
import {
  txnMarkersRequestFromProto,
  txnMarkersResponseToProto,
  txnVerifyRequestFromProto,
  txnVerifyResponseToProto,
} from './txn-markers-codec.ts';
import type { TxnMarkersHandler, TxnVerifyHandler } from './txn-markers-types.ts';

export type UnaryOutcome = { ok: true; response: Buffer } | { ok: false; code: GrpcStatusCode; details: string };

/** One unary method: request message bytes in, response bytes or a status out. */
export type UnaryMethod = (request: Buffer) => Promise<UnaryOutcome>;

/** The TxnMarkers methods by their gRPC path; `verify` absent: Verify answers UNIMPLEMENTED. */
export function txnMarkersMethods(
  handler: TxnMarkersHandler,
  logger: Logger,
  verify?: TxnVerifyHandler,
): Map<string, UnaryMethod> {
  const write = rpcMethod<WriteTxnMarkersRequestProto, WriteTxnMarkersResponseProto>(txnMarkersServiceName, 'Write');
  const check = rpcMethod<VerifyTxnRequestProto, VerifyTxnResponseProto>(txnMarkersServiceName, 'Verify');
  return new Map<string, UnaryMethod>([
    [
      write.path,
      unary(write, logger, 'txn-markers-handler-failed', 'transaction marker handler failed', (proto) => {
        const decoded = txnMarkersRequestFromProto(proto);
        if (!decoded.ok) return decoded;
        return { ok: true, value: handler(decoded.value).then(txnMarkersResponseToProto) };
      }),
    ],
    [
      check.path,
      verify === undefined
        ? () =>
            Promise.resolve({
              ok: false,
              code: grpcStatus.UNIMPLEMENTED,
              details: 'this broker does not verify transactions',
            })
        : unary(check, logger, 'txn-verify-handler-failed', 'transaction verification failed', (proto) => {
            const decoded = txnVerifyRequestFromProto(proto);
            if (!decoded.ok) return decoded;
            return { ok: true, value: verify(decoded.value).then(txnVerifyResponseToProto) };
          }),
    ],
  ]);
}

type Started<Res> = { ok: true; value: Promise<Res> } | { ok: false; error: string; message?: string };

function unary<Req, Res>(
  method: RpcMethod<Req, Res>,
  logger: Logger,
  event: string,
  what: string,
  start: (request: Req) => Started<Res>,
): UnaryMethod {
  return async (bytes) => {
    let started: Started<Res>;
    try {
      started = start(method.deserializeRequest(bytes));
    } catch (e: unknown) {
      return { ok: false, code: grpcStatus.INVALID_ARGUMENT, details: e instanceof Error ? e.message : String(e) };
    }
    if (!started.ok) {
      return { ok: false, code: grpcStatus.INVALID_ARGUMENT, details: started.message ?? started.error };
    }
    try {
      return { ok: true, response: method.serializeResponse(await started.value) };
    } catch (error: unknown) {
      const details = error instanceof Error ? error.message : String(error);
      logger.error({ event, err: details }, what);
      return { ok: false, code: grpcStatus.INTERNAL, details };
    }
  };
}
