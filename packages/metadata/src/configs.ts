/**
 * Config validation and resolution. A topic's effective value of a config
 * comes from, in order: the topic's override (TOPIC_CONFIG), the broker's
 * static config under a synonym (STATIC_BROKER_CONFIG), the broker-level
 * synonym's default, then the topic config's own default (DEFAULT_CONFIG).
 * Dynamic broker configs do not exist yet; their source ids are listed so
 * the wire mapping is complete.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ConfigDef, ConfigType } from './config-defs.ts';
import { brokerConfigDefs, brokerConfigDefsByName, topicConfigDefs, topicConfigDefsByName } from './config-defs.ts';

export type ConfigSource =
  | 'TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG';

/** DescribeConfigs ConfigSource ids (int8 on the wire, v1+). */
export const configSourceIds = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** DescribeConfigs ConfigType ids (int8 on the wire, v3+). */
export const configTypeIds = {
  unknown: 0,
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
} as const satisfies Record<ConfigType | 'unknown', number>;

export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: ConfigSource;
}

export interface ConfigEntry {
  readonly name: string;
  /** Null when unset without a default, and always for sensitive configs. */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly readOnly: boolean;
  readonly sensitive: boolean;
  readonly isDefault: boolean;
  readonly type: ConfigType;
  readonly documentation: string;
  /** Every place a value could come from that has one, highest precedence first. */
  readonly synonyms: readonly ConfigSynonym[];
}

export type ConfigMap = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function lookup(configs: ConfigMap, name: string): string | undefined {
  if (configs instanceof Map) return configs.get(name);
  const record = configs as Readonly<Record<string, string>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

const intRange = { int: [-(2n ** 31n), 2n ** 31n - 1n], short: [-(2n ** 15n), 2n ** 15n - 1n] } as const;

/** Checks one value against its definition; returns why it is bad, or undefined. */
export function checkConfigValue(d: ConfigDef, raw: string): string | undefined {
  const value = raw.trim();
  switch (d.type) {
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : 'must be true or false';
    case 'int':
    case 'short':
    case 'long': {
      if (!/^-?\d{1,19}$/.test(value)) return `must be an integer (${d.type})`;
      const n = BigInt(value);
      const [lo, hi] = d.type === 'long' ? [-(2n ** 63n), 2n ** 63n - 1n] : intRange[d.type];
      if (n < lo || n > hi) return `is out of ${d.type} range`;
      return checkRange(d, Number(n));
    }
    case 'double': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) return 'must be a number';
      return checkRange(d, n);
    }
    case 'list': {
      const v = d.validator;
      if (v?.kind !== 'list-of') return undefined;
      const items = value.split(',').map((s) => s.trim());
      const bad = items.find((item) => !v.values.includes(item));
      return bad === undefined ? undefined : `contains '${bad}', not one of ${v.values.join(', ')}`;
    }
    case 'string': {
      const v = d.validator;
      if (v?.kind !== 'one-of' || v.values.includes(value)) return undefined;
      return `must be one of ${v.values.join(', ')}`;
    }
    case 'class':
    case 'password':
      return undefined;
  }
}

function checkRange(d: ConfigDef, n: number): string | undefined {
  const v = d.validator;
  if (v?.kind !== 'range') return undefined;
  if (v.min !== undefined && n < v.min) return `must be at least ${v.min}`;
  if (v.max !== undefined && n > v.max) return `must be at most ${v.max}`;
  return undefined;
}

/** Topic overrides as sent by CreateTopics / AlterConfigs: known names, well-typed values. */
export function validateTopicConfigs(configs: Readonly<Record<string, string>>): Result<void, 'invalid_config'> {
  for (const [name, value] of Object.entries(configs)) {
    const d = topicConfigDefsByName.get(name);
    if (d === undefined) return err('invalid_config', `Unknown topic config name: ${name}`);
    const problem = checkConfigValue(d, value);
    if (problem !== undefined)
      return err('invalid_config', `Invalid value ${value} for configuration ${name}: ${problem}`);
  }
  return ok(undefined);
}

/** Static broker config from flags/env/file. Unknown names pass: Kafka ignores them too. */
export function validateBrokerConfigs(configs: Readonly<Record<string, string>>): Result<void, 'invalid_config'> {
  for (const [name, value] of Object.entries(configs)) {
    const d = brokerConfigDefsByName.get(name);
    if (d === undefined) continue;
    const problem = checkConfigValue(d, value);
    if (problem !== undefined)
      return err('invalid_config', `Invalid value ${value} for configuration ${name}: ${problem}`);
  }
  return ok(undefined);
}

/** A coarser-unit synonym converted to the config's unit; negative means "no limit" (-1). */
function scaled(raw: string, scale: number | undefined): string {
  if (scale === undefined || scale === 1) return raw.trim();
  const n = BigInt(raw.trim());
  return n < 0n ? '-1' : (n * BigInt(scale)).toString();
}

function entry(d: ConfigDef, value: string | null, source: ConfigSource, synonyms: ConfigSynonym[]): ConfigEntry {
  const hide = (s: ConfigSynonym): ConfigSynonym => (d.sensitive ? { ...s, value: null } : s);
  return {
    name: d.name,
    value: d.sensitive ? null : value,
    source,
    readOnly: d.readOnly,
    sensitive: d.sensitive,
    isDefault: source === 'DEFAULT_CONFIG',
    type: d.type,
    documentation: d.documentation,
    synonyms: synonyms.map(hide),
  };
}

function describeTopicConfig(d: ConfigDef, overrides: ConfigMap, brokerConfig: ConfigMap): ConfigEntry {
  const synonyms: ConfigSynonym[] = [];
  let resolved: { value: string | null; source: ConfigSource } | undefined;
  const override = lookup(overrides, d.name);
  if (override !== undefined) {
    synonyms.push({ name: d.name, value: override, source: 'TOPIC_CONFIG' });
    resolved = { value: override, source: 'TOPIC_CONFIG' };
  }
  for (const s of d.synonyms) {
    const raw = lookup(brokerConfig, s.name);
    if (raw === undefined) continue;
    synonyms.push({ name: s.name, value: raw, source: 'STATIC_BROKER_CONFIG' });
    resolved ??= { value: scaled(raw, s.scale), source: 'STATIC_BROKER_CONFIG' };
  }
  for (const s of d.synonyms) {
    const brokerDefault = brokerConfigDefsByName.get(s.name)?.default ?? null;
    if (brokerDefault === null) continue;
    synonyms.push({ name: s.name, value: brokerDefault, source: 'DEFAULT_CONFIG' });
    resolved ??= { value: scaled(brokerDefault, s.scale), source: 'DEFAULT_CONFIG' };
  }
  resolved ??= { value: d.default, source: 'DEFAULT_CONFIG' };
  return entry(d, resolved.value, resolved.source, synonyms);
}

/**
 * Every topic config with its effective value, sorted by name. `overrides`
 * are the topic's own (MetadataImage.configOverrides), `brokerConfig` the
 * broker's static properties.
 */
export function describeTopicConfigs(overrides: ConfigMap, brokerConfig: ConfigMap): ConfigEntry[] {
  return topicConfigDefs.map((d) => describeTopicConfig(d, overrides, brokerConfig));
}

/** Every broker config with its static value or default, sorted by name. */
export function describeBrokerConfigs(brokerConfig: ConfigMap): ConfigEntry[] {
  return brokerConfigDefs.map((d) => {
    const synonyms: ConfigSynonym[] = [];
    const own = lookup(brokerConfig, d.name);
    if (own !== undefined) synonyms.push({ name: d.name, value: own, source: 'STATIC_BROKER_CONFIG' });
    for (const s of d.synonyms) {
      const raw = lookup(brokerConfig, s.name);
      if (raw !== undefined) synonyms.push({ name: s.name, value: raw, source: 'STATIC_BROKER_CONFIG' });
    }
    if (d.default !== null) synonyms.push({ name: d.name, value: d.default, source: 'DEFAULT_CONFIG' });
    return own === undefined
      ? entry(d, d.default, 'DEFAULT_CONFIG', synonyms)
      : entry(d, own, 'STATIC_BROKER_CONFIG', synonyms);
  });
}

/** name -> effective value of every topic config (values of configs without any value are left out). */
export function effectiveTopicConfigs(overrides: ConfigMap, brokerConfig: ConfigMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of topicConfigDefs) {
    const e = describeTopicConfig(d, overrides, brokerConfig);
    if (e.value !== null) out[e.name] = e.value;
  }
  return out;
}

/**
 * The effective value of one topic config (the same resolution as
 * describeTopicConfigs, for callers that need one or two values per topic
 * on a hot-ish path such as leader election). Null for an unknown name.
 */
export function effectiveTopicConfig(name: string, overrides: ConfigMap, brokerConfig: ConfigMap): string | null {
  const d = topicConfigDefsByName.get(name);
  if (d === undefined) return null;
  return describeTopicConfig(d, overrides, brokerConfig).value;
}
