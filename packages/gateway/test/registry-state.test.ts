/**
 * The `_schemas` reducer without a cluster: records as Confluent's registry
 * writes them (written here by hand from the documented format), applied in
 * order, and the state they leave.
 */
import { describe, expect, it } from 'vitest';
import {
  applyRecord,
  emptyState,
  nextVersion,
  type RegistryState,
  subjectNames,
  usersOf,
  type VersionEntry,
  versionsOf,
} from '../src/registry/state.ts';
import { encodeKey, encodeSchemaValue } from '../src/registry/store-records.ts';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const intSchema = '"int"';
const recordSchema = '{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}';

function schemaKey(subject: string, version: number): Buffer {
  return text(`{"keytype":"SCHEMA","subject":"${subject}","version":${version},"magic":1}`);
}

function schemaValue(subject: string, version: number, id: number, schema: string, extra = ''): Buffer {
  return text(
    `{"subject":"${subject}","version":${version},"id":${id}${extra},"schema":${JSON.stringify(schema)},"deleted":false}`,
  );
}

function apply(state: RegistryState, key: Buffer | null, value: Buffer | null): void {
  expect(applyRecord(state, key, value)).toBeNull();
}

function withTwoSubjects(): RegistryState {
  const state = emptyState();
  apply(state, schemaKey('a', 1), schemaValue('a', 1, 1, intSchema));
  apply(state, schemaKey('a', 2), schemaValue('a', 2, 2, recordSchema));
  apply(state, schemaKey('b', 1), schemaValue('b', 1, 1, intSchema));
  return state;
}

describe('SCHEMA records', () => {
  it('a SCHEMA record adds a version; absent schemaType means AVRO; ids and subjects index it', () => {
    const state = withTwoSubjects();
    expect(versionsOf(state, 'a', false).map((v) => [v.version, v.id, v.schemaType])).toEqual([
      [1, 1, 'AVRO'],
      [2, 2, 'AVRO'],
    ]);
    expect(subjectNames(state, { filter: 'live' })).toEqual(['a', 'b']);
    expect(state.maxId).toBe(2);
    // The same content under another subject shares the id.
    expect(usersOf(state, 1, false).map((v) => `${v.subject}/${v.version}`)).toEqual(['a/1', 'b/1']);
  });

  it('schemaType, references, metadata and ruleSet are read from the value', () => {
    const state = emptyState();
    const extra =
      ',"schemaType":"PROTOBUF","references":[{"name":"x.proto","subject":"x","version":1}],"metadata":{"properties":{"o":"1"}}';
    apply(state, schemaKey('p', 1), schemaValue('p', 1, 7, 'syntax = "proto3";', extra));
    const [entry] = versionsOf(state, 'p', false);
    expect(entry?.schemaType).toBe('PROTOBUF');
    expect(entry?.references).toEqual([{ name: 'x.proto', subject: 'x', version: 1 }]);
    expect(entry?.metadata).toEqual({ properties: { o: '1' } });
  });

  it('a SCHEMA value with deleted:true soft-deletes that version only', () => {
    const state = withTwoSubjects();
    apply(
      state,
      schemaKey('a', 2),
      encodeSchemaValue({ ...(versionsOf(state, 'a', false)[1] as VersionEntry), deleted: true }),
    );
    expect(versionsOf(state, 'a', false).map((v) => v.version)).toEqual([1]);
    expect(versionsOf(state, 'a', true).map((v) => v.version)).toEqual([1, 2]);
    // A soft-deleted version keeps its id readable.
    expect(state.ids.has(2)).toBe(true);
  });

  it('a tombstone on a SCHEMA key removes the version; an id no version uses is gone but never reissued', () => {
    const state = withTwoSubjects();
    apply(state, schemaKey('a', 2), null);
    expect(versionsOf(state, 'a', true).map((v) => v.version)).toEqual([1]);
    expect(state.ids.has(2)).toBe(false);
    expect(state.maxId).toBe(2);
    // The id still used by another subject stays.
    apply(state, schemaKey('a', 1), null);
    expect(state.ids.has(1)).toBe(true);
    expect(usersOf(state, 1, true).map((v) => v.subject)).toEqual(['b']);
    expect(subjectNames(state, { filter: 'all' })).toEqual(['b']);
  });

  it('the next version follows every version in the topic, soft-deleted ones included', () => {
    const state = withTwoSubjects();
    apply(state, encodeKey({ keytype: 'DELETE_SUBJECT', subject: 'a' }), text('{"subject":"a","version":2}'));
    expect(nextVersion(state, 'a')).toBe(3);
    expect(nextVersion(state, 'new')).toBe(1);
  });

  it('the content index maps (type, schema, references) to the first id that had it', () => {
    const state = withTwoSubjects();
    expect([...state.idByContent.values()].sort()).toEqual([1, 2]);
  });
});

describe('DELETE_SUBJECT and CLEAR_SUBJECT', () => {
  it('DELETE_SUBJECT soft-deletes every version up to its version, not later ones', () => {
    const state = withTwoSubjects();
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}'), text('{"subject":"a","version":1}'));
    expect(versionsOf(state, 'a', false).map((v) => v.version)).toEqual([2]);
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}'), text('{"subject":"a","version":2}'));
    expect(subjectNames(state, { filter: 'live' })).toEqual(['b']);
    expect(subjectNames(state, { filter: 'all' })).toEqual(['a', 'b']);
  });

  it('a tombstone on DELETE_SUBJECT changes nothing (compaction cleanup)', () => {
    const state = withTwoSubjects();
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}'), null);
    expect(versionsOf(state, 'a', false)).toHaveLength(2);
  });

  it('CLEAR_SUBJECT drops the subject`s soft-deleted versions and keeps live ones', () => {
    const state = withTwoSubjects();
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}'), text('{"subject":"a","version":1}'));
    apply(state, text('{"keytype":"CLEAR_SUBJECT","subject":"a","magic":0}'), text('{"subject":"a"}'));
    expect(versionsOf(state, 'a', true).map((v) => v.version)).toEqual([2]);
    // Id 1 is still used by b.
    expect(state.ids.has(1)).toBe(true);
  });

  it('CLEAR_SUBJECT without a subject (IMPORT on the whole registry) applies to every subject', () => {
    const state = withTwoSubjects();
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}'), text('{"subject":"a","version":2}'));
    apply(state, text('{"keytype":"DELETE_SUBJECT","subject":"b","magic":0}'), text('{"subject":"b","version":1}'));
    apply(state, text('{"keytype":"CLEAR_SUBJECT","magic":0}'), text('{}'));
    expect(subjectNames(state, { filter: 'all' })).toEqual([]);
    expect(state.ids.size).toBe(0);
    expect(state.maxId).toBe(2);
  });
});

describe('CONFIG, MODE and NOOP', () => {
  it('a subject CONFIG value`s own subject field (as Confluent writes it) is not kept as a setting', () => {
    const state = emptyState();
    apply(
      state,
      text('{"keytype":"CONFIG","subject":"a","magic":0}'),
      text('{"subject":"a","compatibilityLevel":"NONE"}'),
    );
    expect(state.configs.get('a')).toEqual({ compatibilityLevel: 'NONE' });
    apply(state, text('{"keytype":"MODE","subject":"a","magic":0}'), text('{"subject":"a","mode":"READONLY"}'));
    expect(state.modes.get('a')).toEqual({ mode: 'READONLY' });
  });

  it('CONFIG sets the global (subject null) and subject levels; a tombstone clears one', () => {
    const state = emptyState();
    apply(state, text('{"keytype":"CONFIG","subject":null,"magic":0}'), text('{"compatibilityLevel":"FULL"}'));
    apply(state, text('{"keytype":"CONFIG","subject":"a","magic":0}'), text('{"compatibilityLevel":"NONE"}'));
    expect(state.configs.get(null)?.compatibilityLevel).toBe('FULL');
    expect(state.configs.get('a')?.compatibilityLevel).toBe('NONE');
    apply(state, text('{"keytype":"CONFIG","subject":"a","magic":0}'), null);
    expect(state.configs.has('a')).toBe(false);
    // A key without a subject field is the global one too.
    apply(state, text('{"keytype":"CONFIG","magic":0}'), text('{"compatibilityLevel":"BACKWARD"}'));
    expect(state.configs.get(null)?.compatibilityLevel).toBe('BACKWARD');
  });

  it('MODE sets and clears a mode', () => {
    const state = emptyState();
    apply(state, text('{"keytype":"MODE","subject":null,"magic":0}'), text('{"mode":"READONLY"}'));
    expect(state.modes.get(null)).toEqual({ mode: 'READONLY' });
    apply(state, text('{"keytype":"MODE","subject":null,"magic":0}'), null);
    expect(state.modes.size).toBe(0);
  });

  it('NOOP changes nothing', () => {
    const state = withTwoSubjects();
    apply(state, text('{"keytype":"NOOP","magic":0}'), null);
    expect(subjectNames(state, { filter: 'all' })).toEqual(['a', 'b']);
  });
});

describe('records this registry does not understand', () => {
  it.each([
    ['no key', null, '{}'],
    ['a key that is not JSON', 'nope', '{}'],
    ['an unknown keytype', '{"keytype":"CONTEXT","magic":0}', '{}'],
    ['a value that is not JSON', '{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}', 'nope'],
    ['a SCHEMA value without id', '{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}', '{"schema":"\\"int\\""}'],
    [
      'an unknown schemaType',
      '{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}',
      '{"id":1,"schemaType":"XML","schema":"x"}',
    ],
  ])('%s is skipped with a reason and leaves the state alone', (_name, key, value) => {
    const state = emptyState();
    const reason = applyRecord(state, key === null ? null : text(key), text(value));
    expect(reason).toEqual(expect.any(String));
    expect(state.subjects.size).toBe(0);
  });
});

describe('encodeKey', () => {
  it('writes keys in Confluent`s field order, magic 1 for SCHEMA and 0 otherwise, leaving a null subject out', () => {
    expect(encodeKey({ keytype: 'SCHEMA', subject: 's', version: 3 }).toString()).toBe(
      '{"keytype":"SCHEMA","subject":"s","version":3,"magic":1}',
    );
    // Confluent's keys are serialized with Jackson's NON_EMPTY: the global config's key has no subject at all.
    expect(encodeKey({ keytype: 'CONFIG', subject: null }).toString()).toBe('{"keytype":"CONFIG","magic":0}');
    expect(encodeKey({ keytype: 'MODE', subject: 'a' }).toString()).toBe('{"keytype":"MODE","subject":"a","magic":0}');
    expect(encodeKey({ keytype: 'CLEAR_SUBJECT', subject: null }).toString()).toBe(
      '{"keytype":"CLEAR_SUBJECT","magic":0}',
    );
    expect(encodeKey({ keytype: 'NOOP' }).toString()).toBe('{"keytype":"NOOP","magic":0}');
  });

  it('omits schemaType for AVRO and empty references in a SCHEMA value', () => {
    const value = encodeSchemaValue({
      subject: 's',
      version: 1,
      id: 1,
      schemaType: 'AVRO',
      references: [],
      schema: '"int"',
      deleted: false,
    });
    expect(value.toString()).toBe('{"subject":"s","version":1,"id":1,"schema":"\\"int\\"","deleted":false}');
  });
});
