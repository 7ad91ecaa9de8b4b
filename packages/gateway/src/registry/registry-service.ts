/**
 * The registry's operations over the store: reads answer from the state;
 * writes decide (id, version, what to delete) from the state inside the
 * store's `exclusive` section, check the mode (registry-modes.ts), write
 * the records Confluent writes for them, and answer once the store has
 * read them back. Errors are RegistryErrors with Confluent's codes. A
 * registration is checked against the subject's live versions under its
 * compatibility level (compat/): an incompatible schema is refused with
 * 409. Avro texts are stored in Java Avro's canonical form, or Confluent's
 * normalized form when `normalize` is asked for (avro-canonical.ts); JSON
 * Schema and Protobuf texts are normalized too (schema-formats.ts).
 */
import { avscOrderSpelling } from './avro-canonical.ts';
import type { CompatibilityLevel, CompatibilityResult } from './compat/compatibility-levels.ts';
import { type EarlierVersion, subjectCompatibility } from './compat/subject-compatibility.ts';
import { type Contract, contractFor, hasDefaultsOrOverrides } from './data-contracts.ts';
import { serializeProtobuf } from './formats/protobuf.ts';
import { configInScope } from './registry-config.ts';
import { registryErrors } from './registry-error.ts';
import { checkRegisterMode, checkWritable, modeInScope } from './registry-modes.ts';
import {
  checkSubject,
  type Paging,
  type SchemaRequest,
  sortedReferences,
  type VersionSpec,
} from './registry-requests.ts';
import { checkUnreferenced, RegistrySettings, subjectSettingTombstones } from './registry-settings.ts';
import { importsOf, referencedOf } from './schema-references.ts';
import {
  contentKey,
  type DeletedFilter,
  entryKey,
  type IdEntry,
  page,
  type RegistryState,
  referencedBy,
  subjectNames,
  usersOf,
  type VersionEntry,
  versionsOf,
} from './state.ts';
import type { StoreAccess } from './store-access.ts';
import { encodeKey, encodeSchemaValue, encodeValue, type SchemaReference, type SchemaType } from './store-records.ts';
import { avroStoredForm, storedForm } from './stored-form.ts';

export { defaultCompatibility } from './registry-config.ts';
export { parseSchemaRequest, parseVersion, type SchemaRequest, type VersionSpec } from './registry-requests.ts';
export type { StoreAccess } from './store-access.ts';

const noPaging: Paging = { offset: 0, limit: -1 };

function filterOf(deleted: boolean, deletedOnly: boolean): DeletedFilter {
  return deletedOnly ? 'deletedOnly' : deleted ? 'all' : 'live';
}

export class RegistryService {
  readonly #store: StoreAccess;
  /** Configs and modes, global and per subject (registry-settings.ts). */
  readonly settings: RegistrySettings;

  constructor(store: StoreAccess) {
    this.#store = store;
    this.settings = new RegistrySettings(store);
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
    const { keyWith } = this.#identify(request, normalize || this.#normalizes(subject));
    const find = (contract: Contract): VersionEntry | undefined =>
      versions.find((v) => entryKey(v) === keyWith(contract));
    // As Confluent does: the contract as sent, then the one a registration would give it (inherited, merged).
    const latest = versionsOf(this.#state, subject, false).at(-1);
    const found =
      find(request) ??
      (latest === undefined ? undefined : find(contractFor(request, latest, configInScope(this.#state, subject))));
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
      const { keyWith, schema, references } = this.#identify(
        request,
        options.normalize === true || this.#normalizes(subject),
      );
      const all = versionsOf(state, subject, true);
      const live = all.filter((v) => !v.deleted);
      const config = configInScope(state, subject);
      const liveWith = (key: string): VersionEntry | undefined => live.find((v) => entryKey(v) === key);
      // As Confluent: the schema as sent first (unless the config adds to every contract), then as a registration
      // stores it: outside IMPORT inheriting the latest live version's contract, merged with the config's.
      const asSent = hasDefaultsOrOverrides(config) ? undefined : liveWith(keyWith(request));
      const contract = modeInScope(state, subject) === 'IMPORT' ? request : contractFor(request, live.at(-1), config);
      const key = keyWith(contract);
      const existing = asSent ?? liveWith(key);
      // Confluent answers an already registered schema before looking at the mode, so this works read-only too.
      if (existing !== undefined && request.version === undefined && (request.id ?? existing.id) === existing.id) {
        return existing.id;
      }
      // IMPORT with an id of its own for a schema the subject already holds under another one.
      if (existing !== undefined && request.id !== undefined && request.id !== existing.id) {
        throw registryErrors.idDoesNotMatch(existing.id, request.id);
      }
      const mode = checkRegisterMode(state, subject, request.id !== undefined);
      const next = (all.at(-1)?.version ?? 0) + 1;
      if (mode !== 'IMPORT') {
        const level = config.compatibilityLevel as CompatibilityLevel;
        const verdict = this.#check(level, request, live, options.normalize === true, schema);
        if (!verdict.is_compatible) throw registryErrors.incompatibleSchema(subject, verdict.messages);
        if (request.version !== undefined && request.version !== next) {
          throw registryErrors.invalidSchema('Version is not one more than previous version');
        }
      }
      const version = request.version ?? next;
      const id = request.id ?? state.idByContent.get(key) ?? state.maxId + 1;
      const taken = state.ids.get(id);
      if (taken !== undefined && entryKey(taken) !== key) {
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
        metadata: contract.metadata,
        ruleSet: contract.ruleSet,
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
      for (const v of targets) checkUnreferenced(this.#state, subject, v.version);
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
        ...subjectSettingTombstones(this.#state, subject),
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
      checkUnreferenced(this.#state, subject, entry.version);
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
      await this.#store.write([{ key, value }, ...(lastLive ? subjectSettingTombstones(this.#state, subject) : [])]);
      return entry.version;
    });
  }

  /** The global level (subject null), or the subject's (falling back to the global one when asked). */
  compatibility(subject: string | null, defaultToGlobal: boolean): string {
    return String(this.settings.config(subject, defaultToGlobal).compatibilityLevel);
  }

  /** Sets only the level (the config resource takes more: `settings.setConfig`). */
  async setCompatibility(subject: string | null, level: unknown): Promise<string> {
    return String((await this.settings.setConfig(subject, { compatibility: level })).compatibility);
  }

  async deleteCompatibility(subject: string): Promise<string> {
    return String((await this.settings.deleteConfig(subject)).compatibilityLevel);
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
    /** The candidate's stored text when the caller has it already (a registration). */
    stored?: string,
  ): CompatibilityResult {
    const schema = stored ?? this.#identify(request, normalize).schema;
    // avsc reads only lower-case sort orders; Confluent's normalized Avro prints them upper-case.
    const avsc = (type: string, text: string): string => (type === 'AVRO' ? avscOrderSpelling(text) : text);
    const candidate = {
      schemaType: request.schemaType,
      schema: avsc(request.schemaType, schema),
      referenced: referencedOf(this.#state, request.references).map((r) => ({
        ...r,
        schema: avsc(request.schemaType, r.schema),
      })),
      imports: importsOf(this.#state, request.references),
    };
    const versions: EarlierVersion[] = earlier.map((v) => ({
      version: v.version,
      schemaType: v.schemaType,
      schema: avsc(v.schemaType, v.schema),
      referenced: referencedOf(this.#state, v.references).map((r) => ({ ...r, schema: avsc(v.schemaType, r.schema) })),
      imports: importsOf(this.#state, v.references),
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
  ): { keyWith: (contract: Contract) => string; schema: string; references: SchemaReference[] } {
    const referenced = referencedOf(this.#state, request.references);
    const imports = importsOf(this.#state, request.references);
    const schema =
      request.schemaType === 'AVRO'
        ? avroStoredForm(request.schema, referenced, normalize)
        : storedForm(request, referenced, imports, normalize);
    const references = normalize ? sortedReferences(request.references) : request.references;
    const keyWith = (contract: Contract): string =>
      contentKey(request.schemaType, schema, references, contract.metadata, contract.ruleSet);
    return { keyWith, schema, references };
  }

  /**
   * A stored schema's text in the `format` a GET asks for: Protobuf's
   * `serialized` is the base64 FileDescriptorProto Confluent's serializers
   * read; any other format (or none) is the stored text, as Confluent
   * answers formats it does not know.
   */
  formatted(
    entry: { schemaType: SchemaType; schema: string; references: readonly SchemaReference[] },
    format: unknown,
  ): string {
    if (entry.schemaType === 'PROTOBUF' && format === 'serialized') {
      return serializeProtobuf(entry.schema, importsOf(this.#state, entry.references));
    }
    return entry.schema;
  }
}
