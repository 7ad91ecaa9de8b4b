/**
 * The registry's operations over the store: reads answer from the state;
 * writes decide (id, version, what to delete) from the state inside the
 * store's `exclusive` section, check the mode (registry-modes.ts), write
 * the records Confluent writes for them, and answer once the store has
 * read them back. Errors are RegistryErrors with Confluent's codes. A
 * registration is checked against the subject's live versions under its
 * compatibility level (compat/): an incompatible schema is refused with
 * 409. Avro texts are stored in Java Avro's canonical form, or Confluent's
 * normalized form when `normalize` is asked for (avro-canonical.ts).
 */
import type { KafkaRecord } from '@runnel/protocol';
import { avroCanonicalForm, avroNormalizedForm } from './avro-canonical.ts';
import type { CompatibilityLevel, CompatibilityResult } from './compat/compatibility-levels.ts';
import { type EarlierVersion, subjectCompatibility } from './compat/subject-compatibility.ts';
import { configInScope, orderedConfig, parseConfigUpdate } from './registry-config.ts';
import { registryErrors } from './registry-error.ts';
import { checkRegisterMode, checkWritable, type Mode, modeInScope, ownMode, parseMode } from './registry-modes.ts';
import { checkSubject, type Paging, type SchemaRequest, type VersionSpec } from './registry-requests.ts';
import { parseSchema } from './schema-formats.ts';
import {
  contentKey,
  type DeletedFilter,
  type IdEntry,
  page,
  type RegistryState,
  referencedBy,
  subjectNames,
  usersOf,
  type VersionEntry,
  versionsOf,
} from './state.ts';
import { type ConfigValue, encodeKey, encodeSchemaValue, encodeValue, type SchemaReference } from './store-records.ts';

export { defaultCompatibility } from './registry-config.ts';
export { parseSchemaRequest, parseVersion, type SchemaRequest, type VersionSpec } from './registry-requests.ts';

/**
 * What the service needs of storage: the state, one write section at a time, and a write that resolves once the
 * state shows it. SchemaStore is the real one; tests use an in-memory one that applies records at once.
 */
export interface StoreAccess {
  readonly state: RegistryState;
  exclusive<T>(operation: () => Promise<T>): Promise<T>;
  write(records: KafkaRecord[]): Promise<void>;
}

const noPaging: Paging = { offset: 0, limit: -1 };

function filterOf(deleted: boolean, deletedOnly: boolean): DeletedFilter {
  return deletedOnly ? 'deletedOnly' : deleted ? 'all' : 'live';
}

export class RegistryService {
  readonly #store: StoreAccess;

  constructor(store: StoreAccess) {
    this.#store = store;
  }

  get #state(): RegistryState {
    return this.#store.state;
  }

  subjects(options: { includeDeleted: boolean; deletedOnly?: boolean; prefix?: string; paging?: Paging }): string[] {
    const filter = filterOf(options.includeDeleted, options.deletedOnly ?? false);
    const names = subjectNames(this.#state, {
      filter,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    });
    const { offset, limit } = options.paging ?? noPaging;
    return page(names, offset, limit);
  }

  /** GET /subjects/{subject}/versions: 40401 unless the subject has a version the filter could show. */
  versions(subject: string, includeDeleted: boolean, deletedOnly = false, paging: Paging = noPaging): number[] {
    const all = versionsOf(this.#state, subject, includeDeleted || deletedOnly);
    if (all.length === 0) throw registryErrors.subjectNotFound(subject);
    const shown = deletedOnly ? all.filter((v) => v.deleted) : all;
    return page(shown, paging.offset, paging.limit).map((v) => v.version);
  }

  version(subject: string, spec: VersionSpec, includeDeleted: boolean): VersionEntry {
    const versions = versionsOf(this.#state, subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    // "latest" is the latest live version even when deleted ones are asked for, as Confluent answers it.
    const found =
      spec === 'latest' ? versions.filter((v) => !v.deleted).at(-1) : versions.find((v) => v.version === spec);
    if (found === undefined) throw registryErrors.versionNotFound(spec === 'latest' ? -1 : spec);
    return found;
  }

  /** GET /schemas: every version (soft-deleted ones when asked) of subjects with the prefix, or only each latest. */
  schemas(options: { prefix?: string; includeDeleted: boolean; latestOnly: boolean; paging: Paging }): VersionEntry[] {
    const out: VersionEntry[] = [];
    for (const subject of subjectNames(this.#state, {
      filter: 'all',
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    })) {
      const versions = versionsOf(this.#state, subject, options.includeDeleted);
      if (options.latestOnly) {
        const latest = versions.at(-1);
        if (latest !== undefined) out.push(latest);
      } else {
        out.push(...versions);
      }
    }
    return page(out, options.paging.offset, options.paging.limit);
  }

  schemaById(id: number): IdEntry {
    const entry = this.#state.ids.get(id);
    if (entry === undefined) throw registryErrors.schemaNotFound(id);
    return entry;
  }

  /** The highest id handed out so far (`fetchMaxId` on GET /schemas/ids/{id}). */
  get maxId(): number {
    return this.#state.maxId;
  }

  usersOfId(id: number, includeDeleted: boolean, subject?: string, paging: Paging = noPaging): VersionEntry[] {
    this.schemaById(id);
    const users = usersOf(this.#state, id, includeDeleted).filter(
      (u) => subject === undefined || u.subject === subject,
    );
    return page(users, paging.offset, paging.limit);
  }

  /** GET /subjects/{subject}/versions/{version}/referencedby: the ids of live schemas referencing it, sorted. */
  referencedBy(subject: string, spec: VersionSpec): number[] {
    const entry = this.version(subject, spec, true);
    return referencedBy(this.#state, subject, entry.version);
  }

  /** The version of `subject` holding this schema (POST /subjects/{subject}). */
  lookup(subject: string, request: SchemaRequest, includeDeleted: boolean, normalize = false): VersionEntry {
    const versions = versionsOf(this.#state, subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    const { key } = this.#identify(request, normalize || this.#normalizes(subject));
    const found = versions.find((v) => contentKey(v.schemaType, v.schema, v.references) === key);
    if (found === undefined) throw registryErrors.schemaNotFound();
    return found;
  }

  /**
   * Registers the schema under the subject; the same schema again answers its existing id and writes nothing.
   * In IMPORT mode the request brings its id (and may bring its version); nothing is checked for compatibility.
   */
  register(subject: string, request: SchemaRequest, options: { normalize?: boolean } = {}): Promise<number> {
    checkSubject(subject);
    return this.#store.exclusive(async () => {
      const state = this.#state;
      const { key, schema, references } = this.#identify(
        request,
        options.normalize === true || this.#normalizes(subject),
      );
      const all = versionsOf(state, subject, true);
      const existing = all.find((v) => !v.deleted && contentKey(v.schemaType, v.schema, v.references) === key);
      // Confluent answers an already registered schema before looking at the mode, so this works read-only too.
      if (existing !== undefined && request.version === undefined && (request.id ?? existing.id) === existing.id) {
        return existing.id;
      }
      const mode = checkRegisterMode(state, subject, request.id !== undefined);
      const next = (all.at(-1)?.version ?? 0) + 1;
      if (mode !== 'IMPORT') {
        const level = configInScope(state, subject).compatibilityLevel as CompatibilityLevel;
        const verdict = this.#check(
          level,
          request,
          all.filter((v) => !v.deleted),
          options.normalize === true,
        );
        if (!verdict.is_compatible) throw registryErrors.incompatibleSchema(subject, verdict.messages);
        if (request.version !== undefined && request.version !== next) {
          throw registryErrors.invalidSchema('Version is not one more than previous version');
        }
      }
      const version = request.version ?? next;
      const id = request.id ?? state.idByContent.get(key) ?? state.maxId + 1;
      const taken = state.ids.get(id);
      if (taken !== undefined && contentKey(taken.schemaType, taken.schema, taken.references) !== key) {
        throw registryErrors.operationNotPermitted(`Overwrite new schema with id ${id} is not permitted.`);
      }
      // Earlier soft-deleted versions of this subject with the same id are tombstoned, as Confluent does.
      const tombstones = all
        .filter((v) => v.deleted && v.id === id && v.version < version)
        .map((v) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: v.version }), value: null }));
      const value = encodeSchemaValue({
        subject,
        version,
        id,
        schemaType: request.schemaType,
        references,
        metadata: request.metadata,
        ruleSet: request.ruleSet,
        schema,
        deleted: false,
      });
      await this.#store.write([...tombstones, { key: encodeKey({ keytype: 'SCHEMA', subject, version }), value }]);
      return id;
    });
  }

  /** DELETE /subjects/{subject}: the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.#store.exclusive(async () => {
      const state = this.#state;
      const all = versionsOf(state, subject, true);
      if (all.length === 0) throw registryErrors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent && live.length === 0) throw registryErrors.subjectSoftDeleted(subject);
      checkWritable(state, subject);
      const targets = permanent ? all : live;
      for (const v of targets) this.#checkUnreferenced(subject, v.version);
      if (permanent && live.length > 0) throw registryErrors.subjectNotSoftDeleted(subject);
      if (permanent) {
        // Only the versions' tombstones: Confluent writes no DELETE_SUBJECT or CLEAR_SUBJECT for a permanent delete.
        await this.#store.write(
          all.map((v) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: v.version }), value: null })),
        );
        return all.map((v) => v.version);
      }
      const last = live.at(-1)?.version ?? 0;
      await this.#store.write([
        { key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: encodeValue({ subject, version: last }) },
        ...this.#subjectSettingTombstones(subject),
      ]);
      return live.map((v) => v.version);
    });
  }

  /** DELETE /subjects/{subject}/versions/{version}: the version deleted. */
  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.#store.exclusive(async () => {
      const state = this.#state;
      const all = versionsOf(state, subject, true);
      if (all.length === 0) throw registryErrors.subjectNotFound(subject);
      // "latest" is the latest live version, for a permanent delete too (then answering 40407), as Confluent does.
      const entry = spec === 'latest' ? all.filter((v) => !v.deleted).at(-1) : all.find((v) => v.version === spec);
      if (entry === undefined) throw registryErrors.versionNotFound(spec === 'latest' ? -1 : spec);
      if (!permanent && entry.deleted) throw registryErrors.versionSoftDeleted(subject, entry.version);
      checkWritable(state, subject);
      this.#checkUnreferenced(subject, entry.version);
      const key = encodeKey({ keytype: 'SCHEMA', subject, version: entry.version });
      if (permanent) {
        if (!entry.deleted) throw registryErrors.versionNotSoftDeleted(subject, entry.version);
        await this.#store.write([{ key, value: null }]);
        return entry.version;
      }
      const { subject: s, version, id, schemaType, references, metadata, ruleSet, schema } = entry;
      const value = encodeSchemaValue({
        subject: s,
        version,
        id,
        schemaType,
        references,
        metadata,
        ruleSet,
        schema,
        deleted: true,
      });
      // Soft-deleting the last live version also drops the subject's own mode and config, as a subject delete does.
      const lastLive = all.every((v) => v.deleted || v.version === entry.version);
      await this.#store.write([{ key, value }, ...(lastLive ? this.#subjectSettingTombstones(subject) : [])]);
      return entry.version;
    });
  }

  /** The global level (subject null), or the subject's (falling back to the global one when asked). */
  compatibility(subject: string | null, defaultToGlobal: boolean): string {
    return String(this.config(subject, defaultToGlobal).compatibilityLevel);
  }

  /** GET /config[/{subject}]: the stored fields; a subject without its own answers 40408 unless it falls back. */
  config(subject: string | null, defaultToGlobal: boolean): ConfigValue {
    const own = subject === null ? undefined : this.#state.configs.get(subject);
    if (subject !== null && own === undefined && !defaultToGlobal) {
      throw registryErrors.subjectCompatibilityNotConfigured(subject);
    }
    return configInScope(this.#state, subject);
  }

  /** PUT /config[/{subject}] with `{compatibility, normalize, ...}`: merged into what is stored; answers the request. */
  setConfig(subject: string | null, body: unknown): Promise<Record<string, unknown>> {
    if (subject !== null) checkSubject(subject);
    const update = parseConfigUpdate(body);
    return this.#store.exclusive(async () => {
      checkWritable(this.#state, subject);
      const value = orderedConfig({ ...this.#state.configs.get(subject), ...update.fields });
      await this.#store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: encodeValue(value) }]);
      return update.echo;
    });
  }

  /** The old single-field form, kept for callers that only set a level. */
  async setCompatibility(subject: string | null, level: unknown): Promise<string> {
    const echo = await this.setConfig(subject, { compatibility: level });
    return String(echo.compatibility);
  }

  /** DELETE /config[/{subject}]: the config that applied before (the global one when the subject had none). */
  deleteConfig(subject: string | null): Promise<ConfigValue> {
    return this.#store.exclusive(async () => {
      const own = this.#state.configs.get(subject);
      if (subject !== null && own === undefined && !this.#state.subjects.has(subject)) {
        throw registryErrors.subjectNotFound(subject);
      }
      checkWritable(this.#state, subject);
      const previous = configInScope(this.#state, subject);
      if (own !== undefined) await this.#store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]);
      return previous;
    });
  }

  async deleteCompatibility(subject: string): Promise<string> {
    return String((await this.deleteConfig(subject)).compatibilityLevel);
  }

  /** GET /mode[/{subject}]: 40409 for a subject with no mode of its own unless it falls back to the global one. */
  mode(subject: string | null, defaultToGlobal: boolean): Mode {
    const mode = defaultToGlobal ? modeInScope(this.#state, subject) : ownMode(this.#state, subject);
    if (mode === undefined) throw registryErrors.subjectModeNotConfigured(subject ?? '');
    return mode;
  }

  /**
   * PUT /mode[/{subject}]. IMPORT on a subject (or registry) that still has live versions is refused unless forced;
   * otherwise its soft-deleted versions are tombstoned and a CLEAR_SUBJECT written first, as Confluent does.
   */
  setMode(subject: string | null, requested: unknown, force: boolean): Promise<Mode> {
    if (subject !== null) checkSubject(subject);
    const mode = parseMode(requested);
    return this.#store.exclusive(async () => {
      const state = this.#state;
      const records: KafkaRecord[] = [];
      if (mode === 'IMPORT' && modeInScope(state, subject) !== 'IMPORT' && !force) {
        const subjects = subject === null ? [...state.subjects.keys()] : [subject];
        if (subjects.some((s) => versionsOf(state, s, false).length > 0)) {
          throw registryErrors.operationNotPermitted('Cannot import since found existing subjects');
        }
        for (const s of subjects) {
          for (const v of versionsOf(state, s, true)) {
            this.#checkUnreferenced(s, v.version);
            records.push({ key: encodeKey({ keytype: 'SCHEMA', subject: s, version: v.version }), value: null });
          }
        }
        records.push({
          key: encodeKey({ keytype: 'CLEAR_SUBJECT', subject }),
          value: encodeValue(subject === null ? {} : { subject }),
        });
      }
      records.push({ key: encodeKey({ keytype: 'MODE', subject }), value: encodeValue({ mode }) });
      await this.#store.write(records);
      return mode;
    });
  }

  /** DELETE /mode/{subject}: the mode it had; 40401 when it had none of its own. */
  deleteMode(subject: string): Promise<Mode> {
    return this.#store.exclusive(async () => {
      const previous = ownMode(this.#state, subject);
      if (previous === undefined) throw registryErrors.subjectNotFound(subject);
      if (this.#state.modes.has(subject)) {
        await this.#store.write([{ key: encodeKey({ keytype: 'MODE', subject }), value: null }]);
      }
      return previous;
    });
  }

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: the
   * candidate against one version (the level's direction, that version
   * only), or, with no version, against what the level names.
   */
  testCompatibility(
    subject: string,
    request: SchemaRequest,
    spec: VersionSpec | 'all',
    normalize = false,
  ): CompatibilityResult {
    const level = this.compatibility(subject, true) as CompatibilityLevel;
    if (spec === 'all') return this.#check(level, request, versionsOf(this.#state, subject, false), normalize);
    const one = this.version(subject, spec, false);
    return this.#check(level.replace('_TRANSITIVE', '') as CompatibilityLevel, request, [one], normalize);
  }

  #check(
    level: CompatibilityLevel,
    request: SchemaRequest,
    earlier: readonly VersionEntry[],
    normalize: boolean,
  ): CompatibilityResult {
    const { schema } = this.#identify(request, normalize);
    const referenced = this.#referenced(request.references).map(forAvsc);
    const candidate = { schemaType: request.schemaType, schema: forAvsc(schema), referenced };
    const versions: EarlierVersion[] = earlier.map((v) => ({
      version: v.version,
      schemaType: v.schemaType,
      schema: forAvsc(v.schema),
      referenced: this.#referenced(v.references).map(forAvsc),
    }));
    return subjectCompatibility(level, candidate, versions);
  }

  /** Whether the subject's config (or the global one) asks for normalized schemas. */
  #normalizes(subject: string): boolean {
    return configInScope(this.#state, subject).normalize === true;
  }

  /**
   * The stored text and content identity of a submitted schema: parsed (42201 when invalid) with its references
   * resolved; Avro in Java's canonical form, or Confluent's normalized form (references then sorted and deduplicated).
   */
  #identify(
    request: SchemaRequest,
    normalize: boolean,
  ): { key: string; schema: string; references: SchemaReference[] } {
    const referenced = this.#referenced(request.references);
    const parsed = parseSchema(request.schemaType, request.schema, referenced);
    if (!parsed.ok) throw registryErrors.invalidSchema(parsed.message);
    let schema = parsed.schema;
    if (request.schemaType === 'AVRO') {
      schema = normalize
        ? avroNormalizedForm(request.schema, referenced)
        : avroCanonicalForm(request.schema, referenced);
    }
    const references = normalize ? sortedReferences(request.references) : request.references;
    return { key: contentKey(request.schemaType, schema, references), schema, references };
  }

  /** The texts of the referenced schemas, in order (42201 when one is missing). */
  #referenced(references: readonly SchemaReference[]): string[] {
    return references.map((ref) => {
      const entry = this.#state.subjects.get(ref.subject)?.get(ref.version);
      if (entry === undefined) {
        throw registryErrors.invalidSchema(
          `Invalid schema: reference ${ref.name} (${ref.subject} version ${ref.version}) not found`,
        );
      }
      return entry.schema;
    });
  }

  /** 42206 when a live schema references this version. */
  #checkUnreferenced(subject: string, version: number): void {
    if (referencedBy(this.#state, subject, version).length > 0) throw registryErrors.referenceExists(subject, version);
  }

  /** Tombstones for the subject's own mode and config, those it has. */
  #subjectSettingTombstones(subject: string): KafkaRecord[] {
    const out: KafkaRecord[] = [];
    if (this.#state.modes.has(subject)) out.push({ key: encodeKey({ keytype: 'MODE', subject }), value: null });
    if (this.#state.configs.has(subject)) out.push({ key: encodeKey({ keytype: 'CONFIG', subject }), value: null });
    return out;
  }
}

/**
 * Confluent's normalized Avro text names every field's order in upper case (Java's enum name), which Java's
 * parser accepts and avsc does not: the compatibility check reads it in the spelling avsc takes.
 */
function forAvsc(text: string): string {
  return text.replace(
    /"order":"(ASCENDING|DESCENDING|IGNORE)"/g,
    (_all, order: string) => `"order":"${order.toLowerCase()}"`,
  );
}

function sortedReferences(references: readonly SchemaReference[]): SchemaReference[] {
  const seen = new Map<string, SchemaReference>();
  for (const ref of references) seen.set(`${ref.name}\u0000${ref.subject}\u0000${ref.version}`, ref);
  return [...seen.values()].sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.subject !== b.subject
        ? a.subject < b.subject
          ? -1
          : 1
        : a.version - b.version,
  );
}
