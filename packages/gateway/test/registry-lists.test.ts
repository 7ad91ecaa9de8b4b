/**
 * The list endpoints, references, config fields and normalize over the
 * in-memory store: GET /schemas (prefix, deleted, latestOnly, paging),
 * deletedOnly and paging on subjects and versions, referencedby and 42206,
 * the records a soft delete writes for a subject's own settings, config
 * fields beyond the level, and `normalize` (query or config) storing and
 * comparing Confluent's normalized Avro text.
 */
import { describe, expect, it } from 'vitest';
import { parseSchemaRequest } from '../src/registry/registry-service.ts';
import { codeOf, errorOf, setup } from './memory-store.ts';

const record = (name: string, fields: unknown[] = []): string => JSON.stringify({ type: 'record', name, fields });

describe('lists', () => {
  it('GET /schemas lists versions by subject then version; latestOnly keeps each subject`s latest; paging', async () => {
    const { service } = setup();
    await service.setCompatibility(null, 'NONE');
    await service.register('a', parseSchemaRequest({ schema: '"int"' }));
    await service.register('a', parseSchemaRequest({ schema: '"long"' }));
    await service.register('b', parseSchemaRequest({ schema: '"string"' }));
    await service.deleteVersion('a', 2, false);
    const all = { includeDeleted: false, latestOnly: false, paging: { offset: 0, limit: -1 } };
    const pairs = (list: { subject: string; version: number }[]) => list.map((v) => `${v.subject}/${v.version}`);
    expect(pairs(service.schemas(all))).toEqual(['a/1', 'b/1']);
    expect(pairs(service.schemas({ ...all, includeDeleted: true }))).toEqual(['a/1', 'a/2', 'b/1']);
    expect(pairs(service.schemas({ ...all, includeDeleted: true, latestOnly: true }))).toEqual(['a/2', 'b/1']);
    expect(pairs(service.schemas({ ...all, prefix: 'b' }))).toEqual(['b/1']);
    expect(pairs(service.schemas({ ...all, includeDeleted: true, paging: { offset: 1, limit: 1 } }))).toEqual(['a/2']);
  });

  it('subjects and versions take deletedOnly and paging', async () => {
    const { service } = setup();
    await service.setCompatibility(null, 'NONE');
    for (const s of ['x', 'y', 'z']) await service.register(s, parseSchemaRequest({ schema: '"int"' }));
    await service.register('x', parseSchemaRequest({ schema: '"long"' }));
    await service.deleteSubject('y', false);
    await service.deleteVersion('x', 1, false);
    expect(service.subjects({ includeDeleted: false })).toEqual(['x', 'z']);
    expect(service.subjects({ includeDeleted: false, deletedOnly: true })).toEqual(['y']);
    expect(service.subjects({ includeDeleted: true, paging: { offset: 1, limit: 5 } })).toEqual(['y', 'z']);
    expect(service.versions('x', false)).toEqual([2]);
    expect(service.versions('x', false, true)).toEqual([1]);
    expect(service.versions('x', true, false, { offset: 0, limit: 1 })).toEqual([1]);
    // A subject whose versions are all soft-deleted is unknown unless deleted ones are asked for.
    expect(await codeOf(() => service.versions('y', false))).toBe(40401);
    expect(service.versions('y', false, true)).toEqual([1]);
  });
});

describe('references', () => {
  it('referencedby lists the ids of live referrers; deleting a referenced version is 42206 until they go', async () => {
    const { service } = setup();
    await service.register('address', parseSchemaRequest({ schema: record('lab.Address') }));
    const references = [{ name: 'lab.Address', subject: 'address', version: 1 }];
    const customer = record('lab.Customer', [{ name: 'home', type: 'lab.Address' }]);
    expect(await service.register('customer', parseSchemaRequest({ schema: customer, references }))).toBe(2);
    expect(service.referencedBy('address', 1)).toEqual([2]);
    expect(service.referencedBy('address', 'latest')).toEqual([2]);
    const refused = await errorOf(() => service.deleteVersion('address', 1, false));
    expect([refused.errorCode, refused.message]).toEqual([
      42206,
      'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    ]);
    expect(await codeOf(() => service.deleteSubject('address', false))).toBe(42206);
    await service.deleteSubject('customer', false);
    expect(service.referencedBy('address', 1)).toEqual([]);
    expect(await service.deleteSubject('address', false)).toEqual([1]);
  });
});

describe('soft deletes and the subject`s own settings', () => {
  it('soft-deleting a subject (or its last live version) tombstones its own MODE and CONFIG', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: '"int"' }));
    await service.setCompatibility('s', 'NONE');
    await service.settings.setMode('s', 'READWRITE', false);
    const before = store.written.length;
    await service.deleteVersion('s', 1, false);
    expect(store.written.slice(before).map((r) => [r.key, r.value === null ? null : 'value'])).toEqual([
      ['{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', 'value'],
      ['{"keytype":"MODE","subject":"s","magic":0}', null],
      ['{"keytype":"CONFIG","subject":"s","magic":0}', null],
    ]);
  });

  it('re-registering a soft-deleted schema tombstones the deleted version and reuses its id', async () => {
    const { store, service } = setup();
    await service.register('s', parseSchemaRequest({ schema: '"int"' }));
    await service.deleteVersion('s', 1, false);
    const before = store.written.length;
    expect(await service.register('s', parseSchemaRequest({ schema: '"int"' }))).toBe(1);
    expect(store.written.slice(before).map((r) => [r.key, r.value === null])).toEqual([
      ['{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', true],
      ['{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}', false],
    ]);
  });
});

describe('config fields', () => {
  it('stores, merges and answers fields beyond the level; the PUT answer echoes the request', async () => {
    const { store, service } = setup();
    const metadata = { properties: { owner: 'team-a' } };
    expect(await service.settings.setConfig('s', { compatibility: 'full', normalize: true, alias: 'other' })).toEqual({
      compatibility: 'FULL',
      alias: 'other',
      normalize: true,
    });
    expect(
      await service.settings.setConfig('s', { defaultMetadata: metadata, compatibilityGroup: 'app.major' }),
    ).toEqual({
      compatibilityGroup: 'app.major',
      defaultMetadata: metadata,
    });
    expect(store.written.at(-1)?.value).toBe(
      '{"subject":"s","alias":"other","normalize":true,"compatibilityLevel":"FULL","compatibilityGroup":"app.major",' +
        '"defaultMetadata":{"properties":{"owner":"team-a"}}}',
    );
    expect(service.settings.config('s', false)).toMatchObject({
      compatibilityLevel: 'FULL',
      normalize: true,
      alias: 'other',
    });
    expect(service.settings.config(null, true)).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await codeOf(() => service.settings.setConfig(null, {}))).toBe(42203);
    expect(await service.settings.deleteConfig('s')).toMatchObject({ compatibilityLevel: 'FULL' });
    expect(await codeOf(() => service.settings.config('s', false))).toBe(40408);
  });
});

describe('normalize', () => {
  const spaced = JSON.stringify({ namespace: 'lab', type: 'record', name: 'U', fields: [{ name: 'a', type: 'int' }] });

  it('stores Java`s canonical text by default and Confluent`s normalized text with normalize=true', async () => {
    const { service } = setup();
    await service.setCompatibility(null, 'NONE');
    await service.register('plain', parseSchemaRequest({ schema: spaced }));
    expect(service.version('plain', 1, false).schema).toBe(
      '{"type":"record","name":"U","namespace":"lab","fields":[{"name":"a","type":"int"}]}',
    );
    await service.register('normal', parseSchemaRequest({ schema: spaced }), { normalize: true });
    expect(service.version('normal', 1, false).schema).toBe(
      '{"name":"lab.U","type":"record","fields":[{"name":"a","type":"int","order":"ASCENDING"}]}',
    );
    // The two texts are different schemas to the registry, as to Confluent's.
    expect(service.version('normal', 1, false).id).toBe(2);
    expect(service.lookup('normal', parseSchemaRequest({ schema: spaced }), false, true).version).toBe(1);
    expect(await codeOf(() => service.lookup('normal', parseSchemaRequest({ schema: spaced }), false))).toBe(40403);
  });

  it('a subject whose config says normalize normalizes without the query parameter', async () => {
    const { service } = setup();
    await service.settings.setConfig('n', { normalize: true });
    await service.register('n', parseSchemaRequest({ schema: spaced }));
    expect(service.version('n', 1, false).schema.startsWith('{"name":"lab.U"')).toBe(true);
    expect(service.lookup('n', parseSchemaRequest({ schema: spaced }), false).version).toBe(1);
  });
});
