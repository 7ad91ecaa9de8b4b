/**
 * What a request handler is: the API it serves, the versions it serves, and
 * a function from the decoded request to the response body (or null when
 * the protocol says no response is sent, as for acks=0 produce).
 *
 * Handlers never touch bytes or sockets. Per-partition failures are Kafka
 * error codes in the response, as data; a thrown error is a bug and closes
 * the client's connection (see Connection).
 */
import type { Clock, Logger } from '@runnel/common';
import type { BrokerConfigLayers, MetadataImage } from '@runnel/metadata';
import type { RequestByKey, RequestHeader, ResponseByKey } from '@runnel/protocol';
import type { ControllerChannel } from '@runnel/rpc';
import type { BrokerConfig } from '../config.ts';
import type { LoggerLevels } from '../logger-levels.ts';
import type { BrokerMetrics } from '../metrics.ts';
import type { ConnectionContext } from '../network/connection.ts';
import type { FrameClaim } from '../network/frame-pool.ts';
import type { PartitionManager } from '../partition-manager.ts';
import type { ClientQuotaManager } from '../quotas/client-quota-manager.ts';
import type { ControllerMutationQuotas } from '../quotas/mutation-quota.ts';

export type ApiKey = keyof RequestByKey & keyof ResponseByKey;

export interface RequestContext {
  readonly header: RequestHeader;
  readonly connection: ConnectionContext;
  /** Recycled memory for bytes the response carries; absent (handler tests): allocate. */
  readonly responseMemory?: ResponseMemory;
}

/**
 * Memory for what a response carries (a fetch's log reads), from the
 * broker's FramePool so a consumer reading at 1 GB/s does not allocate a
 * fresh ArrayBuffer per read: each such allocation counts towards V8's
 * external memory, and that forces a full garbage collection every few
 * dozen MB. A claim passed to `holdUntilWritten` is released once the
 * response has been written to the socket (never if it is dropped: the
 * garbage collector then frees the slab); the handler releases any other
 * claim itself, once nothing reads those bytes.
 */
export interface ResponseMemory {
  /** A buffer of exactly `sizeBytes` and the caller's claim on it, or null when that size is not pooled. */
  acquire(sizeBytes: number): { bytes: Buffer; claim: FrameClaim } | null;
  holdUntilWritten(claim: FrameClaim): void;
}

export interface Handler<K extends ApiKey = ApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * True when the request's bytes may be recycled once `handle` settles: it
   * settles only after everything it started with them is done, and what
   * keeps a view of them past that takes its own claim (see FramePool).
   * Unset: the bytes are left to the garbage collector (a handler may keep
   * views of them, as group state keeps member metadata).
   */
  readonly requestBytesFreeAfterHandling?: true;
  handle(request: RequestByKey[K], context: RequestContext): Promise<ResponseByKey[K] | null>;
}

/** The broker state handlers read; owned by Broker. */
export interface BrokerContext {
  readonly config: BrokerConfig;
  /** The quorum's cluster id (empty only before the first registration). */
  readonly clusterId: () => string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: BrokerMetrics;
  readonly partitions: PartitionManager;
  readonly controller: ControllerChannel;
  /** The latest committed metadata image this broker has replayed. */
  image(): MetadataImage;
  /** The host and port clients should use to reach this broker. */
  advertised(): { host: string; port: number };
  /** The broker's static configuration under Kafka's names (what its starter set). */
  kafkaConfig(): Record<string, string>;
  /** This broker's config layers now: its dynamic configs, the cluster defaults (from the image), its static config. */
  configLayers(): BrokerConfigLayers;
  /** auto.create.topics.enable as it is now (a dynamic broker config may change it). */
  autoCreateTopics(): boolean;
  /** The BROKER_LOGGER resource: this broker's loggers and their levels. */
  readonly loggers: LoggerLevels;
  /** KIP-599's controller_mutation_rate, for CreateTopics, CreatePartitions and DeleteTopics. */
  readonly mutationQuotas: ControllerMutationQuotas;
  /** Byte-rate client quotas; the fetch handler caps a consumer's response by them. Absent: no quotas (handler tests). */
  readonly clientQuotas?: ClientQuotaManager;
}

/** A topic refused by the controller mutation quota (KIP-599). */
export const throttledTopicMessage =
  'The controller mutation quota (controller_mutation_rate) is exceeded; retry later.';

/** Erases K so handlers of different APIs fit in one registry. */
export function register<K extends ApiKey>(handler: Handler<K>): Handler {
  return handler as unknown as Handler;
}
