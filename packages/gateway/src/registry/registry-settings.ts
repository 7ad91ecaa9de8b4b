/**
 * Configs and modes, global and per subject: reads from the state, writes
 * inside the store's `exclusive` section like every other write
 * (registry-service.ts), with the records Confluent writes for them. The
 * rules themselves are in registry-config.ts and registry-modes.ts.
 */
import type { KafkaRecord } from '@runnel/protocol';
import { configInScope, orderedConfig, parseConfigUpdate } from './registry-config.ts';
import { registryErrors } from './registry-error.ts';
import { checkWritable, type Mode, modeInScope, ownMode, parseMode } from './registry-modes.ts';
import { checkSubject } from './registry-requests.ts';
import { type RegistryState, referencedBy, versionsOf } from './state.ts';
import type { StoreAccess } from './store-access.ts';
import { type ConfigValue, encodeKey, encodeValue } from './store-records.ts';

export class RegistrySettings {
  readonly #store: StoreAccess;

  constructor(store: StoreAccess) {
    this.#store = store;
  }

  get #state(): RegistryState {
    return this.#store.state;
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
      // Confluent's subject-level values carry their subject first (Jackson leaves it out when null: the global one).
      const stored = subject === null ? value : { subject, ...value };
      await this.#store.write([{ key: encodeKey({ keytype: 'CONFIG', subject }), value: encodeValue(stored) }]);
      return update.echo;
    });
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
            checkUnreferenced(this.#state, s, v.version);
            records.push({ key: encodeKey({ keytype: 'SCHEMA', subject: s, version: v.version }), value: null });
          }
        }
        records.push({
          key: encodeKey({ keytype: 'CLEAR_SUBJECT', subject }),
          value: encodeValue(subject === null ? {} : { subject }),
        });
      }
      const value = subject === null ? { mode } : { subject, mode };
      records.push({ key: encodeKey({ keytype: 'MODE', subject }), value: encodeValue(value) });
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
}

/** 42206 when a live schema references this version. */
export function checkUnreferenced(state: RegistryState, subject: string, version: number): void {
  if (referencedBy(state, subject, version).length > 0) throw registryErrors.referenceExists(subject, version);
}

/** Tombstones for a subject's own mode and config, those it has: what soft-deleting the whole subject also writes. */
export function subjectSettingTombstones(state: RegistryState, subject: string): KafkaRecord[] {
  const out: KafkaRecord[] = [];
  if (state.modes.has(subject)) out.push({ key: encodeKey({ keytype: 'MODE', subject }), value: null });
  if (state.configs.has(subject)) out.push({ key: encodeKey({ keytype: 'CONFIG', subject }), value: null });
  return out;
}
