/**
 * Turns one request frame into its outcome: decode the header and body,
 * route to the handler for the API, encode the response in the header
 * version the request calls for.
 *
 * Bad input never throws out of here. An ApiVersions request at a version
 * we do not support gets the v0-format UNSUPPORTED_VERSION reply (what
 * clients expect before they know our table); any other undecodable frame,
 * unknown API key or unsupported version is logged and closes the
 * connection, as Kafka does. Other connections are unaffected.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@runnel/common';
import {
  apiDefByKey,
  decodeRequestFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeResponseFrame,
  type RequestHeader,
} from '@runnel/protocol';
import type { Handler, ResponseMemory } from './handlers/handler.ts';
import type { BrokerMetrics } from './metrics.ts';
import type { ConnectionContext, RequestOutcome } from './network/connection.ts';
import type { FrameClaim, FramePool } from './network/frame-pool.ts';
import type { ClientQuotaManager } from './quotas/client-quota-manager.ts';
import { hasThrottleField, requestTimeExempt } from './quotas/request-time.ts';
import { respondsWithThrottleFirst } from './quotas/throttle-versions.ts';

const apiVersionsKey = 18;

export class RequestProcessor {
  readonly #handlers = new Map<number, Handler>();
  readonly #logger: Logger;
  readonly #metrics: BrokerMetrics;
  readonly #pool: FramePool | null;
  readonly #quotas: ClientQuotaManager | null;

  /** `pool` backs handlers' ResponseMemory; null: handlers allocate. `quotas` null: no client quotas. */
  constructor(
    handlers: readonly Handler[],
    logger: Logger,
    metrics: BrokerMetrics,
    pool: FramePool | null = null,
    quotas: ClientQuotaManager | null = null,
  ) {
    for (const h of handlers) this.#handlers.set(h.apiKey, h);
    this.#logger = logger;
    this.#metrics = metrics;
    this.#pool = pool;
    this.#quotas = quotas;
  }

  get servedApiKeys(): ReadonlySet<number> {
    return new Set(this.#handlers.keys());
  }

  addHandler(handler: Handler): void {
    this.#handlers.set(handler.apiKey, handler);
  }

  /** request_percentage: charges the request's event-loop time; writes a throttle into responses that carry one. */
  #requestTimeThrottle(header: RequestHeader, clientId: string, response: unknown, loopMs: number): number {
    // acks=0 produces (no response) are exempt, as in Kafka.
    if (this.#quotas === null || response === null || requestTimeExempt(header.apiKey)) return 0;
    const ms = this.#quotas.recordRequestTime(clientId, loopMs);
    if (ms > 0 && hasThrottleField(header.apiKey, header.apiVersion)) {
      const r = response as { throttleTimeMs?: number };
      r.throttleTimeMs = Math.max(r.throttleTimeMs ?? 0, ms);
    }
    return ms;
  }

  /**
   * `claim` is the caller's claim on a pooled frame (null when not pooled):
   * released once the handler has settled if it declares the request's
   * bytes free then, otherwise dropped unreleased (the frame is not reused).
   */
  readonly process = async (
    frame: Buffer,
    connection: ConnectionContext,
    claim: FrameClaim | null = null,
  ): Promise<RequestOutcome> => {
    const started = performance.now();
    const decoded = decodeRequestFrame(frame);
    if (!decoded.ok) {
      const header = decoded.header;
      const api = header === null ? 'unknown' : (apiDefByKey(header.apiKey)?.name ?? `key-${header.apiKey}`);
      if (header !== null && header.apiKey === apiVersionsKey && decoded.error === 'unsupported_version') {
        this.#logger.info(
          { remote: connection.remoteAddress, version: header.apiVersion },
          'ApiVersions at an unsupported version; answering with the v0 error reply',
        );
        this.#metrics.requests.inc({ request: api });
        return { kind: 'respond', chunks: encodeApiVersionsUnsupportedFrame(header.correlationId) };
      }
      this.#metrics.requestErrors.inc({ request: api, reason: decoded.error });
      this.#logger.warn(
        {
          remote: connection.remoteAddress,
          error: decoded.error,
          apiKey: header?.apiKey,
          apiVersion: header?.apiVersion,
          correlationId: header?.correlationId,
          clientId: header?.clientId,
          detail: decoded.message,
        },
        'bad request',
      );
      return { kind: 'close', reason: `${decoded.error}: ${decoded.message}` };
    }
    const { header, body } = decoded;
    const handler = this.#handlers.get(header.apiKey);
    const api = apiDefByKey(header.apiKey)?.name ?? `key-${header.apiKey}`;
    if (handler === undefined || header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      this.#metrics.requestErrors.inc({ request: api, reason: 'not_served' });
      this.#logger.warn(
        {
          remote: connection.remoteAddress,
          apiKey: header.apiKey,
          apiVersion: header.apiVersion,
          clientId: header.clientId,
        },
        'request for an API or version this broker does not serve',
      );
      return { kind: 'close', reason: `${api} v${header.apiVersion} is not served` };
    }
    const memory = this.#pool === null ? undefined : new HeldResponseMemory(this.#pool);
    const context = memory === undefined ? { header, connection } : { header, connection, responseMemory: memory };
    const handled = handler.handle(body as never, context);
    // Decoding and the handler's synchronous part: the event-loop time request_percentage charges.
    const loopMs = performance.now() - started;
    const response = await handled;
    // Not in a finally: after a handler's bug its appends may still be writing these bytes.
    if (handler.requestBytesFreeAfterHandling === true) claim?.release();
    this.#metrics.requests.inc({ request: api });
    this.#metrics.requestSeconds.observe({ request: api }, (performance.now() - started) / 1000);
    // A byte-rate quota writes its throttle into the response; admin handlers set theirs (KIP-599).
    const clientId = header.clientId ?? '';
    const quotaMs = this.#quotas?.throttle(header.apiKey, clientId, body, response, frame.length) ?? 0;
    const requestMs = this.#requestTimeThrottle(header, clientId, response, loopMs);
    const throttleMs = Math.max(quotaMs, requestMs, throttleOf(response));
    if (throttleMs > 0) {
      connection.muteForMs?.(throttleMs);
      // Clients of older versions do not back off themselves: Kafka holds their answer for the throttle time.
      if (!respondsWithThrottleFirst(header.apiKey, header.apiVersion)) await delay(throttleMs);
    }
    const held = memory?.held ?? [];
    if (response === null) {
      for (const c of held) c.release();
      return { kind: 'none' };
    }
    const encodeStarted = performance.now();
    const chunks = encodeResponseFrame(header, response);
    if (!requestTimeExempt(header.apiKey)) this.#quotas?.recordRequestTime(clientId, performance.now() - encodeStarted);
    return held.length === 0 ? { kind: 'respond', chunks } : { kind: 'respond', chunks, claims: held };
  };
}

function throttleOf(response: unknown): number {
  const ms = (response as { throttleTimeMs?: unknown } | null)?.throttleTimeMs;
  return typeof ms === 'number' && ms > 0 ? ms : 0;
}

/** One request's ResponseMemory: the claims its response keeps until written. */
class HeldResponseMemory implements ResponseMemory {
  readonly #pool: FramePool;
  readonly held: FrameClaim[] = [];

  constructor(pool: FramePool) {
    this.#pool = pool;
  }

  acquire(sizeBytes: number): { bytes: Buffer; claim: FrameClaim } | null {
    const acquired = this.#pool.acquire(sizeBytes);
    return acquired === null ? null : { bytes: acquired.frame, claim: acquired.claim };
  }

  holdUntilWritten(claim: FrameClaim): void {
    this.held.push(claim);
  }
}
