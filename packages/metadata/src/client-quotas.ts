/**
 * Client quotas (Kafka's quota entities, KIP-55 and KIP-546): who a quota
 * applies to, which quota applies to a connection, and DescribeClientQuotas'
 * filters. Pure: the controller validates alterations with it, brokers
 * resolve quotas and answer describes from the quotas their image holds.
 *
 * An entity names a user, a client id, or both. A name of null is the
 * `<default>` entity of that type: it applies to every user (client id)
 * that has no quota of its own, each one separately.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

/** Absent: the entity does not constrain that type; null: the `<default>` entity; a string: that name. */
export interface ClientQuotaEntity {
  readonly user?: string | null;
  readonly clientId?: string | null;
}

/** The quota keys Kafka defines for user and client-id entities (Kafka's QuotaConfigs). */
export const clientQuotaKeys = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
] as const;
export type ClientQuotaKey = (typeof clientQuotaKeys)[number];

/** The byte rates are LONG configs in Kafka (a fractional value is refused); the others DOUBLE. */
const integralKeys: ReadonlySet<string> = new Set(['producer_byte_rate', 'consumer_byte_rate']);

export function isClientQuotaKey(key: string): key is ClientQuotaKey {
  return (clientQuotaKeys as readonly string[]).includes(key);
}

/** One entity's quotas, as the image holds them. */
export interface ClientQuotaEntry {
  readonly entity: ClientQuotaEntity;
  readonly values: ReadonlyMap<string, number>;
}

/** The image's quotas by entityKey(). */
export type ClientQuotas = ReadonlyMap<string, ClientQuotaEntry>;

const part = (name: string | null | undefined): string => (name === undefined ? '-' : name === null ? '*' : `=${name}`);

/** One string per entity, so user=a,client-id=<default> and user=a never collide. */
export function entityKey(entity: ClientQuotaEntity): string {
  return `${part(entity.user)}\u0000${part(entity.clientId)}`;
}

/** "user=alice, client-id=<default>": how logs, errors and the CLI show an entity. */
export function describeEntity(entity: ClientQuotaEntity): string {
  const show = (n: string | null): string => n ?? '<default>';
  const parts: string[] = [];
  if (entity.user !== undefined) parts.push(`user=${show(entity.user)}`);
  if (entity.clientId !== undefined) parts.push(`client-id=${show(entity.clientId)}`);
  return parts.join(', ');
}

/** An entity as Kafka's wire form (entity type and name pairs), in a stable order. */
export function entityParts(entity: ClientQuotaEntity): { entityType: string; entityName: string | null }[] {
  const parts: { entityType: string; entityName: string | null }[] = [];
  if (entity.user !== undefined) parts.push({ entityType: 'user', entityName: entity.user });
  if (entity.clientId !== undefined) parts.push({ entityType: 'client-id', entityName: entity.clientId });
  return parts;
}

export type ClientQuotaError = 'invalid_request' | 'unsupported_entity_type';

/** One key of an AlterClientQuotas entry: a value to set, or null to remove it. */
export interface ClientQuotaOp {
  readonly key: string;
  readonly value: number | null;
}

/** One AlterClientQuotas entry as the broker forwards it (the entity still unchecked, as the client sent it). */
export interface ClientQuotaAlteration {
  readonly entity: readonly { readonly entityType: string; readonly entityName: string | null }[];
  readonly ops: readonly ClientQuotaOp[];
}

/** Why an AlterClientQuotas entry was refused (INVALID_REQUEST). */
export type AlterClientQuotasError = 'invalid_request';

/**
 * The wire form's entity, checked as Kafka's controller checks it: known
 * types only, each once, no empty names, not empty. `ip` entities belong to
 * connection-rate quotas, which Runnel does not have, so they are refused.
 */
export function entityFromParts(
  parts: readonly { readonly entityType: string; readonly entityName: string | null }[],
): Result<ClientQuotaEntity, 'invalid_request'> {
  if (parts.length === 0) return err('invalid_request', 'Invalid empty client quota entity');
  let user: string | null | undefined;
  let clientId: string | null | undefined;
  const seen = new Set<string>();
  for (const { entityType, entityName } of parts) {
    if (seen.has(entityType)) return err('invalid_request', `Duplicate entity type ${entityType}`);
    seen.add(entityType);
    if (entityName !== null && entityName.length === 0) {
      return err('invalid_request', `Empty ${entityType} not supported`);
    }
    if (entityType === 'user') user = entityName;
    else if (entityType === 'client-id') clientId = entityName;
    else return err('invalid_request', `Unhandled client quota entity type: ${entityType}`);
  }
  return ok({ ...(user === undefined ? {} : { user }), ...(clientId === undefined ? {} : { clientId }) });
}

/** Checks one value set on a key, as Kafka's controller does (plus: rates must be positive and finite). */
export function checkQuotaValue(key: string, value: number): Result<null, 'invalid_request'> {
  if (!isClientQuotaKey(key)) return err('invalid_request', `Invalid configuration key ${key}`);
  // A zero or negative bound would make every request's throttle time infinite.
  if (!Number.isFinite(value) || value <= 0) {
    return err('invalid_request', `Configuration ${key} must be a positive number, not ${value}`);
  }
  if (integralKeys.has(key) && !Number.isInteger(value)) {
    return err('invalid_request', `Configuration ${key} must be a Long value`);
  }
  return ok(null);
}

/**
 * The quota that applies to a connection for one key, and the sensor it
 * counts against. Kafka's precedence, most specific first:
 *
 *   1 user + client id   2 user + <default> client id   3 user
 *   4 <default> user + client id   5 <default> user + <default> client id
 *   6 <default> user   7 client id   8 <default> client id
 *
 * The sensor (metric tags) keeps the real names of the types the matched
 * entity has, and "" for the type it lacks: clients of one user share a
 * user-level quota, while a `<default>` quota bounds each name on its own.
 */
export interface ResolvedQuota {
  readonly bound: number;
  readonly user: string;
  readonly clientId: string;
}

export function resolveQuota(quotas: ClientQuotas, user: string, clientId: string, key: string): ResolvedQuota | null {
  if (quotas.size === 0) return null;
  const candidates: [ClientQuotaEntity, string, string][] = [
    [{ user, clientId }, user, clientId],
    [{ user, clientId: null }, user, clientId],
    [{ user }, user, ''],
    [{ user: null, clientId }, user, clientId],
    [{ user: null, clientId: null }, user, clientId],
    [{ user: null }, user, ''],
    [{ clientId }, '', clientId],
    [{ clientId: null }, '', clientId],
  ];
  for (const [entity, userTag, clientTag] of candidates) {
    const bound = quotas.get(entityKey(entity))?.values.get(key);
    if (bound !== undefined) return { bound, user: userTag, clientId: clientTag };
  }
  return null;
}

/** One component of a DescribeClientQuotas filter (matchType 0 exact, 1 default, 2 any name). */
export interface QuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

/**
 * DescribeClientQuotas' answer as Kafka's KRaft broker computes it: an entity
 * matches when it has every named type with the asked name (exact or
 * default) or any name (match type 2); `strict` also drops entities with
 * types the filter does not name; no components and not strict: everything.
 */
export function describeClientQuotas(
  quotas: ClientQuotas,
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): Result<ClientQuotaEntry[], ClientQuotaError> {
  const wanted = new Map<'user' | 'clientId', { any: true } | { name: string | null }>();
  for (const c of components) {
    if (c.entityType.length === 0) return err('invalid_request', 'Invalid empty entity type.');
    const field = c.entityType === 'user' ? 'user' : c.entityType === 'client-id' ? 'clientId' : null;
    if (field === null) {
      if (c.entityType === 'ip') return err('unsupported_entity_type', 'IP quotas are not supported.');
      return err('unsupported_entity_type', `Unsupported entity type ${c.entityType}`);
    }
    if (wanted.has(field)) {
      return err('invalid_request', `Entity type ${c.entityType} cannot appear more than once in the filter.`);
    }
    if (c.matchType === 0) {
      if (c.match === null)
        return err('invalid_request', 'Request specified MATCH_TYPE_EXACT, but set match string to null.');
      wanted.set(field, { name: c.match });
    } else if (c.matchType === 1 || c.matchType === 2) {
      if (c.match !== null) {
        const what = c.matchType === 1 ? 'MATCH_TYPE_DEFAULT' : 'MATCH_TYPE_SPECIFIED';
        return err('invalid_request', `Request specified ${what}, but also specified a match string.`);
      }
      wanted.set(field, c.matchType === 1 ? { name: null } : { any: true });
    } else {
      return err('invalid_request', `Unknown match type ${c.matchType}`);
    }
  }
  const matches = (e: ClientQuotaEntity): boolean => {
    for (const [field, want] of wanted) {
      const have = e[field];
      if (have === undefined) return false;
      if ('name' in want && have !== want.name) return false;
    }
    const types = (e.user === undefined ? 0 : 1) + (e.clientId === undefined ? 0 : 1);
    return !strict || types === wanted.size;
  };
  const out: ClientQuotaEntry[] = [];
  for (const key of [...quotas.keys()].sort()) {
    const entry = quotas.get(key);
    if (entry !== undefined && matches(entry.entity)) out.push(entry);
  }
  return ok(out);
}

/** The quotas after one client-quota record: set (value) or remove (null) one key of one entity. */
export function withClientQuota(
  quotas: ClientQuotas,
  entity: ClientQuotaEntity,
  key: string,
  value: number | null,
): ClientQuotas {
  const id = entityKey(entity);
  const values = new Map(quotas.get(id)?.values);
  if (value === null) values.delete(key);
  else values.set(key, value);
  const next = new Map(quotas);
  if (values.size === 0) next.delete(id);
  else next.set(id, { entity, values });
  return next;
}
