/**
 * Data contracts on registration over the in-memory store: a new version
 * inherits the latest version's metadata and rule set, the config's
 * defaults and overrides are merged in, and a schema's identity includes
 * its contract (see data-contracts.ts and the registry README).
 */
import { describe, expect, it } from 'vitest';
import { mergeMetadata, mergeRuleSets } from '../src/registry/data-contracts.ts';
import { parseSchemaRequest } from '../src/registry/registry-service.ts';
import { codeOf, setup } from './memory-store.ts';

const text = '"string"';
const rule = (name: string, expr: string): Record<string, unknown> => ({
  name,
  kind: 'CONDITION',
  mode: 'WRITE',
  type: 'CEL',
  expr,
});

describe('merging', () => {
  it('merges metadata by key (newer wins), sensitive as a sorted union, sorted maps', () => {
    expect(
      mergeMetadata(
        { properties: { b: '1', a: '1' }, tags: { f: ['PII'] }, sensitive: ['y'] },
        { properties: { b: '2' }, sensitive: ['x'] },
      ),
    ).toEqual({ tags: { f: ['PII'] }, properties: { a: '1', b: '2' }, sensitive: ['x', 'y'] });
    expect(mergeMetadata(undefined, { properties: { a: '1' } })).toEqual({ properties: { a: '1' } });
  });

  it('merges rule sets list by list, a newer rule replacing the older one of its name', () => {
    expect(
      mergeRuleSets(
        { domainRules: [rule('r1', 'old'), rule('r2', 'x')] },
        { domainRules: [rule('r1', 'new')], migrationRules: [rule('m', 'y')] },
      ),
    ).toEqual({ migrationRules: [rule('m', 'y')], domainRules: [rule('r2', 'x'), rule('r1', 'new')] });
  });
});

describe('registering with data contracts', () => {
  it('a new version without metadata or rules inherits the latest version`s', async () => {
    const { service, store } = setup();
    const metadata = { properties: { owner: 'team-a' } };
    const ruleSet = { domainRules: [rule('r', 'true')] };
    await service.register(
      's',
      parseSchemaRequest({ schema: '{"type":"record","name":"A","fields":[]}', metadata, ruleSet }),
    );
    await service.register(
      's',
      parseSchemaRequest({ schema: '{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":0}]}' }),
    );
    const second = JSON.parse(store.written[1]?.value ?? '{}');
    expect(second.metadata).toEqual(metadata);
    expect(second.ruleSet).toEqual(ruleSet);
  });

  it('merges the config`s defaults under and its overrides over the request`s', async () => {
    const { service } = setup();
    await service.settings.setConfig('s', {
      defaultMetadata: { properties: { owner: 'default', tier: 'gold' } },
      overrideMetadata: { properties: { region: 'eu' } },
      defaultRuleSet: { domainRules: [rule('d', 'default')] },
      overrideRuleSet: { domainRules: [rule('o', 'override')] },
    });
    await service.register('s', parseSchemaRequest({ schema: text, metadata: { properties: { owner: 'me' } } }));
    const v1 = service.version('s', 1, false);
    expect(v1.metadata).toEqual({ properties: { owner: 'me', region: 'eu', tier: 'gold' } });
    // The id carries its contract too: GET /schemas/ids/{id} answers it, as Confluent's SchemaString does.
    expect(service.schemaById(v1.id).metadata).toEqual(v1.metadata);
    expect(v1.ruleSet).toEqual({ domainRules: [rule('d', 'default'), rule('o', 'override')] });
  });

  it('the same text again with no contract is the same version; with other metadata it is a new version and id', async () => {
    const { service } = setup();
    const first = await service.register(
      's',
      parseSchemaRequest({ schema: text, metadata: { properties: { a: '1' } } }),
    );
    // Inherits the latest version's metadata, so it is that version again.
    expect(await service.register('s', parseSchemaRequest({ schema: text }))).toBe(first);
    expect(service.versions('s', false)).toEqual([1]);
    const second = await service.register(
      's',
      parseSchemaRequest({ schema: text, metadata: { properties: { a: '2' } } }),
    );
    expect(second).not.toBe(first);
    expect(service.versions('s', false)).toEqual([1, 2]);
    // Another subject with the same text and the same metadata shares the id; without metadata it does not.
    expect(
      await service.register('t', parseSchemaRequest({ schema: text, metadata: { properties: { a: '2' } } })),
    ).toBe(second);
    expect(await service.register('u', parseSchemaRequest({ schema: text }))).not.toBe(second);
  });

  it('a schema already registered without a contract is found as sent, before inheriting the latest one', async () => {
    const { service } = setup();
    await service.settings.setConfig('s', { compatibility: 'NONE' });
    const plain = await service.register('s', parseSchemaRequest({ schema: text }));
    await service.register('s', parseSchemaRequest({ schema: '"int"', metadata: { properties: { a: '1' } } }));
    // Version 1 holds this text with no contract: it is answered, not a version 3 inheriting version 2's metadata.
    expect(await service.register('s', parseSchemaRequest({ schema: text }))).toBe(plain);
    expect(service.versions('s', false)).toEqual([1, 2]);
  });

  it('with config defaults the as-sent shortcut is skipped: the merged contract decides', async () => {
    const { service } = setup();
    const plain = await service.register('s', parseSchemaRequest({ schema: text }));
    await service.settings.setConfig('s', { defaultMetadata: { properties: { owner: 'x' } } });
    expect(await service.register('s', parseSchemaRequest({ schema: text }))).not.toBe(plain);
    expect(service.version('s', 2, false).metadata).toEqual({ properties: { owner: 'x' } });
  });

  it('key order in metadata does not make another schema', async () => {
    const { service } = setup();
    const first = await service.register(
      's',
      parseSchemaRequest({ schema: text, metadata: { properties: { a: '1', b: '2' } } }),
    );
    expect(
      await service.register('s', parseSchemaRequest({ schema: text, metadata: { properties: { b: '2', a: '1' } } })),
    ).toBe(first);
  });

  it('lookup finds a version by the contract as sent, else by the one a registration would give it', async () => {
    const { service } = setup();
    await service.register('s', parseSchemaRequest({ schema: text, metadata: { properties: { a: '1' } } }));
    expect(service.lookup('s', parseSchemaRequest({ schema: text }), false).version).toBe(1);
    expect(
      service.lookup('s', parseSchemaRequest({ schema: text, metadata: { properties: { a: '1' } } }), false).version,
    ).toBe(1);
    expect(
      await codeOf(() =>
        service.lookup('s', parseSchemaRequest({ schema: text, metadata: { properties: { a: '9' } } }), false),
      ),
    ).toBe(40403);
  });

  it('IMPORT keeps the request`s contract: nothing inherited, no defaults merged', async () => {
    const { service } = setup();
    await service.settings.setConfig(null, { defaultMetadata: { properties: { owner: 'default' } } });
    await service.settings.setMode(null, 'IMPORT', false);
    await service.register('s', parseSchemaRequest({ schema: text, id: 7, version: 1 }));
    expect(service.version('s', 1, false).metadata).toBeUndefined();
  });
});
