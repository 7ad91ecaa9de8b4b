/**
 * The definition format of the config registry (config-defs.ts) and the
 * helpers topic-config-defs.ts and broker-config-defs.ts build it with.
 */

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export type ConfigValidator =
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'one-of'; readonly values: readonly string[] }
  | { readonly kind: 'list-of'; readonly values: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp; readonly description: string };

export interface ConfigSynonymDef {
  readonly name: string;
  /** Multiplier from the synonym's unit to this config's unit; 1 when absent. */
  readonly scale?: number;
}

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** The value when nothing overrides it; null when the config has no default. */
  readonly default: string | null;
  readonly documentation: string;
  readonly validator?: ConfigValidator;
  readonly sensitive: boolean;
  /** True for broker configs that cannot change while the broker runs. */
  readonly readOnly: boolean;
  /** A dynamic broker config the controller applies cluster-wide: settable only on the default resource (""). */
  readonly clusterOnly: boolean;
  /** A legacy topic config Kafka still accepts; Runnel stores and reports it, and its documentation says what it does. */
  readonly legacy: boolean;
  /** Lower-precedence names that feed this config, highest precedence first. */
  readonly synonyms: readonly ConfigSynonymDef[];
}

/** Long.MAX_VALUE, the "never" of Kafka's time and count limits. */
export const longMax = '9223372036854775807';
export const hourMs = 3_600_000;
export const minuteMs = 60_000;

export interface DefOptions {
  validator?: ConfigValidator;
  sensitive?: boolean;
  readOnly?: boolean;
  clusterOnly?: boolean;
  legacy?: boolean;
  synonyms?: readonly ConfigSynonymDef[];
}

export function def(
  name: string,
  type: ConfigType,
  dflt: string | null,
  documentation: string,
  o: DefOptions = {},
): ConfigDef {
  const base = {
    name,
    type,
    default: dflt,
    documentation,
    sensitive: o.sensitive ?? type === 'password',
    readOnly: o.readOnly ?? false,
    clusterOnly: o.clusterOnly ?? false,
    legacy: o.legacy ?? false,
    synonyms: o.synonyms ?? [],
  };
  return o.validator === undefined ? base : { ...base, validator: o.validator };
}

export const atLeast = (min: number): ConfigValidator => ({ kind: 'range', min });
export const oneOf = (...values: string[]): ConfigValidator => ({ kind: 'one-of', values });
export const compressionTypes = oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer');
export const timestampTypes = oneOf('CreateTime', 'LogAppendTime');
export const byName = (a: ConfigDef, b: ConfigDef): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
export const syn = (name: string, scale?: number): ConfigSynonymDef =>
  scale === undefined ? { name } : { name, scale };
