/**
 * The registry's operations over the store: reads answer from the state;
 * writes decide (id, version, what to delete) from the state inside the
 * store's `exclusive` section, write the records Confluent writes for
 * them, and answer once the store has read them back. Errors are
 * RegistryErrors with Confluent's codes. A registration is checked
 * against the subject's live versions under its compatibility level
 * (compat/): an incompatible schema is refused with 409.
 */

import type { KafkaRecord } from '@runnel/protocol';
import {
  type CompatibilityLevel,
  type CompatibilityResult,
  isCompatibilityLevel,
} from './compat/compatibility-levels.ts';
import { type EarlierVersion, subjectCompatibility } from './compat/subject-compatibility.ts';
import { registryErrors } from './registry-error.ts';
import { parseSchema } from './schema-formats.ts';
import {
  contentKey,
  type IdEntry,
  nextVersion,
  type RegistryState,
  subjectNames,
  usersOf,
  type VersionEntry,
  versionsOf,
} from './state.ts';

/**
 * What the service needs of storage: the state, one write section at a time, and a write that resolves once the
 * state shows it. SchemaStore is the real one; tests use an in-memory one that applies records at once.
 */
export interface StoreAccess {
  readonly state: RegistryState;
  exclusive<T>(operation: () => Promise<T>): Promise<T>;
  write(records: KafkaRecord[]): Promise<void>;
}

import {
  type ConfigValue,
  encodeKey,
  encodeSchemaValue,
  encodeValue,
  isSchemaType,
  parseReferences,
  type ReferencedSchema,
  type SchemaReference,
  type SchemaType,
} from './store-records.ts';

/** Confluent's default when neither the subject nor the registry has a level set. */
export const defaultCompatibility = 'BACKWARD';

/** A schema as a request submits it (register, lookup). */
export interface SchemaRequest {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  metadata?: unknown;
  ruleSet?: unknown;
}

/** "latest" (or -1) or a version number. */
export type VersionSpec = number | 'latest';

export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1) throw registryErrors.invalidVersion(text);
  return n;
}

export function parseSchemaRequest(body: unknown): SchemaRequest {
  if (typeof body !== 'object' || body === null) throw registryErrors.invalidSchema('Invalid schema: no request body');
  const { schema, schemaType = 'AVRO', references, metadata, ruleSet } = body as Record<string, unknown>;
  if (typeof schema !== 'string' || schema.length === 0) throw registryErrors.invalidSchema('Empty schema');
  if (!isSchemaType(schemaType)) throw registryErrors.invalidSchema(`Invalid schema type ${String(schemaType)}`);
  const refs = parseReferences(references);
  if (refs === null) throw registryErrors.invalidSchema('Invalid schema references');
  const out: SchemaRequest = { schemaType, schema, references: refs };
  if (metadata !== undefined && metadata !== null) out.metadata = metadata;
  if (ruleSet !== undefined && ruleSet !== null) out.ruleSet = ruleSet;
  return out;
}

export class RegistryService {
  readonly #store: StoreAccess;

  constructor(store: StoreAccess) {
    this.#store = store;
  }

  get #state(): RegistryState {
    return this.#store.state;
  }

  subjects(options: { includeDeleted: boolean; prefix?: string }): string[] {
    return subjectNames(this.#state, options);
  }

  versions(subject: string, includeDeleted: boolean): number[] {
    const versions = versionsOf(this.#state, subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  version(subject: string, spec: VersionSpec, includeDeleted: boolean): VersionEntry {
    const versions = versionsOf(this.#state, subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    const found = spec === 'latest' ? versions.at(-1) : versions.find((v) => v.version === spec);
    if (found === undefined) throw registryErrors.versionNotFound(spec);
    return found;
  }

  schemaById(id: number): IdEntry {
    const entry = this.#state.ids.get(id);
    if (entry === undefined) throw registryErrors.schemaNotFound(id);
    return entry;
  }

  usersOfId(id: number, includeDeleted: boolean): VersionEntry[] {
    this.schemaById(id);
    return usersOf(this.#state, id, includeDeleted);
  }

  /** The version of `subject` holding this schema (POST /subjects/{subject}). */
  lookup(subject: string, request: SchemaRequest, includeDeleted: boolean): VersionEntry {
    const versions = versionsOf(this.#state, subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    const { key } = this.#identify(request);
    const found = versions.find((v) => contentKey(v.schemaType, v.schema, v.references) === key);
    if (found === undefined) throw registryErrors.schemaNotFound();
    return found;
  }

  /** Registers the schema under the subject; the same schema again answers its existing id and writes nothing. */
  register(subject: string, request: SchemaRequest): Promise<number> {
    return this.#store.exclusive(async () => {
      const state = this.#state;
      const { key, schema } = this.#identify(request);
      const existing = versionsOf(state, subject, false).find(
        (v) => contentKey(v.schemaType, v.schema, v.references) === key,
      );
      if (existing !== undefined) return existing.id;
      const level = this.compatibility(subject, true) as CompatibilityLevel;
      const verdict = this.#check(level, request, versionsOf(state, subject, false));
      if (!verdict.is_compatible) throw registryErrors.incompatibleSchema(subject, verdict.messages);
      const id = state.idByContent.get(key) ?? state.maxId + 1;
      const version = nextVersion(state, subject);
      await this.#store.write([
        {
          key: encodeKey({ keytype: 'SCHEMA', subject, version }),
          value: encodeSchemaValue({
            subject,
            version,
            id,
            schemaType: request.schemaType,
            references: request.references,
            metadata: request.metadata,
            ruleSet: request.ruleSet,
            schema,
            deleted: false,
          }),
        },
      ]);
      return id;
    });
  }

  /** DELETE /subjects/{subject}: the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.#store.exclusive(async () => {
      const all = versionsOf(this.#state, subject, true);
      if (all.length === 0) throw registryErrors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) throw registryErrors.subjectSoftDeleted(subject);
        const last = all.at(-1)?.version ?? 0;
        await this.#store.write([
          {
            key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }),
            value: encodeValue({ subject, version: last }),
          },
        ]);
        return live.map((v) => v.version);
      }
      if (live.length > 0) throw registryErrors.subjectNotSoftDeleted(subject);
      // Tombstones for every version, then for the soft-delete marker, so compaction leaves nothing of the subject.
      await this.#store.write([
        ...all.map((v) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: v.version }), value: null })),
        { key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: null },
      ]);
      return all.map((v) => v.version);
    });
  }

  /** DELETE /subjects/{subject}/versions/{version}: the version deleted. */
  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.#store.exclusive(async () => {
      const all = versionsOf(this.#state, subject, true);
      if (all.length === 0) throw registryErrors.subjectNotFound(subject);
      // "latest" is the latest live version for a soft delete, and the latest of all for a permanent one.
      const candidates = permanent ? all : all.filter((v) => !v.deleted);
      const entry = spec === 'latest' ? candidates.at(-1) : all.find((v) => v.version === spec);
      if (entry === undefined) throw registryErrors.versionNotFound(spec);
      const key = encodeKey({ keytype: 'SCHEMA', subject, version: entry.version });
      if (!permanent) {
        if (entry.deleted) throw registryErrors.versionSoftDeleted(subject, entry.version);
        await this.#store.write([{ key, value: encodeSchemaValue({ ...entry, deleted: true }) }]);
      } else {
        if (!entry.deleted) throw registryErrors.versionNotSoftDeleted(subject, entry.version);
        await this.#store.write([{ key, value: null }]);
      }
      return entry.version;
    });
  }

  /** The global level (subject null), or the subject's (falling back to the global one when asked). */
  compatibility(subject: string | null, defaultToGlobal: boolean): string {
    const own = this.#state.configs.get(subject)?.compatibilityLevel;
    if (own !== undefined) return own;
    if (subject !== null && !defaultToGlobal) throw registryErrors.subjectCompatibilityNotConfigured(subject);
    return this.#state.configs.get(null)?.compatibilityLevel ?? defaultCompatibility;
  }

  setCompatibility(subject: string | null, level: unknown): Promise<string> {
    const upper = typeof level === 'string' ? level.toUpperCase() : '';
    if (!isCompatibilityLevel(upper)) throw registryErrors.invalidCompatibilityLevel();
    return this.#store.exclusive(async () => {
      const value: ConfigValue = { ...this.#state.configs.get(subject), compatibilityLevel: upper };
      await this.#store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: encodeValue(value) }]);
      return upper;
    });
  }

  /** DELETE /config/{subject}: the level the subject had (the global one when it had none of its own). */
  deleteCompatibility(subject: string): Promise<string> {
    return this.#store.exclusive(async () => {
      const own = this.#state.configs.get(subject);
      if (own === undefined && !this.#state.subjects.has(subject)) throw registryErrors.subjectNotFound(subject);
      const previous = this.compatibility(subject, true);
      if (own !== undefined) await this.#store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]);
      return previous;
    });
  }

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: the
   * candidate against one version (the level's direction, that version
   * only), or, with no version, against what the level names.
   */
  testCompatibility(subject: string, request: SchemaRequest, spec: VersionSpec | 'all'): CompatibilityResult {
    const level = this.compatibility(subject, true) as CompatibilityLevel;
    if (spec === 'all') return this.#check(level, request, versionsOf(this.#state, subject, false));
    const one = this.version(subject, spec, false);
    return this.#check(level.replace('_TRANSITIVE', '') as CompatibilityLevel, request, [one]);
  }

  #check(level: CompatibilityLevel, request: SchemaRequest, earlier: readonly VersionEntry[]): CompatibilityResult {
    const { schema } = this.#identify(request);
    const candidate = { schemaType: request.schemaType, schema, referenced: this.#referenced(request.references) };
    const versions: EarlierVersion[] = earlier.map((v) => ({
      version: v.version,
      schemaType: v.schemaType,
      schema: v.schema,
      referenced: this.#referenced(v.references),
    }));
    return subjectCompatibility(level, candidate, versions);
  }

  /** The content identity of a submitted schema: parsed (42201 when invalid) with its references resolved. */
  #identify(request: SchemaRequest): { key: string; schema: string } {
    const referenced = this.#referenced(request.references);
    const parsed = parseSchema(request.schemaType, request.schema, referenced);
    if (!parsed.ok) throw registryErrors.invalidSchema(parsed.message);
    return { key: contentKey(request.schemaType, parsed.schema, request.references), schema: parsed.schema };
  }

  /**
   * The schemas the references reach, transitively (a referenced schema's own references too, as Confluent
   * resolves them), each before the schemas that use it; 42201 when one is missing.
   */
  #referenced(references: readonly SchemaReference[]): ReferencedSchema[] {
    const out: ReferencedSchema[] = [];
    const visited = new Set<string>();
    const visit = (refs: readonly SchemaReference[]): void => {
      for (const ref of refs) {
        const key = `${ref.name}\u0000${ref.subject}\u0000${ref.version}`;
        if (visited.has(key)) continue; // a shared or cyclic reference is resolved once
        visited.add(key);
        const entry = this.#state.subjects.get(ref.subject)?.get(ref.version);
        if (entry === undefined) {
          throw registryErrors.invalidSchema(
            `Invalid schema: reference ${ref.name} (${ref.subject} version ${ref.version}) not found`,
          );
        }
        visit(entry.references);
        out.push({ name: ref.name, schema: entry.schema });
      }
    };
    visit(references);
    return out;
  }
}
