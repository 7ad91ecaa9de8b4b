/**
 * The rest of the registry API on a real `runnel dev`, driven with fetch as
 * a client would: modes (READONLY refusing writes with 42205, IMPORT with
 * caller-chosen ids and versions, 40409), GET /schemas with its filters and
 * paging, deletedOnly, config fields beyond the level, `normalize`, and
 * Confluent's error bodies. A fresh gateway then reads the same `_schemas`
 * topic and must answer the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { registryCall } from '../harness/registry-http.ts';
import { waitFor } from '../harness/wait.ts';

const enumOf = (name: string): string => JSON.stringify({ type: 'enum', name, symbols: ['A'] });

describe('registry modes, lists, config fields and normalize through runnel dev', () => {
  let dev: DevProcess;
  let base: string;
  let fresh: GatewayProcess | undefined;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'registry ready' });
  });

  afterAll(async () => {
    await fresh?.kill('SIGKILL');
    await dev?.kill('SIGKILL');
  });

  it('READONLY on a subject refuses registration and deletes with 42205; an existing schema still answers', async () => {
    expect((await registryCall(base, 'POST', '/subjects/ro/versions', { schema: enumOf('R') })).body).toEqual({
      id: 1,
    });
    expect(await registryCall(base, 'GET', '/mode')).toEqual({ status: 200, body: { mode: 'READWRITE' } });
    expect(await registryCall(base, 'GET', '/mode/ro')).toEqual({
      status: 404,
      body: { error_code: 40409, message: "Subject 'ro' does not have subject-level mode configured" },
    });
    expect((await registryCall(base, 'GET', '/mode/ro?defaultToGlobal=true')).body).toEqual({ mode: 'READWRITE' });
    expect(await registryCall(base, 'PUT', '/mode/ro', { mode: 'READONLY' })).toEqual({
      status: 200,
      body: { mode: 'READONLY' },
    });
    expect(await registryCall(base, 'POST', '/subjects/ro/versions', { schema: enumOf('S') })).toEqual({
      status: 422,
      body: { error_code: 42205, message: 'Subject ro is in read-only mode' },
    });
    expect((await registryCall(base, 'POST', '/subjects/ro/versions', { schema: enumOf('R') })).body).toEqual({
      id: 1,
    });
    expect((await registryCall(base, 'DELETE', '/subjects/ro')).body).toMatchObject({ error_code: 42205 });
    expect((await registryCall(base, 'PUT', '/mode/ro', { mode: 'SIDEWAYS' })).body).toMatchObject({
      error_code: 42204,
    });
    expect((await registryCall(base, 'DELETE', '/mode/ro')).body).toEqual({ mode: 'READONLY' });
    expect((await registryCall(base, 'DELETE', '/mode/ro')).body).toMatchObject({ error_code: 40401 });
  });

  it('IMPORT needs an empty subject (or force), then takes the caller`s id and version', async () => {
    expect(await registryCall(base, 'PUT', '/mode/ro', { mode: 'IMPORT' })).toEqual({
      status: 422,
      body: { error_code: 42205, message: 'Cannot import since found existing subjects' },
    });
    expect((await registryCall(base, 'PUT', '/mode/imported', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    const imported = { schema: enumOf('I'), id: 500, version: 3 };
    expect((await registryCall(base, 'POST', '/subjects/imported/versions', imported)).body).toEqual({ id: 500 });
    expect((await registryCall(base, 'GET', '/subjects/imported/versions')).body).toEqual([3]);
    expect((await registryCall(base, 'GET', '/schemas/ids/500')).body).toEqual({ schema: enumOf('I') });
    // Id 1 belongs to another schema already.
    expect(await registryCall(base, 'POST', '/subjects/imported/versions', { schema: enumOf('J'), id: 1 })).toEqual({
      status: 422,
      body: { error_code: 42205, message: 'Overwrite new schema with id 1 is not permitted.' },
    });
    expect(
      (await registryCall(base, 'POST', '/subjects/imported/versions', { schema: enumOf('J') })).body,
    ).toMatchObject({
      error_code: 42205,
    });
    expect((await registryCall(base, 'POST', '/subjects/other/versions', { schema: enumOf('K'), id: 9 })).body).toEqual(
      {
        error_code: 42205,
        message: 'Subject other is not in import mode',
      },
    );
    expect((await registryCall(base, 'PUT', '/mode/imported', { mode: 'READWRITE' })).body).toEqual({
      mode: 'READWRITE',
    });
    // New ids continue after the highest imported one.
    expect((await registryCall(base, 'POST', '/subjects/after-import/versions', { schema: enumOf('N') })).body).toEqual(
      {
        id: 501,
      },
    );
  });

  it('GET /schemas filters by prefix, deleted and latestOnly and pages; subjects take deletedOnly', async () => {
    expect((await registryCall(base, 'PUT', '/config/ro', { compatibility: 'NONE' })).status).toBe(200);
    expect((await registryCall(base, 'POST', '/subjects/ro/versions', { schema: enumOf('R2') })).body).toEqual({
      id: 502,
    });
    expect((await registryCall(base, 'DELETE', '/subjects/ro/versions/2')).body).toBe(2);
    const pairs = async (path: string) =>
      ((await registryCall(base, 'GET', path)).body as { subject: string; version: number }[]).map(
        (s) => `${s.subject}/${s.version}`,
      );
    expect(await pairs('/schemas?subjectPrefix=ro')).toEqual(['ro/1']);
    expect(await pairs('/schemas?subjectPrefix=ro&deleted=true')).toEqual(['ro/1', 'ro/2']);
    expect(await pairs('/schemas?subjectPrefix=ro&deleted=true&latestOnly=true')).toEqual(['ro/2']);
    expect(await pairs('/schemas?offset=1&limit=2')).toEqual(['imported/3', 'ro/1']);
    expect((await registryCall(base, 'GET', '/schemas?subjectPrefix=imported')).body).toEqual([
      { subject: 'imported', version: 3, id: 500, schema: enumOf('I') },
    ]);
    expect((await registryCall(base, 'GET', '/subjects/ro/versions?deletedOnly=true')).body).toEqual([2]);
    expect((await registryCall(base, 'DELETE', '/subjects/after-import')).body).toEqual([1]);
    expect((await registryCall(base, 'GET', '/subjects?deletedOnly=true')).body).toEqual(['after-import']);
    expect((await registryCall(base, 'GET', '/subjects?limit=1&offset=1')).body).toEqual(['ro']);
    expect((await registryCall(base, 'GET', '/schemas/ids/1?subject=ro')).body).toEqual({ schema: enumOf('R') });
    // `subject` picks a schema context; every subject is in the default one, so the id is found through any.
    expect((await registryCall(base, 'GET', '/schemas/ids/1?subject=imported')).body).toEqual({ schema: enumOf('R') });
    expect((await registryCall(base, 'GET', '/schemas/ids/1?fetchMaxId=true')).body).toEqual({
      schema: enumOf('R'),
      maxId: 502,
    });
    expect((await registryCall(base, 'GET', '/subjects/ro/versions/1/schema')).body).toEqual(JSON.parse(enumOf('R')));
  });

  it('config fields beyond the level are stored, merged and answered; normalize stores the normalized text', async () => {
    const metadata = { properties: { owner: 'team-a' } };
    expect((await registryCall(base, 'PUT', '/config/norm', { compatibility: 'NONE', normalize: true })).body).toEqual({
      compatibility: 'NONE',
      normalize: true,
    });
    expect((await registryCall(base, 'PUT', '/config/norm', { defaultMetadata: metadata })).body).toEqual({
      defaultMetadata: metadata,
    });
    expect((await registryCall(base, 'GET', '/config/norm')).body).toEqual({
      compatibilityLevel: 'NONE',
      normalize: true,
      defaultMetadata: metadata,
    });
    const schema = JSON.stringify({
      namespace: 'lab',
      name: 'N',
      type: 'record',
      fields: [{ type: 'int', name: 'a' }],
    });
    expect((await registryCall(base, 'POST', '/subjects/norm/versions', { schema })).body).toEqual({ id: 503 });
    expect((await registryCall(base, 'GET', '/subjects/norm/versions/1/schema')).body).toEqual({
      name: 'lab.N',
      type: 'record',
      fields: [{ name: 'a', type: 'int', order: 'ASCENDING' }],
    });
    // Without normalize, the same schema is stored in Java's canonical form (and is another schema).
    expect((await registryCall(base, 'POST', '/subjects/plain/versions?normalize=false', { schema })).body).toEqual({
      id: 504,
    });
    expect((await registryCall(base, 'GET', '/schemas/ids/504/schema')).body).toEqual({
      type: 'record',
      name: 'N',
      namespace: 'lab',
      fields: [{ name: 'a', type: 'int' }],
    });
    expect((await registryCall(base, 'POST', '/subjects/plain?normalize=true', { schema })).body).toMatchObject({
      error_code: 40403,
    });
    expect((await registryCall(base, 'POST', '/subjects/norm', { schema })).body).toMatchObject({
      version: 1,
      id: 503,
    });
  });

  it('metadata and ruleSet are kept and answered; wrong methods are 405, unknown paths 404', async () => {
    const metadata = { properties: { owner: 'team-b' } };
    const ruleSet = { domainRules: [{ name: 'r', kind: 'CONDITION', mode: 'WRITE', type: 'CEL', expr: 'true' }] };
    const body = { schema: enumOf('M'), metadata, ruleSet };
    expect((await registryCall(base, 'POST', '/subjects/meta/versions', body)).body).toEqual({ id: 505 });
    expect((await registryCall(base, 'GET', '/subjects/meta/versions/latest')).body).toEqual({
      subject: 'meta',
      version: 1,
      id: 505,
      metadata,
      ruleSet,
      schema: enumOf('M'),
    });
    expect(await registryCall(base, 'PATCH', '/subjects/meta/versions')).toEqual({
      status: 405,
      body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' },
    });
    expect(await registryCall(base, 'GET', '/no/such/thing')).toEqual({
      status: 404,
      body: { error_code: 404, message: 'HTTP 404 Not Found' },
    });
    expect((await registryCall(base, 'GET', '/contexts')).body).toEqual(['.']);
    expect((await registryCall(base, 'POST', '/subjects/bad%01name/versions', body)).body).toEqual({
      error_code: 42208,
      message: "The specified subject 'bad\u0001name' is not a valid.",
    });
  });

  it('a fresh gateway reads the same topic and answers the same', async () => {
    const paths = [
      '/mode',
      '/mode/imported',
      '/subjects/imported/versions',
      '/schemas?deleted=true',
      '/subjects?deleted=true',
      '/config/norm',
      '/subjects/norm/versions/1',
      '/subjects/meta/versions/1',
    ];
    const answersFrom = (url: string) =>
      Promise.all(paths.map(async (path) => ({ path, ...(await registryCall(url, 'GET', path)) })));
    const before = await answersFrom(base);
    fresh = await GatewayProcess.start(dev.bootstrap);
    await waitFor(async () => (await fetch(`${fresh?.url}/readyz`)).status === 200, { what: 'fresh gateway ready' });
    expect(await answersFrom(fresh.url)).toEqual(before);
  });
});
