/**
 * The broker settings a dynamic broker config changes while the broker
 * runs, resolved from this broker's config layers (its own dynamic configs,
 * the cluster defaults, its static config, the defaults). Pure: broker.ts
 * calls it after every metadata batch and hands what changed to the parts
 * that use it. Log and topic settings are not here: partitions resolve
 * those themselves (log-config.ts).
 */
import { type AdmissionLimits, parsePerIpOverrides } from '@runnel/common';
import type { BrokerConfigInput } from '@runnel/metadata';
import { effectiveBrokerConfig } from '@runnel/metadata';

export interface RuntimeBrokerSettings {
  /** auto.create.topics.enable */
  readonly autoCreateTopics: boolean;
  /** max.connections */
  readonly connectionsMax: number;
  /** max.connections.per.ip */
  readonly connectionsPerIpMax: number;
  /** max.connections.per.ip.overrides, as text (the listener parses it; the registry validated its form). */
  readonly connectionsPerIpOverrides: string;
  /** max.connection.creation.rate */
  readonly connectionCreationRateMax: number;
  /** replica.fetch.wait.max.ms */
  readonly replicaFetchWaitMaxMs: number;
  /** replica.fetch.response.max.bytes */
  readonly replicaFetchResponseBytesMax: number;
  /** follower.replication.throttled.rate in Runnel's terms: 0 = unlimited (Kafka's Long.MAX_VALUE). */
  readonly followerThrottleBytesPerSec: number;
}

function integer(layers: BrokerConfigInput, name: string): number {
  const raw = effectiveBrokerConfig(name, layers);
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? Math.min(n, Number.MAX_SAFE_INTEGER) : Number.NaN;
}

export function runtimeBrokerSettings(layers: BrokerConfigInput): RuntimeBrokerSettings {
  const throttle = integer(layers, 'follower.replication.throttled.rate');
  return {
    autoCreateTopics: effectiveBrokerConfig('auto.create.topics.enable', layers)?.toLowerCase() === 'true',
    connectionsMax: integer(layers, 'max.connections'),
    connectionsPerIpMax: integer(layers, 'max.connections.per.ip'),
    connectionsPerIpOverrides: effectiveBrokerConfig('max.connections.per.ip.overrides', layers) ?? '',
    connectionCreationRateMax: integer(layers, 'max.connection.creation.rate'),
    replicaFetchWaitMaxMs: integer(layers, 'replica.fetch.wait.max.ms'),
    replicaFetchResponseBytesMax: integer(layers, 'replica.fetch.response.max.bytes'),
    followerThrottleBytesPerSec: throttle >= Number.MAX_SAFE_INTEGER ? 0 : throttle,
  };
}

export function sameRuntimeSettings(a: RuntimeBrokerSettings, b: RuntimeBrokerSettings): boolean {
  return (
    a.autoCreateTopics === b.autoCreateTopics &&
    a.connectionsMax === b.connectionsMax &&
    a.connectionsPerIpMax === b.connectionsPerIpMax &&
    a.connectionsPerIpOverrides === b.connectionsPerIpOverrides &&
    a.connectionCreationRateMax === b.connectionCreationRateMax &&
    a.replicaFetchWaitMaxMs === b.replicaFetchWaitMaxMs &&
    a.replicaFetchResponseBytesMax === b.replicaFetchResponseBytesMax &&
    a.followerThrottleBytesPerSec === b.followerThrottleBytesPerSec
  );
}

/**
 * The Kafka listener's admission limits and creation rate from the dynamic
 * settings. The config registry checked the overrides' form; a value it let
 * through that still does not parse (a count past Int.MaxValue) leaves only
 * max.connections.per.ip in force.
 */
export function listenerAdmission(
  settings: RuntimeBrokerSettings,
): AdmissionLimits & { readonly connectionCreationRateMax: number } {
  const overrides = parsePerIpOverrides(settings.connectionsPerIpOverrides);
  return {
    connectionsMax: settings.connectionsMax,
    connectionsPerIpMax: settings.connectionsPerIpMax,
    connectionsPerIpOverrides: overrides.ok ? overrides.value : new Map(),
    connectionCreationRateMax: settings.connectionCreationRateMax,
  };
}
