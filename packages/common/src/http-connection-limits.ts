/**
 * Connection limits for the HTTP servers every role runs (/metrics and the
 * probes; the gateway's REST and Schema Registry API): the same kinds the
 * Kafka listener has. A connection silent for `idleMs` is closed; a request
 * whose headers or body do not arrive in time gets Node's 408 and is closed
 * (slow senders); one address may hold at most `connectionsPerIpMax`
 * connections and the server `connectionsMax` (more are closed at once);
 * one keep-alive connection serves at most `requestsPerSocketMax` requests.
 * The server keeps its own limits and counts; `onLimit` only observes.
 */
import type { Server } from 'node:http';
import { admitConnection, normalizeAddress } from './connection-limits.ts';

export interface HttpConnectionLimits {
  readonly connectionsMax: number;
  readonly connectionsPerIpMax: number;
  /** A connection with no bytes either way for this long is closed. */
  readonly idleMs: number;
  /** Node's headersTimeout: the request head must arrive within this. */
  readonly headersTimeoutMs: number;
  /** Node's requestTimeout: the whole request must arrive within this. */
  readonly requestTimeoutMs: number;
  /** How long a keep-alive connection waits for its next request. */
  readonly keepAliveTimeoutMs: number;
  readonly requestsPerSocketMax: number;
}

/**
 * For the operational endpoints (/metrics, /healthz, /readyz): a few
 * scrapers and probes per address, each request small and quick.
 */
export const probeHttpLimits: HttpConnectionLimits = {
  connectionsMax: 1024,
  connectionsPerIpMax: 64,
  idleMs: 30_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
  requestsPerSocketMax: 1000,
};

export type HttpLimitReason = 'idle' | 'per_ip' | 'max_connections';

/** Applies `limits` to `server` (before or after it listens); returns the count of connections it holds. */
export function limitHttpConnections(
  server: Server,
  limits: HttpConnectionLimits,
  onLimit: (reason: HttpLimitReason, address: string) => void = () => {},
): { open(): number } {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.requestsPerSocketMax;
  // With a 'timeout' listener Node leaves the socket to it: close it, and count why.
  server.setTimeout(limits.idleMs);
  server.on('timeout', (socket) => {
    onLimit('idle', normalizeAddress(socket.remoteAddress));
    socket.destroy();
  });
  const admission = {
    connectionsMax: limits.connectionsMax,
    connectionsPerIpMax: limits.connectionsPerIpMax,
    connectionsPerIpOverrides: new Map<string, number>(),
  };
  const byAddress = new Map<string, number>();
  let open = 0;
  server.on('connection', (socket) => {
    const address = normalizeAddress(socket.remoteAddress);
    const from = byAddress.get(address) ?? 0;
    const verdict = admitConnection(address, from, open, admission);
    if (verdict.kind === 'refuse') {
      onLimit(verdict.reason, address);
      socket.destroy();
      return;
    }
    open++;
    byAddress.set(address, from + 1);
    socket.once('close', () => {
      open--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left <= 0) byAddress.delete(address);
      else byAddress.set(address, left);
    });
  });
  return { open: () => open };
}
