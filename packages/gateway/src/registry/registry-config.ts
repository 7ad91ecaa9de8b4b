/**
 * Subject and global configs as Confluent's config resource takes and
 * answers them: the compatibility level plus the newer fields (alias,
 * normalize, validateFields, validateRules, compatibilityPolicy,
 * compatibilityGroup, default/override metadata and rule sets). A PUT
 * merges the fields it names into what is stored (so `{"normalize":true}`
 * keeps the level) and echoes the request; a GET answers the stored
 * fields. Only the level and `normalize` change what this registry does;
 * the others are kept and round-tripped for the clients that set them.
 */
import { isCompatibilityLevel } from './compat/compatibility-levels.ts';
import { registryErrors } from './registry-error.ts';
import type { RegistryState } from './state.ts';
import type { ConfigValue } from './store-records.ts';

/** Confluent's default when neither the subject nor the registry has a level set. */
export const defaultCompatibility = 'BACKWARD';

const booleanFields = ['normalize', 'validateFields', 'validateRules'] as const;
const stringFields = ['alias', 'compatibilityPolicy', 'compatibilityGroup'] as const;
const objectFields = ['defaultMetadata', 'overrideMetadata', 'defaultRuleSet', 'overrideRuleSet'] as const;
/** The order fields are stored and answered in: that of Confluent's config entity. */
const fieldOrder = [
  'alias',
  'normalize',
  'validateFields',
  'validateRules',
  'compatibilityLevel',
  'compatibilityPolicy',
  'compatibilityGroup',
  ...objectFields,
];

export interface ConfigUpdate {
  /** What is merged into the stored config. */
  fields: ConfigValue;
  /** The answer: the request as understood (`compatibility`, not `compatibilityLevel`). */
  echo: Record<string, unknown>;
}

/** A PUT /config body; 42203 for a level that is not one, or for a body naming nothing this resource takes. */
export function parseConfigUpdate(body: unknown): ConfigUpdate {
  const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const fields: ConfigValue = {};
  const echo: Record<string, unknown> = {};
  const level = input.compatibility ?? input.compatibilityLevel;
  if (level !== undefined && level !== null) {
    const upper = typeof level === 'string' ? level.toUpperCase() : '';
    if (!isCompatibilityLevel(upper)) throw registryErrors.invalidCompatibilityLevel();
    fields.compatibilityLevel = upper;
    echo.compatibility = upper;
  }
  for (const name of [...stringFields, ...booleanFields, ...objectFields]) {
    const value = input[name];
    const expected = (booleanFields as readonly string[]).includes(name)
      ? 'boolean'
      : (stringFields as readonly string[]).includes(name)
        ? 'string'
        : 'object';
    if (value === undefined || value === null || typeof value !== expected) continue;
    fields[name] = value;
    echo[name] = value;
  }
  if (Object.keys(fields).length === 0) throw registryErrors.invalidCompatibilityLevel();
  return { fields, echo };
}

/** Stored fields in Confluent's field set and a stable order (unknown fields read from a topic are kept last). */
export function orderedConfig(value: ConfigValue): ConfigValue {
  const out: ConfigValue = {};
  for (const name of fieldOrder) if (value[name] !== undefined) out[name] = value[name];
  for (const [name, item] of Object.entries(value)) if (!(name in out)) out[name] = item;
  return out;
}

/** The config that applies to a subject: its own, else the global one; the level falls back the same way. */
export function configInScope(state: RegistryState, subject: string | null): ConfigValue {
  const global = state.configs.get(null) ?? {};
  const own = subject === null ? undefined : state.configs.get(subject);
  const merged = own ?? global;
  const level = own?.compatibilityLevel ?? global.compatibilityLevel ?? defaultCompatibility;
  return orderedConfig({ ...merged, compatibilityLevel: level });
}
