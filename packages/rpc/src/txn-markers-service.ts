/**
 * The leader side of TxnMarkers.Write, hosted by ReplicaFetchServer on the
 * broker's replication port (no second port to configure or register). A
 * malformed request is refused with INVALID_ARGUMENT, a handler rejection
 * (a bug) answers INTERNAL; per-partition trouble is in the response.
 */
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { Logger } from '@runnel/common';
import type {
  VerifyTxnRequestProto,
  VerifyTxnResponseProto,
  WriteTxnMarkersRequestProto,
  WriteTxnMarkersResponseProto,
} from './generated/txn-markers-proto.ts';
import {
  txnMarkersRequestFromProto,
  txnMarkersResponseToProto,
  txnVerifyRequestFromProto,
  txnVerifyResponseToProto,
} from './txn-markers-codec.ts';
import type { TxnMarkersHandler, TxnVerifyHandler } from './txn-markers-types.ts';

type WriteCall = ServerUnaryCall<WriteTxnMarkersRequestProto, WriteTxnMarkersResponseProto>;
type VerifyCall = ServerUnaryCall<VerifyTxnRequestProto, VerifyTxnResponseProto>;

/** `verify`: the coordinator's side of Verify; without it Verify answers UNIMPLEMENTED. */
export function txnMarkersImplementation(
  handler: TxnMarkersHandler,
  logger: Logger,
  verify?: TxnVerifyHandler,
): UntypedServiceImplementation {
  return {
    Verify: (call: VerifyCall, callback: sendUnaryData<VerifyTxnResponseProto>) => {
      if (verify === undefined) {
        callback({ code: status.UNIMPLEMENTED, details: 'this broker does not verify transactions' });
        return;
      }
      const decoded = txnVerifyRequestFromProto(call.request);
      if (!decoded.ok) {
        callback({ code: status.INVALID_ARGUMENT, details: decoded.message ?? decoded.error });
        return;
      }
      verify(decoded.value).then(
        (response) => callback(null, txnVerifyResponseToProto(response)),
        (error: unknown) => {
          const details = error instanceof Error ? error.message : String(error);
          logger.error({ event: 'txn-verify-handler-failed', err: details }, 'transaction verification failed');
          callback({ code: status.INTERNAL, details });
        },
      );
    },
    Write: (call: WriteCall, callback: sendUnaryData<WriteTxnMarkersResponseProto>) => {
      const decoded = txnMarkersRequestFromProto(call.request);
      if (!decoded.ok) {
        callback({ code: status.INVALID_ARGUMENT, details: decoded.message ?? decoded.error });
        return;
      }
      handler(decoded.value).then(
        (response) => callback(null, txnMarkersResponseToProto(response)),
        (error: unknown) => {
          const details = error instanceof Error ? error.message : String(error);
          logger.error({ event: 'txn-markers-handler-failed', err: details }, 'transaction marker handler failed');
          callback({ code: status.INTERNAL, details });
        },
      );
    },
  };
}
