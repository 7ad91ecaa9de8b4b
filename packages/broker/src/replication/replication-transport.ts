/**
 * The network under replication, as a seam: followers talk to a leader
 * through a ReplicaFetchStream, and a leader serves followers through a
 * ReplicaFetchListener. In production both are gRPC (@runnel/rpc's
 * ReplicaFetchClient and ReplicaFetchServer); the deterministic simulation
 * (test/simulation) carries the same requests and responses over its own
 * message network, with delays, drops and partitions.
 *
 * The contract is the gRPC client's: `fetch` never throws for network
 * trouble, it resolves to an error from ReplicaFetchError and the caller
 * decides whether to replace the stream; after `close()` every fetch
 * resolves `closed`.
 */
import type { Logger, Result } from '@runnel/common';
import {
  type MessageMemory,
  ReplicaFetchClient,
  type ReplicaFetchHandler,
  type ReplicaFetchRequest,
  type ReplicaFetchResult,
  ReplicaFetchServer,
  type TxnMarkersHandler,
  type TxnVerifyHandler,
} from '@runnel/rpc';

/** One follower's stream to one leader broker. Owned by a ReplicaFetcher, which must close() it. */
export interface ReplicaFetchStream {
  fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResult>;
  close(): void;
}

/** A leader's replication endpoint. Owned by ReplicaManager, which must close() it. */
export interface ReplicaFetchListener {
  readonly port: number;
  close(): void;
}

export interface ReplicationTransport {
  /**
   * Serves followers' fetches with `handler` on host:port (0 picks a free
   * port), and the transaction calls (`txn`) when given; the error says why
   * not.
   */
  listen(
    host: string,
    port: number,
    handler: ReplicaFetchHandler,
    txn?: TxnServices,
  ): Promise<Result<ReplicaFetchListener, string>>;
  /** A stream to the leader at `address` (host:port); it connects on first use. */
  connect(address: string): ReplicaFetchStream;
}

/** The transaction calls a broker serves beside replica fetch (TxnMarkers: Write, Verify). */
export interface TxnServices {
  /** Markers from coordinators onto partitions led here (transactions/txn-marker-apply.ts). */
  readonly markers: TxnMarkersHandler;
  /** Partition leaders' KIP-890 verification, answered by this broker's transaction coordinators. */
  readonly verify: TxnVerifyHandler;
}

/** `memory`: where the client assembles large responses (the broker's FramePool); each then carries release(). */
export function grpcReplicationTransport(logger: Logger, memory?: MessageMemory): ReplicationTransport {
  return {
    async listen(host, port, handler, txn) {
      const started = await ReplicaFetchServer.start({
        host,
        port,
        logger,
        handler,
        ...(txn === undefined ? {} : { txnMarkers: txn.markers, txnVerify: txn.verify }),
      });
      return started.ok ? started : { ok: false, error: started.message ?? started.error };
    },
    connect: (address) => new ReplicaFetchClient({ address, logger, ...(memory === undefined ? {} : { memory }) }),
  };
}
