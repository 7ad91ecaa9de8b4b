/**
 * What every REST Proxy and console route works with: the gateway's cluster
 * client, a way to open more clients (a v2 consumer instance has its own,
 * since a JoinGroup waits at the coordinator for the whole rebalance), the
 * gateway's own Schema Registry for the embedded formats, the limits, and
 * the metrics. Built by RestApi (rest-api.ts) from the Gateway; each area
 * (v2/, v2-consumers/, v3/, v3-records/, ../console/) registers its routes
 * with it and owns whatever state it keeps.
 */
import type { KafkaClient, KafkaClientOptions } from '@runnel/client';
import type { Logger } from '@runnel/common';
import type { RegistryClient } from '@runnel/schema-serde';
import type { GatewayMetrics } from '../gateway-metrics.ts';
import type { EmbeddedFormats } from './formats/embedded-formats.ts';

export interface RestLimits {
  /** Largest request body read (a streamed v3 produce is read record by record and not bound by it). */
  readonly bodyBytesMax: number;
  /** Most records one v2 produce request may carry (a streamed v3 produce: one record per message). */
  readonly recordsPerRequestMax: number;
  /** Most v2 consumer instances this gateway holds at once; creating one more answers 429. */
  readonly consumerInstancesMax: number;
  /** An instance no request has touched for this long is closed (Confluent's `consumer.instance.timeout.ms`). */
  readonly consumerInstanceTimeoutMs: number;
  /** Largest `max_bytes` a v2 records request may ask for, and what it gets when it asks for none. */
  readonly consumerResponseBytesMax: number;
  /**
   * How long a gateway waits for a v2 instance's owner to answer a forwarded request (beyond the request's own
   * wait) before it counts the owner as gone and takes the instance over.
   */
  readonly consumerOwnerTimeoutMs: number;
}

export const defaultRestLimits: RestLimits = {
  bodyBytesMax: 16 * 1024 * 1024,
  recordsPerRequestMax: 10_000,
  consumerInstancesMax: 1000,
  consumerInstanceTimeoutMs: 300_000,
  consumerResponseBytesMax: 64 * 1024 * 1024,
  consumerOwnerTimeoutMs: 10_000,
};

export interface RestContext {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly limits: RestLimits;
  /** The cluster's bootstrap list, for clients a route opens itself. */
  readonly bootstrap: string;
  /** This gateway's REST URL as clients and other gateways reach it (`base_uri`s, forwarding). */
  readonly advertisedUrl: string;
  /** The cluster id once the cluster has answered Metadata; null before. */
  clusterId(): string | null;
  /** The gateway's shared cluster client; throws RestError(50301) while the cluster has not answered yet. */
  client(): KafkaClient;
  /** A new client of the cluster, connected, owned (and closed) by the caller. */
  connectClient(options?: Omit<KafkaClientOptions, 'bootstrap'>): Promise<KafkaClient>;
  /** The gateway's own Schema Registry, for the Avro, JSON Schema and Protobuf embedded formats. */
  readonly registry: RegistryClient;
  /** The five embedded formats (binary, json, avro, jsonschema, protobuf): record bytes from and to JSON. */
  readonly formats: EmbeddedFormats;
  /** The registry's base URL (the console reads subjects and schemas there). */
  readonly registryUrl: string;
  /** The brokers' Prometheus /metrics URLs, where the console reads produce and consume rates; empty: none known. */
  readonly metricsUrls: readonly string[];
  /** Calls `listener` once the cluster has answered (at once if it has); never if the gateway stops first. */
  onClusterReady(listener: (client: KafkaClient) => void): void;
  /** Called when the gateway stops: each area closes what it opened (consumer instances, streams). */
  onStop(close: () => Promise<void>): void;
}
