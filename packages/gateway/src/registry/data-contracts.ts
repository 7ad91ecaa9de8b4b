/**
 * Data contracts on registration (Confluent's `metadata` and `ruleSet`):
 * what a new version carries and how it counts in a schema's identity.
 * Pure functions over JSON values, as read in Confluent's sources (see
 * the registry README, "Facts: data contracts"):
 *
 * - A registration without `metadata` (or `ruleSet`) takes the latest live
 *   version's; then the config's `defaultMetadata` is merged under it and
 *   `overrideMetadata` over it (the same for rule sets). IMPORT skips this.
 * - Metadata merges field by field: `properties` and `tags` by key (the
 *   newer side's value wins), `sensitive` as a union; an empty side leaves
 *   the other. Its maps and sets are kept sorted, as Confluent's entity
 *   holds them.
 * - Rule sets merge list by list (`migrationRules`, `domainRules`,
 *   `encodingRules`): the older rules not named in the newer list, then the
 *   newer list.
 * - Identity: the same text with other metadata or rules is another schema
 *   (another id, another version), as Confluent hashes them in.
 */
import type { ConfigValue } from './store-records.ts';

export interface Contract {
  metadata?: unknown;
  ruleSet?: unknown;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortedStrings(value: unknown): unknown {
  return Array.isArray(value) ? [...new Set(value)].sort() : value;
}

/** Confluent's Metadata entity as it prints: sorted maps and sets, empty fields left out; other shapes as given. */
export function normalizeMetadata(metadata: unknown): unknown {
  if (!isObject(metadata)) return metadata;
  const out: JsonObject = {};
  const { tags, properties, sensitive } = metadata;
  if (isObject(tags) && Object.keys(tags).length > 0) {
    out.tags = Object.fromEntries(
      Object.keys(tags)
        .sort()
        .map((k) => [k, sortedStrings(tags[k])]),
    );
  }
  if (isObject(properties) && Object.keys(properties).length > 0) {
    out.properties = Object.fromEntries(
      Object.keys(properties)
        .sort()
        .map((k) => [k, properties[k]]),
    );
  }
  if (Array.isArray(sensitive) && sensitive.length > 0) out.sensitive = sortedStrings(sensitive);
  return out;
}

function mergeMaps(older: unknown, newer: unknown): unknown {
  const olderEmpty = !isObject(older) || Object.keys(older).length === 0;
  const newerEmpty = !isObject(newer) || Object.keys(newer).length === 0;
  if (olderEmpty) return newer;
  if (newerEmpty) return older;
  return { ...(older as JsonObject), ...(newer as JsonObject) };
}

/** `newer` over `older`; either may be absent. */
export function mergeMetadata(older: unknown, newer: unknown): unknown {
  if (older === undefined) return newer;
  if (newer === undefined) return older;
  if (!isObject(older) || !isObject(newer)) return newer;
  const olderSensitive = Array.isArray(older.sensitive) ? older.sensitive : [];
  const newerSensitive = Array.isArray(newer.sensitive) ? newer.sensitive : [];
  return normalizeMetadata({
    tags: mergeMaps(older.tags, newer.tags),
    properties: mergeMaps(older.properties, newer.properties),
    sensitive: [...olderSensitive, ...newerSensitive],
  });
}

const ruleLists = ['migrationRules', 'domainRules', 'encodingRules'] as const;

function ruleName(rule: unknown): unknown {
  return isObject(rule) ? rule.name : undefined;
}

/** `newer` over `older`, list by list; a rule of `older` named again in `newer` is replaced. */
export function mergeRuleSets(older: unknown, newer: unknown): unknown {
  if (older === undefined) return newer;
  if (newer === undefined) return older;
  if (!isObject(older) || !isObject(newer)) return newer;
  const out: JsonObject = {};
  for (const list of ruleLists) {
    const o = Array.isArray(older[list]) ? (older[list] as unknown[]) : [];
    const n = Array.isArray(newer[list]) ? (newer[list] as unknown[]) : [];
    const names = new Set(n.map(ruleName));
    const merged = o.length === 0 ? n : n.length === 0 ? o : [...o.filter((r) => !names.has(ruleName(r))), ...n];
    if (merged.length > 0) out[list] = merged;
  }
  return out;
}

/**
 * What a new version of a subject carries: the request's metadata and rule
 * set, else the latest live version's, with the config's defaults merged
 * under and its overrides over.
 */
export function contractFor(request: Contract, latest: Contract | undefined, config: ConfigValue): Contract {
  const specificMetadata = request.metadata ?? latest?.metadata;
  const specificRuleSet = request.ruleSet ?? latest?.ruleSet;
  const metadata = mergeMetadata(mergeMetadata(config.defaultMetadata, specificMetadata), config.overrideMetadata);
  const ruleSet = mergeRuleSets(mergeRuleSets(config.defaultRuleSet, specificRuleSet), config.overrideRuleSet);
  const out: Contract = {};
  if (metadata !== undefined && metadata !== null) out.metadata = normalizeMetadata(metadata);
  if (ruleSet !== undefined && ruleSet !== null) out.ruleSet = ruleSet;
  return out;
}

/** Whether the config would change what a registration carries (Confluent then skips its lookup shortcut). */
export function hasDefaultsOrOverrides(config: ConfigValue): boolean {
  return (
    config.defaultMetadata !== undefined ||
    config.overrideMetadata !== undefined ||
    config.defaultRuleSet !== undefined ||
    config.overrideRuleSet !== undefined
  );
}

/** JSON with object keys sorted at every depth: two contracts that differ only in key order are the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The part of a schema's identity its contract adds ("" without one, so older keys stay as they were). */
export function contractIdentity(metadata: unknown, ruleSet: unknown): string {
  if (metadata === undefined && ruleSet === undefined) return '';
  return `\u0000${metadata === undefined ? '-' : stableJson(normalizeMetadata(metadata))}\u0000${
    ruleSet === undefined ? '-' : stableJson(ruleSet)
  }`;
}
