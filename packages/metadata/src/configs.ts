/**
 * Config validation and resolution, as Kafka's KRaft brokers resolve them.
 * A topic's effective value of a config comes from, in order: the topic's
 * override (DYNAMIC_TOPIC_CONFIG); then, synonym by synonym within each
 * layer, this broker's dynamic config (DYNAMIC_BROKER_CONFIG), the
 * cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG, the ""
 * broker resource), the broker's static config (STATIC_BROKER_CONFIG: its
 * command line or config file); then the broker-level default
 * (DEFAULT_CONFIG). Synonyms are listed in the same order, source by
 * source, as Kafka lists them. The dynamic layers live in the metadata log
 * (config records of `broker` resources), so every broker and the
 * controller resolve the same values.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ConfigDef, ConfigSynonymDef, ConfigType } from './config-defs.ts';
import { brokerConfigDefs, brokerConfigDefsByName, topicConfigDefs, topicConfigDefsByName } from './config-defs.ts';

export type ConfigSource =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG';

/** DescribeConfigs ConfigSource ids (int8 on the wire, v1+). */
export const configSourceIds = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
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
    case 'boolean': {
      if (!/^(true|false)$/i.test(value)) return 'must be true or false';
      const v = d.validator;
      return v?.kind === 'one-of' && !v.values.includes(value.toLowerCase())
        ? `must be ${v.values.join(' or ')}`
        : undefined;
    }
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
      if (v?.kind === 'pattern') return v.pattern.test(value) ? undefined : `must be ${v.description}`;
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

/**
 * Dynamic broker configs as an AlterConfigs / IncrementalAlterConfigs would
 * leave them on one broker resource (`perBroker`: a broker id; else the
 * cluster-wide default ""). Read-only names, and cluster-only names on a
 * single broker, are refused with INVALID_REQUEST's reason, as Kafka
 * refuses configs it cannot update dynamically; bad values with
 * INVALID_CONFIG's. Names no broker config has pass and are stored
 * unused: Kafka refuses only the broker configs it knows to be static, so
 * clients (kafkajs' own suite among them) set topic-level names such as
 * cleanup.policy on a broker resource and expect success. `changed` limits
 * the name checks to what the request sets, so a value stored before a
 * config became read-only can still be deleted.
 */
export function validateDynamicBrokerConfigs(
  configs: Readonly<Record<string, string>>,
  perBroker: boolean,
  changed: ReadonlySet<string>,
): Result<void, 'invalid_config' | 'invalid_request'> {
  const where = perBroker ? 'per broker' : 'as the cluster default';
  for (const [name, value] of Object.entries(configs)) {
    if (!changed.has(name)) continue;
    const d = brokerConfigDefsByName.get(name);
    if (d === undefined) continue;
    if (d.readOnly) {
      return err('invalid_request', `Cannot update these configs dynamically: ${name} is read-only (set it at start).`);
    }
    if (perBroker && d.clusterOnly) {
      return err(
        'invalid_request',
        `Cannot update ${name} ${where}: the controller applies it cluster-wide; set it on the default broker resource ("").`,
      );
    }
    const problem = checkConfigValue(d, value);
    if (problem !== undefined)
      return err('invalid_config', `Invalid value ${value} for configuration ${name}: ${problem}`);
  }
  // As in Kafka: a per-address limit of 0 with no overrides would refuse every client.
  const perIp = configs['max.connections.per.ip'];
  if (changed.has('max.connections.per.ip') && perIp !== undefined && Number(perIp) === 0) {
    if ((configs['max.connections.per.ip.overrides'] ?? '').trim() === '') {
      return err('invalid_config', 'max.connections.per.ip can be 0 only with max.connections.per.ip.overrides set');
    }
  }
  return ok(undefined);
}

/** The three places a broker config can be set, highest precedence first. */
export interface BrokerConfigLayers {
  readonly layered: true;
  /** Dynamic configs of this broker (the broker-id resource). */
  readonly perBroker: ConfigMap;
  /** Dynamic cluster-wide defaults (the "" broker resource). */
  readonly clusterDefault: ConfigMap;
  /** The broker's command line / config file. */
  readonly static: ConfigMap;
}

export function brokerConfigLayers(layers: {
  static?: ConfigMap;
  clusterDefault?: ConfigMap;
  perBroker?: ConfigMap;
}): BrokerConfigLayers {
  return {
    layered: true,
    perBroker: layers.perBroker ?? {},
    clusterDefault: layers.clusterDefault ?? {},
    static: layers.static ?? {},
  };
}

/**
 * One broker's layers from the metadata image: its own dynamic configs
 * (resource "<nodeId>"), the cluster defaults (resource "") and its static
 * config. The controller, which has no broker id, passes null.
 */
export function brokerLayersOf(
  image: { configOverrides(resourceType: 'broker', name: string): ConfigMap },
  nodeId: number | null,
  staticConfig: ConfigMap,
): BrokerConfigLayers {
  return brokerConfigLayers({
    static: staticConfig,
    clusterDefault: image.configOverrides('broker', ''),
    perBroker: nodeId === null ? {} : image.configOverrides('broker', String(nodeId)),
  });
}

/** A plain map is a static config alone (what callers without dynamic configs pass). */
export type BrokerConfigInput = ConfigMap | BrokerConfigLayers;

function layersOf(input: BrokerConfigInput): BrokerConfigLayers {
  if (!(input instanceof Map) && (input as Partial<BrokerConfigLayers>).layered === true) {
    return input as BrokerConfigLayers;
  }
  return brokerConfigLayers({ static: input as ConfigMap });
}

const layerOrder = [
  ['perBroker', 'DYNAMIC_BROKER_CONFIG'],
  ['clusterDefault', 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
  ['static', 'STATIC_BROKER_CONFIG'],
] as const;

/**
 * Every value set for any of `names` (highest precedence first), source by
 * source as Kafka lists synonyms, then the broker defaults of those names.
 */
function brokerSynonyms(
  names: readonly ConfigSynonymDef[],
  layers: BrokerConfigLayers,
  withPerBroker: boolean,
): (ConfigSynonym & { scale?: number })[] {
  const out: (ConfigSynonym & { scale?: number })[] = [];
  const withScale = (s: ConfigSynonym, scale: number | undefined) => (scale === undefined ? s : { ...s, scale });
  for (const [layer, source] of layerOrder) {
    if (layer === 'perBroker' && !withPerBroker) continue;
    for (const n of names) {
      const raw = lookup(layers[layer], n.name);
      if (raw !== undefined) out.push(withScale({ name: n.name, value: raw, source }, n.scale));
    }
  }
  for (const n of names) {
    const dflt = brokerConfigDefsByName.get(n.name)?.default ?? null;
    if (dflt !== null) out.push(withScale({ name: n.name, value: dflt, source: 'DEFAULT_CONFIG' }, n.scale));
  }
  return out;
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
    synonyms: synonyms.map(({ name, value: v, source: src }) => hide({ name, value: v, source: src })),
  };
}

function describeTopicConfig(d: ConfigDef, overrides: ConfigMap, broker: BrokerConfigLayers): ConfigEntry {
  const synonyms: ConfigSynonym[] = [];
  const override = lookup(overrides, d.name);
  if (override !== undefined) synonyms.push({ name: d.name, value: override, source: 'DYNAMIC_TOPIC_CONFIG' });
  const fromBroker = brokerSynonyms(d.synonyms, broker, true);
  synonyms.push(...fromBroker);
  const head = fromBroker[0];
  if (override !== undefined) return entry(d, override, 'DYNAMIC_TOPIC_CONFIG', synonyms);
  if (head !== undefined && head.value !== null) {
    return entry(d, scaled(head.value, head.scale), head.source, synonyms);
  }
  return entry(d, d.default, 'DEFAULT_CONFIG', synonyms);
}

/**
 * Every topic config with its effective value, sorted by name. `overrides`
 * are the topic's own (MetadataImage.configOverrides), `broker` the
 * broker's layers (or its static properties alone).
 */
export function describeTopicConfigs(overrides: ConfigMap, broker: BrokerConfigInput): ConfigEntry[] {
  const layers = layersOf(broker);
  return topicConfigDefs.map((d) => describeTopicConfig(d, overrides, layers));
}

function describeBrokerConfig(d: ConfigDef, layers: BrokerConfigLayers, perBroker: boolean): ConfigEntry {
  const synonyms = brokerSynonyms([{ name: d.name }, ...d.synonyms], layers, perBroker);
  const head = synonyms[0];
  const own = synonyms.find((s) => s.name === d.name);
  // The value is the config's own (log.retention.ms stays null while only log.retention.hours is set), as Kafka shows it.
  return entry(d, own?.value ?? null, head?.source ?? 'DEFAULT_CONFIG', synonyms);
}

/** Every broker config of one broker, with where its value comes from, sorted by name. */
export function describeBrokerConfigs(broker: BrokerConfigInput): ConfigEntry[] {
  const layers = layersOf(broker);
  return brokerConfigDefs.map((d) => describeBrokerConfig(d, layers, true));
}

/**
 * The cluster-wide default broker resource (""): only the configs set as
 * dynamic cluster defaults, as Kafka lists them (per-broker values left out).
 */
export function describeClusterDefaultConfigs(broker: BrokerConfigInput): ConfigEntry[] {
  const layers = layersOf(broker);
  return brokerConfigDefs
    .filter((d) => lookup(layers.clusterDefault, d.name) !== undefined)
    .map((d) => describeBrokerConfig(d, layers, false));
}

/** name -> effective value of every topic config (values of configs without any value are left out). */
export function effectiveTopicConfigs(overrides: ConfigMap, broker: BrokerConfigInput): Record<string, string> {
  const layers = layersOf(broker);
  const out: Record<string, string> = {};
  for (const d of topicConfigDefs) {
    const e = describeTopicConfig(d, overrides, layers);
    if (e.value !== null) out[e.name] = e.value;
  }
  return out;
}

/**
 * The effective value of one topic config (the same resolution as
 * describeTopicConfigs, for callers that need one or two values per topic
 * on a hot-ish path such as leader election). Null for an unknown name.
 */
export function effectiveTopicConfig(name: string, overrides: ConfigMap, broker: BrokerConfigInput): string | null {
  const d = topicConfigDefsByName.get(name);
  if (d === undefined) return null;
  return describeTopicConfig(d, overrides, layersOf(broker)).value;
}

/**
 * The effective value of one broker config: this broker's dynamic value, the
 * cluster default, the static value, the default. Null when none is set and
 * the config has no default (or the name is unknown).
 */
export function effectiveBrokerConfig(name: string, broker: BrokerConfigInput): string | null {
  const layers = layersOf(broker);
  for (const [layer] of layerOrder) {
    const raw = lookup(layers[layer], name);
    if (raw !== undefined) return raw.trim();
  }
  return brokerConfigDefsByName.get(name)?.default ?? null;
}
