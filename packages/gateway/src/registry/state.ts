/**
 * The registry's in-memory state and its reducer: each `_schemas` record,
 * in offset order, is applied to the state. No I/O and no clock, so the
 * whole storage semantics (every key type, tombstones, soft and permanent
 * deletes, id reuse) is testable without a cluster. `applyRecord` updates
 * the state it is given in place rather than copying it: a cold start
 * replays every record of the topic, and copying maps per record would
 * make that quadratic.
 */
import { contractIdentity } from './data-contracts.ts';
import {
  type ConfigValue,
  decodeKey,
  isSchemaType,
  type ModeValue,
  parseObject,
  parseReferences,
  type SchemaReference,
  type SchemaType,
} from './store-records.ts';

/** One version of one subject, as the API returns it. */
export interface VersionEntry {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  deleted: boolean;
  metadata?: unknown;
  ruleSet?: unknown;
}

/** A global schema id: its content and the (subject, version) pairs that use it. */
export interface IdEntry {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
  /** Keys "subject\u0000version" of the versions using this id, soft-deleted ones included. */
  users: Set<string>;
}

export interface RegistryState {
  subjects: Map<string, Map<number, VersionEntry>>;
  ids: Map<number, IdEntry>;
  /** Content identity (type, schema, references, data contract) to its id: the same content under another subject reuses the id. */
  idByContent: Map<string, number>;
  /** Compatibility configs; the null key is the global one. */
  configs: Map<string | null, ConfigValue>;
  modes: Map<string | null, ModeValue>;
  /** The highest id ever seen: ids are never reused, even after a permanent delete. */
  maxId: number;
}

export function emptyState(): RegistryState {
  return {
    subjects: new Map(),
    ids: new Map(),
    idByContent: new Map(),
    configs: new Map(),
    modes: new Map(),
    maxId: 0,
  };
}

/** A schema's identity: type, text, references and, when present, its data contract (metadata, rule set). */
export function contentKey(
  schemaType: SchemaType,
  schema: string,
  references: readonly SchemaReference[],
  metadata?: unknown,
  ruleSet?: unknown,
): string {
  return `${schemaType}\u0000${schema}\u0000${JSON.stringify(references)}${contractIdentity(metadata, ruleSet)}`;
}

/** The identity of a stored version or id entry. */
export function entryKey(entry: {
  schemaType: SchemaType;
  schema: string;
  references: readonly SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
}): string {
  return contentKey(entry.schemaType, entry.schema, entry.references, entry.metadata, entry.ruleSet);
}

/** Applies one record; returns null when applied, or why it was skipped (a record this registry does not understand). */
export function applyRecord(state: RegistryState, key: Buffer | null, value: Buffer | null): string | null {
  const decoded = decodeKey(key);
  if (typeof decoded === 'string') return decoded;
  const parsed = value === null ? null : parseObject(value);
  if (value !== null && parsed === null) return `${decoded.keytype} value is not a JSON object`;
  switch (decoded.keytype) {
    case 'SCHEMA':
      if (parsed === null) {
        removeVersion(state, decoded.subject, decoded.version);
        return null;
      }
      return putVersion(state, decoded.subject, decoded.version, parsed);
    case 'CONFIG': {
      if (parsed === null) {
        state.configs.delete(decoded.subject);
        return null;
      }
      // The value's own `subject` (Confluent writes it for subject-level configs) repeats the key: not a setting.
      const { subject: _subject, ...config } = parsed;
      state.configs.set(decoded.subject, config as ConfigValue);
      return null;
    }
    case 'MODE':
      if (parsed === null) state.modes.delete(decoded.subject);
      else if (typeof parsed.mode !== 'string') return 'MODE value without mode';
      else state.modes.set(decoded.subject, { mode: parsed.mode });
      return null;
    case 'NOOP':
      return null;
    case 'DELETE_SUBJECT': {
      // A tombstone on this key only lets compaction drop the marker once the versions are gone.
      if (parsed === null) return null;
      if (typeof parsed.version !== 'number') return 'DELETE_SUBJECT value without version';
      for (const entry of state.subjects.get(decoded.subject)?.values() ?? []) {
        if (entry.version <= parsed.version) entry.deleted = true;
      }
      return null;
    }
    case 'CLEAR_SUBJECT': {
      // Written when IMPORT is set on an empty subject (or registry, subject null) after tombstoning its versions:
      // it drops whatever soft-deleted versions a reader still holds. Live versions are never dropped by it.
      if (parsed === null) return null;
      const subjects = decoded.subject === null ? [...state.subjects.keys()] : [decoded.subject];
      for (const subject of subjects) {
        for (const entry of versionsOf(state, subject, true)) {
          if (entry.deleted) removeVersion(state, subject, entry.version);
        }
      }
      return null;
    }
  }
}

function putVersion(
  state: RegistryState,
  subject: string,
  version: number,
  value: Record<string, unknown>,
): string | null {
  const { id, schema } = value;
  const schemaType = value.schemaType ?? 'AVRO';
  const references = parseReferences(value.references);
  if (typeof id !== 'number' || typeof schema !== 'string') return 'SCHEMA value without id/schema';
  if (!isSchemaType(schemaType)) return `SCHEMA value with unknown schemaType ${JSON.stringify(schemaType)}`;
  if (references === null) return 'SCHEMA value with malformed references';
  removeVersion(state, subject, version);
  const entry: VersionEntry = {
    subject,
    version,
    id,
    schemaType,
    schema,
    references,
    deleted: value.deleted === true,
  };
  if (value.metadata !== undefined && value.metadata !== null) entry.metadata = value.metadata;
  if (value.ruleSet !== undefined && value.ruleSet !== null) entry.ruleSet = value.ruleSet;
  let versions = state.subjects.get(subject);
  if (versions === undefined) {
    versions = new Map();
    state.subjects.set(subject, versions);
  }
  versions.set(version, entry);
  let idEntry = state.ids.get(id);
  if (idEntry === undefined) {
    idEntry = { id, schemaType, schema, references, users: new Set() };
    if (entry.metadata !== undefined) idEntry.metadata = entry.metadata;
    if (entry.ruleSet !== undefined) idEntry.ruleSet = entry.ruleSet;
    state.ids.set(id, idEntry);
    const content = entryKey(idEntry);
    if (!state.idByContent.has(content)) state.idByContent.set(content, id);
  }
  idEntry.users.add(userKey(subject, version));
  if (id > state.maxId) state.maxId = id;
  return null;
}

function removeVersion(state: RegistryState, subject: string, version: number): void {
  const versions = state.subjects.get(subject);
  const entry = versions?.get(version);
  if (versions === undefined || entry === undefined) return;
  versions.delete(version);
  if (versions.size === 0) state.subjects.delete(subject);
  const idEntry = state.ids.get(entry.id);
  if (idEntry === undefined) return;
  idEntry.users.delete(userKey(subject, version));
  if (idEntry.users.size > 0) return;
  // No version uses the id any more: it is gone (40403), though never handed out again (maxId stays).
  state.ids.delete(entry.id);
  const content = entryKey(idEntry);
  if (state.idByContent.get(content) === entry.id) state.idByContent.delete(content);
}

function userKey(subject: string, version: number): string {
  return `${subject}\u0000${version}`;
}

/** A subject's versions in ascending order; soft-deleted ones only when asked. */
export function versionsOf(state: RegistryState, subject: string, includeDeleted: boolean): VersionEntry[] {
  const versions = state.subjects.get(subject);
  if (versions === undefined) return [];
  return [...versions.values()].filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
}

/** Which versions or subjects a list shows: live ones (the default), all, or only soft-deleted ones. */
export type DeletedFilter = 'live' | 'all' | 'deletedOnly';

/**
 * Subjects, sorted. A subject counts as deleted when every version it has is soft-deleted (Confluent's rule), so
 * 'live' lists subjects with a live version and 'deletedOnly' those with none.
 */
export function subjectNames(state: RegistryState, options: { filter: DeletedFilter; prefix?: string }): string[] {
  const out: string[] = [];
  for (const [subject, versions] of state.subjects) {
    if (options.prefix !== undefined && !subject.startsWith(options.prefix)) continue;
    const deleted = ![...versions.values()].some((v) => !v.deleted);
    if (options.filter === 'all' || (options.filter === 'deletedOnly') === deleted) out.push(subject);
  }
  return out.sort();
}

/** The next version number of a subject: after every version still in the topic, soft-deleted ones included. */
export function nextVersion(state: RegistryState, subject: string): number {
  let max = 0;
  for (const version of state.subjects.get(subject)?.keys() ?? []) max = Math.max(max, version);
  return max + 1;
}

/** The (subject, version) pairs using an id, sorted. */
export function usersOf(state: RegistryState, id: number, includeDeleted: boolean): VersionEntry[] {
  const idEntry = state.ids.get(id);
  if (idEntry === undefined) return [];
  const out: VersionEntry[] = [];
  for (const user of idEntry.users) {
    const [subject = '', version = ''] = user.split('\u0000');
    const entry = state.subjects.get(subject)?.get(Number(version));
    if (entry !== undefined && (includeDeleted || !entry.deleted)) out.push(entry);
  }
  return out.sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
}

/** The ids of live versions whose references name (subject, version): what blocks deleting that version (42206). */
export function referencedBy(state: RegistryState, subject: string, version: number): number[] {
  const ids = new Set<number>();
  for (const versions of state.subjects.values()) {
    for (const entry of versions.values()) {
      if (entry.deleted) continue;
      if (entry.references.some((ref) => ref.subject === subject && ref.version === version)) ids.add(entry.id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** Confluent's paging: skip `offset`, then at most `limit` items; a negative limit means all. */
export function page<T>(items: readonly T[], offset: number, limit: number): T[] {
  const start = Math.max(0, offset);
  return limit < 0 ? items.slice(start) : items.slice(start, start + limit);
}
