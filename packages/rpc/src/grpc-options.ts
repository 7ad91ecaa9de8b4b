/**
 * gRPC channel and server settings shared by every Runnel client and server,
 * and the one helper that binds a server to a port.
 */
import type { ChannelOptions, Server } from '@grpc/grpc-js';
import { ServerCredentials } from '@grpc/grpc-js';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

/** Raft snapshots travel in one message for now; this bounds them (and any garbage length prefix). */
export const grpcMessageBytesMaxDefault = 64 * 1024 * 1024;

export interface ReconnectBackoff {
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
}

export const reconnectBackoffDefault: ReconnectBackoff = { backoffMsMin: 50, backoffMsMax: 2_000 };

export function channelOptions(backoff: ReconnectBackoff, messageBytesMax: number): ChannelOptions {
  return {
    // gRPC's own subchannel backoff does the reconnecting; these bound it.
    'grpc.initial_reconnect_backoff_ms': backoff.backoffMsMin,
    'grpc.max_reconnect_backoff_ms': backoff.backoffMsMax,
    // A peer that vanished without a FIN (partition, power loss) is noticed by pings, not by waiting forever.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': messageBytesMax,
    'grpc.max_send_message_length': messageBytesMax,
  };
}

/**
 * HTTP/2 receive window (per stream and per connection) of the replica
 * fetch client, which pulls bulk data. Node's default is 64 KiB: a 1 MiB
 * replica fetch response would then need ~16 WINDOW_UPDATE round trips,
 * each waiting for the receiving broker's event loop, which stalled
 * replication far below disk or CPU speed. Receive memory stays bounded by
 * the fetch's maxBytes, since a follower has one fetch outstanding per leader.
 */
export const bulkFlowControlWindowBytes = 32 * 1024 * 1024;

/**
 * node:http2's cap on one connection's buffered memory, in MB (its unit).
 * The default 10 MB is less than one full replica fetch response (10 MiB of
 * records plus framing) waiting to be sent; past the cap Node refuses new
 * streams on the connection. Memory stays bounded by one response per follower.
 */
export const http2SessionMemoryMaxMb = 64;

export function serverOptions(messageBytesMax: number): ChannelOptions {
  return {
    'grpc.max_receive_message_length': messageBytesMax,
    'grpc.max_send_message_length': messageBytesMax,
  };
}

export type BindError = 'bind_failed';

/** Binds `host:port` (port 0 = any free port) without TLS and returns the bound port. */
export function bindServer(server: Server, host: string, port: number): Promise<Result<number, BindError>> {
  return new Promise((resolve) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, boundPort) => {
      resolve(error === null ? ok(boundPort) : err('bind_failed', error.message));
    });
  });
}
