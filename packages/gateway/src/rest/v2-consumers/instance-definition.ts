/**
 * A v2 consumer instance as every gateway knows it: its group, name,
 * embedded format, config, what it reads (a subscription or a manual
 * assignment), the REST URL of the gateway that holds it (its owner) and
 * when it was last touched. Stored as one record per instance in the
 * compacted instances topic (instance-store.ts), keyed by group and name;
 * a tombstone deletes it. Pure: encoding, decoding and validation only.
 *
 * Record key:   JSON `["<group>", "<name>"]` (UTF-8)
 * Record value: JSON `{v: 1, group, name, format, config, target, owner, touchedMs, idleTimeoutMs}`, or null (deleted)
 */
import { type EmbeddedFormat, embeddedFormats } from '../formats/embedded-formats.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

export interface InstanceConfig {
  /** Where reading starts on a partition the group has no committed offset for. */
  readonly autoOffsetReset: AutoOffsetReset;
  /** Commit what earlier records requests returned at the start of each records request (Kafka's auto commit). */
  readonly autoCommitEnable: boolean;
  /** Bytes a fetch waits for before answering (capped by the request's timeout). */
  readonly fetchMinBytes: number;
  /** How long a records request waits for records when it names no `timeout`. */
  readonly requestTimeoutMs: number;
}

/** What the instance reads: nothing yet, the partitions its group assigns it, or partitions it chose. */
export type InstanceTarget =
  | { readonly kind: 'none' }
  | { readonly kind: 'subscription'; readonly topics: readonly string[]; readonly pattern: string | null }
  | { readonly kind: 'assignment'; readonly partitions: readonly TopicPartition[] };

export interface InstanceDefinition {
  readonly group: string;
  readonly name: string;
  readonly format: EmbeddedFormat;
  readonly config: InstanceConfig;
  readonly target: InstanceTarget;
  /** The REST URL of the gateway holding the instance. */
  readonly owner: string;
  /** When the owner last wrote that the instance was in use (ms since the epoch, the owner's clock). */
  readonly touchedMs: number;
  /**
   * The owner's idle timeout: gateways may be configured differently, so whoever judges the definition abandoned
   * uses the timeout its owner refreshes it by, not its own.
   */
  readonly idleTimeoutMs: number;
}

export const defaultInstanceConfig: InstanceConfig = {
  // Kafka's consumer defaults, which Confluent's REST Proxy passes through when a field is absent.
  autoOffsetReset: 'latest',
  autoCommitEnable: true,
  fetchMinBytes: 1,
  // Confluent's `consumer.request.timeout.ms` default.
  requestTimeoutMs: 1_000,
};

export function instanceKey(group: string, name: string): string {
  return JSON.stringify([group, name]);
}

export function encodeDefinitionKey(group: string, name: string): Buffer {
  return Buffer.from(instanceKey(group, name), 'utf8');
}

export function encodeDefinition(definition: InstanceDefinition): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, ...definition }), 'utf8');
}

/** The key's group and name; null for a key this gateway did not write. */
export function decodeDefinitionKey(key: Uint8Array | null): { group: string; name: string } | null {
  if (key === null) return null;
  const parsed = parseJson(key);
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [group, name] = parsed as unknown[];
  return typeof group === 'string' && typeof name === 'string' ? { group, name } : null;
}

/** The definition a record value holds; null for one that does not parse as one (skipped, not fatal). */
export function decodeDefinition(value: Uint8Array): InstanceDefinition | null {
  const parsed = parseJson(value);
  if (!isObject(parsed) || parsed.v !== 1) return null;
  const { group, name, format, config, target, owner, touchedMs, idleTimeoutMs } = parsed;
  if (typeof group !== 'string' || typeof name !== 'string' || typeof owner !== 'string') return null;
  if (typeof touchedMs !== 'number' || typeof idleTimeoutMs !== 'number') return null;
  if (!(embeddedFormats as readonly unknown[]).includes(format)) return null;
  const decodedConfig = decodeConfig(config);
  const decodedTarget = decodeTarget(target);
  if (decodedConfig === null || decodedTarget === null) return null;
  return {
    group,
    name,
    format: format as EmbeddedFormat,
    config: decodedConfig,
    target: decodedTarget,
    owner,
    touchedMs,
    idleTimeoutMs,
  };
}

function decodeConfig(value: unknown): InstanceConfig | null {
  if (!isObject(value)) return null;
  const { autoOffsetReset, autoCommitEnable, fetchMinBytes, requestTimeoutMs } = value;
  if (autoOffsetReset !== 'earliest' && autoOffsetReset !== 'latest' && autoOffsetReset !== 'none') return null;
  if (typeof autoCommitEnable !== 'boolean' || typeof fetchMinBytes !== 'number') return null;
  if (typeof requestTimeoutMs !== 'number') return null;
  return { autoOffsetReset, autoCommitEnable, fetchMinBytes, requestTimeoutMs };
}

function decodeTarget(value: unknown): InstanceTarget | null {
  if (!isObject(value)) return null;
  if (value.kind === 'none') return { kind: 'none' };
  if (value.kind === 'subscription') {
    const { topics, pattern } = value;
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) return null;
    if (pattern !== null && typeof pattern !== 'string') return null;
    return { kind: 'subscription', topics: topics as string[], pattern };
  }
  if (value.kind === 'assignment' && Array.isArray(value.partitions)) {
    const partitions: TopicPartition[] = [];
    for (const p of value.partitions as unknown[]) {
      if (!isObject(p) || typeof p.topic !== 'string' || typeof p.partition !== 'number') return null;
      partitions.push({ topic: p.topic, partition: p.partition });
    }
    return { kind: 'assignment', partitions };
  }
  return null;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
