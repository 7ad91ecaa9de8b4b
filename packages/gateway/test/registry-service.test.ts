/**
 * The registry's operations over an in-memory store that applies each
 * written record with the same reducer the real store uses: which records
 * each operation writes (in Confluent's format) and the rules it enforces,
 * without a cluster. The same flows run against a real broker in
 * test/e2e/schema-registry.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/registry/registry-error.ts';
import { parseSchemaRequest, parseVersion } from '../src/registry/registry-service.ts';
import { codeOf, setup } from './memory-store.ts';

const avro = (name: string): string => JSON.stringify({ type: 'record', name, fields: [] });
/** A compatible (BACKWARD and FORWARD) next version of avro(name): one more field, with a default. */
const withField = (name: string): string =>
  JSON.stringify({ type: 'record', name, fields: [{ name: 'x', type: 'int', default: 0 }] });

describe('register', () => {
  it('writes one SCHEMA record in Confluent`s format; the same schema again writes nothing', async () => {
    const { store, service } = setup();
    expect(await service.register('s', parseSchemaRequest({ schema: avro('A') }))).toBe(1);
    expect(store.written).toEqual([
      {
        key: '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
        value: `{"subject":"s","version":1,"id":1,"schema":${JSON.stringify(avro('A'))},"deleted":false}`,
      },
    ]);
    expect(await service.register('s', parseSchemaRequest({ schema: ` ${avro('A')} ` }))).toBe(1);
    expect(store.written).toHaveLength(1);
  });

  it('reuses the id of the same content under another subject; another type with the same text is another id', async () => {
    const { service } = setup();
    expect(await service.register('a', parseSchemaRequest({ schema: '{"type":"string"}' }))).toBe(1);
    expect(await service.register('b', parseSchemaRequest({ schema: '{"type":"string"}' }))).toBe(1);
    expect(await service.register('c', parseSchemaRequest({ schema: '{"type":"string"}', schemaType: 'JSON' }))).toBe(
      2,
    );
  });

  it('refuses an invalid Avro schema, an unknown type and an empty schema with 42201', async () => {
    const { service } = setup();
    expect(await codeOf(() => service.register('s', parseSchemaRequest({ schema: '{"type":"nope"}' })))).toBe(42201);
    expect(await codeOf(() => parseSchemaRequest({ schema: '"int"', schemaType: 'XML' }))).toBe(42201);
    expect(await codeOf(() => parseSchemaRequest({ schema: '' }))).toBe(42201);
  });

  it('keeps metadata and ruleSet in the record and the answer', async () => {
    const { store, service } = setup();
    const metadata = { properties: { owner: 'team-a' } };
    await service.register('s', parseSchemaRequest({ schema: '"int"', metadata }));
    expect(JSON.parse(store.written[0]?.value ?? '{}').metadata).toEqual(metadata);
    expect(service.version('s', 'latest', false).metadata).toEqual(metadata);
  });
});

describe('versions', () => {
  it('parses latest, -1 and numbers; anything else is 42202', async () => {
    expect(parseVersion('latest')).toBe('latest');
    expect(parseVersion('-1')).toBe('latest');
    expect(parseVersion('12')).toBe(12);
    for (const bad of ['0', '-2', 'x', '2147483648', '1.5']) expect(await codeOf(() => parseVersion(bad))).toBe(42202);
  });

  it('40401 for an unknown subject, 40402 for an unknown version', async () => {
    const { service } = setup();
    await service.register('s', parseSchemaRequest({ schema: avro('A') }));
    expect(await codeOf(() => service.version('t', 1, false))).toBe(40401);
    expect(await codeOf(() => service.version('s', 2, false))).toBe(40402);
  });
});

describe('deletes', () => {
  it('a subject soft delete writes DELETE_SUBJECT up to its last version; permanent writes only SCHEMA tombstones', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: avro('A') }));
    await service.register('s', parseSchemaRequest({ schema: withField('A') }));
    expect(await codeOf(() => service.deleteSubject('s', true))).toBe(40405);
    expect(await service.deleteSubject('s', false)).toEqual([1, 2]);
    expect(store.written.at(-1)).toEqual({
      key: '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
      value: '{"subject":"s","version":2}',
    });
    expect(await codeOf(() => service.deleteSubject('s', false))).toBe(40404);
    const before = store.written.length;
    expect(await service.deleteSubject('s', true)).toEqual([1, 2]);
    expect(store.written.slice(before)).toEqual([
      { key: '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', value: null },
      { key: '{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}', value: null },
    ]);
    expect(await codeOf(() => service.deleteSubject('s', false))).toBe(40401);
    // Ids are not handed out again after a permanent delete.
    expect(await service.register('s', parseSchemaRequest({ schema: avro('C') }))).toBe(3);
  });

  it('a version soft delete rewrites it with deleted:true; permanent needs it soft-deleted first', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: avro('A') }));
    expect(await codeOf(() => service.deleteVersion('s', 1, true))).toBe(40407);
    expect(await service.deleteVersion('s', 'latest', false)).toBe(1);
    expect(JSON.parse(store.written.at(-1)?.value ?? '{}').deleted).toBe(true);
    expect(await codeOf(() => service.deleteVersion('s', 1, false))).toBe(40406);
    expect(service.version('s', 1, true).deleted).toBe(true);
    expect(await service.deleteVersion('s', 1, true)).toBe(1);
    expect(await codeOf(() => service.schemaById(1))).toBe(40403);
  });
});

describe('compatibility config', () => {
  it('defaults to BACKWARD; a subject without its own is 40408 unless it falls back; levels are case-insensitive', async () => {
    const { store, service } = setup();
    expect(service.compatibility(null, true)).toBe('BACKWARD');
    expect(await codeOf(() => service.compatibility('s', false))).toBe(40408);
    expect(await service.setCompatibility('s', 'forward_transitive')).toBe('FORWARD_TRANSITIVE');
    expect(store.written.at(-1)).toEqual({
      key: '{"keytype":"CONFIG","subject":"s","magic":0}',
      value: '{"subject":"s","compatibilityLevel":"FORWARD_TRANSITIVE"}',
    });
    expect(await codeOf(() => service.setCompatibility(null, 'SIDEWAYS'))).toBe(42203);
    expect(await service.deleteCompatibility('s')).toBe('FORWARD_TRANSITIVE');
    expect(store.written.at(-1)?.value).toBeNull();
    expect(service.compatibility('s', true)).toBe('BACKWARD');
  });
});

describe('compatibility checks', () => {
  it('refuses an incompatible registration with 409 under the subject level, and accepts it under NONE', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: withField('A') }));
    const written = store.written.length;
    // A renamed record cannot read the old data (BACKWARD, the default).
    const error = await service.register('s', parseSchemaRequest({ schema: avro('B') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).errorCode).toBe(409);
    expect((error as RegistryError).message).toMatch(
      /^Schema being registered is incompatible with an earlier schema for subject "s", details: \[\{errorType:'NAME_MISMATCH'/,
    );
    expect(store.written).toHaveLength(written);
    await service.setCompatibility('s', 'NONE');
    expect(await service.register('s', parseSchemaRequest({ schema: avro('B') }))).toBe(2);
  });

  it('tests a schema against one version or all, verbose messages naming the failing version', async () => {
    const { service } = setup();
    await service.register('s', parseSchemaRequest({ schema: avro('A') }));
    await service.register('s', parseSchemaRequest({ schema: withField('A') }));
    await service.setCompatibility('s', 'FORWARD_TRANSITIVE');
    // Dropping the default: version 2 can still read it (it has `x`), version 1 too (it ignores `x`).
    const required = JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] });
    expect(service.testCompatibility('s', parseSchemaRequest({ schema: required }), 'all').is_compatible).toBe(true);
    // A string `x`: version 2 cannot read it; version 1 ignores the field.
    const text = JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'string' }] });
    const all = service.testCompatibility('s', parseSchemaRequest({ schema: text }), 'all');
    expect(all.is_compatible).toBe(false);
    expect(all.messages.filter((m) => m.startsWith('{oldSchemaVersion'))).toEqual(['{oldSchemaVersion: 2}']);
    expect(service.testCompatibility('s', parseSchemaRequest({ schema: text }), 1).is_compatible).toBe(true);
    expect(await codeOf(() => service.testCompatibility('s', parseSchemaRequest({ schema: text }), 3))).toBe(40402);
  });
});
