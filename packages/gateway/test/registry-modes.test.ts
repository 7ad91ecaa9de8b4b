/**
 * Modes over the in-memory store: which records setting a mode writes
 * (MODE, and for IMPORT on an empty subject the tombstones and
 * CLEAR_SUBJECT), which writes each mode refuses with 42205 and Confluent's
 * message, IMPORT registrations with caller-chosen ids and versions, and
 * 40409 / 40401 for a subject with no mode of its own.
 */
import { describe, expect, it } from 'vitest';
import { parseSchemaRequest } from '../src/registry/registry-service.ts';
import { codeOf, errorOf, setup } from './memory-store.ts';

const enumOf = (name: string): string => JSON.stringify({ type: 'enum', name, symbols: ['A'] });

describe('mode resource', () => {
  it('the global mode is READWRITE until set; a subject without its own is 40409 unless it falls back', async () => {
    const { store, service } = setup();
    expect(service.settings.mode(null, false)).toBe('READWRITE');
    expect(await codeOf(() => service.settings.mode('s', false))).toBe(40409);
    expect((await errorOf(() => service.settings.mode('s', false))).message).toBe(
      "Subject 's' does not have subject-level mode configured",
    );
    expect(service.settings.mode('s', true)).toBe('READWRITE');
    expect(await service.settings.setMode('s', 'readonly', false)).toBe('READONLY');
    expect(store.written.at(-1)).toEqual({
      key: '{"keytype":"MODE","subject":"s","magic":0}',
      value: '{"subject":"s","mode":"READONLY"}',
    });
    expect(service.settings.mode('s', false)).toBe('READONLY');
    expect(await codeOf(() => service.settings.setMode(null, 'SIDEWAYS', false))).toBe(42204);
  });

  it('DELETE /mode/{subject} tombstones the subject`s mode and answers it; a subject without one is 40401', async () => {
    const { store, service } = setup();
    expect(await codeOf(() => service.settings.deleteMode('s'))).toBe(40401);
    await service.settings.setMode('s', 'READONLY', false);
    expect(await service.settings.deleteMode('s')).toBe('READONLY');
    expect(store.written.at(-1)).toEqual({ key: '{"keytype":"MODE","subject":"s","magic":0}', value: null });
    expect(await codeOf(() => service.settings.mode('s', false))).toBe(40409);
  });

  it('a global READONLY_OVERRIDE beats a subject`s own READWRITE', async () => {
    const { service } = setup();
    await service.settings.setMode('s', 'READWRITE', false);
    await service.settings.setMode(null, 'READONLY_OVERRIDE', false);
    expect(service.settings.mode('s', false)).toBe('READONLY_OVERRIDE');
    expect(await codeOf(() => service.register('s', parseSchemaRequest({ schema: '"int"' })))).toBe(42205);
  });
});

describe('READONLY', () => {
  it('refuses new registrations, deletes and config changes with 42205, but answers an existing schema`s id', async () => {
    const { service } = setup();
    expect(await service.register('s', parseSchemaRequest({ schema: '"int"' }))).toBe(1);
    await service.settings.setMode('s', 'READONLY', false);
    const refused = await errorOf(() => service.register('s', parseSchemaRequest({ schema: '"long"' })));
    expect([refused.errorCode, refused.message]).toEqual([42205, 'Subject s is in read-only mode']);
    expect(await service.register('s', parseSchemaRequest({ schema: '"int"' }))).toBe(1);
    expect(await codeOf(() => service.deleteVersion('s', 1, false))).toBe(42205);
    expect(await codeOf(() => service.deleteSubject('s', false))).toBe(42205);
    expect(await codeOf(() => service.settings.setConfig('s', { compatibility: 'NONE' }))).toBe(42205);
    // Another subject is not affected; leaving the mode is always allowed.
    expect(await service.register('t', parseSchemaRequest({ schema: '"long"' }))).toBe(2);
    await service.settings.setMode('s', 'READWRITE', false);
    expect(await service.register('s', parseSchemaRequest({ schema: '"long"', schemaType: 'AVRO' }))).toBe(2);
  });
});

describe('IMPORT', () => {
  it('is refused (42205) on a subject with live versions unless forced', async () => {
    const { service } = setup();
    await service.register('s', parseSchemaRequest({ schema: '"int"' }));
    const refused = await errorOf(() => service.settings.setMode('s', 'IMPORT', false));
    expect([refused.errorCode, refused.message]).toEqual([42205, 'Cannot import since found existing subjects']);
    expect(await service.settings.setMode('s', 'IMPORT', true)).toBe('IMPORT');
  });

  it('on a subject with only soft-deleted versions tombstones them, then writes CLEAR_SUBJECT and the MODE', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: '"int"' }));
    await service.deleteSubject('s', false);
    const before = store.written.length;
    await service.settings.setMode('s', 'IMPORT', false);
    expect(store.written.slice(before)).toEqual([
      { key: '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', value: null },
      { key: '{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}', value: '{"subject":"s"}' },
      { key: '{"keytype":"MODE","subject":"s","magic":0}', value: '{"subject":"s","mode":"IMPORT"}' },
    ]);
  });

  it('on the whole registry writes CLEAR_SUBJECT without a subject and a global MODE', async () => {
    const { store, service } = setup();
    await service.settings.setMode(null, 'IMPORT', false);
    expect(store.written).toEqual([
      { key: '{"keytype":"CLEAR_SUBJECT","magic":0}', value: '{}' },
      { key: '{"keytype":"MODE","magic":0}', value: '{"mode":"IMPORT"}' },
    ]);
  });

  it('registers with the caller`s id and version, skips compatibility, and needs an id', async () => {
    const { store, service } = setup();
    await service.settings.setMode(null, 'IMPORT', false);
    const imported = parseSchemaRequest({ schema: enumOf('A'), id: 100, version: 5 });
    expect(await service.register('s', imported)).toBe(100);
    expect(JSON.parse(store.written.at(-1)?.value ?? '{}')).toMatchObject({ subject: 's', version: 5, id: 100 });
    // An unrelated schema (incompatible under BACKWARD) is accepted: IMPORT does not check compatibility.
    expect(await service.register('s', parseSchemaRequest({ schema: enumOf('B'), id: 7, version: 6 }))).toBe(7);
    const withoutId = await errorOf(() => service.register('s', parseSchemaRequest({ schema: enumOf('C') })));
    expect([withoutId.errorCode, withoutId.message]).toEqual([42205, 'Subject s is not in read-write mode']);
    // Ids continue after the highest imported one once back in READWRITE.
    await service.settings.setMode(null, 'READWRITE', false);
    await service.setCompatibility('t', 'NONE');
    expect(await service.register('t', parseSchemaRequest({ schema: enumOf('C') }))).toBe(101);
  });

  it('refuses an id already used by a different schema (42205) and accepts it for the same schema', async () => {
    const { service } = setup();
    await service.settings.setMode(null, 'IMPORT', false);
    await service.register('s', parseSchemaRequest({ schema: enumOf('A'), id: 3 }));
    const clash = await errorOf(() => service.register('t', parseSchemaRequest({ schema: enumOf('B'), id: 3 })));
    expect([clash.errorCode, clash.message]).toEqual([42205, 'Overwrite new schema with id 3 is not permitted.']);
    expect(await service.register('t', parseSchemaRequest({ schema: enumOf('A'), id: 3 }))).toBe(3);
  });

  it('refuses a schema the subject already holds under another id (42207), as Confluent does', async () => {
    const { store, service } = setup();
    await service.settings.setMode(null, 'IMPORT', false);
    await service.register('s', parseSchemaRequest({ schema: enumOf('A'), id: 3 }));
    const written = store.written.length;
    const other = await errorOf(() => service.register('s', parseSchemaRequest({ schema: enumOf('A'), id: 4 })));
    expect([other.errorCode, other.message]).toEqual([
      42207,
      'Schema already registered with id 3 instead of input id 4',
    ]);
    expect(store.written).toHaveLength(written);
  });

  it('an id outside IMPORT is 42205; a version that is not the next one outside IMPORT is 42201', async () => {
    const { service } = setup();
    const withId = await errorOf(() => service.register('s', parseSchemaRequest({ schema: '"int"', id: 9 })));
    expect([withId.errorCode, withId.message]).toEqual([42205, 'Subject s is not in import mode']);
    const skipped = await errorOf(() => service.register('s', parseSchemaRequest({ schema: '"int"', version: 3 })));
    expect([skipped.errorCode, skipped.message]).toEqual([42201, 'Version is not one more than previous version']);
    expect(await service.register('s', parseSchemaRequest({ schema: '"int"', version: 1 }))).toBe(1);
  });
});
