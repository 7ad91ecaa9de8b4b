/**
 * The Schema Registry API on a real `runnel dev` (its in-process gateway),
 * driven with fetch as a client would: registering, ids shared across
 * subjects, versions, lookups, soft then permanent deletes, config, and
 * Confluent's error codes. Then a second, fresh `runnel gateway` process
 * reads the same `_schemas` topic and must give identical answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { registryCall } from '../harness/registry-http.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = 'application/vnd.schemaregistry.v1+json';
const user = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'lab',
  fields: [{ name: 'name', type: 'string' }],
});
const userV2 = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'lab',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: ['null', 'int'], default: null },
  ],
});

async function ready(base: string): Promise<void> {
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: `${base} ready` });
}

describe('Schema Registry API through runnel dev', () => {
  let dev: DevProcess;
  let base: string;
  let fresh: GatewayProcess | undefined;
  let highestId = 0;

  beforeAll(async () => {
    dev = await DevProcess.start();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await ready(base);
  });

  afterAll(async () => {
    await fresh?.kill('SIGKILL');
    await dev.kill('SIGKILL');
  });

  it('registers a schema (id 1), answers the same id for it again, and the same id under a second subject', async () => {
    expect(await registryCall(base, 'POST', '/subjects/users-value/versions', { schema: user })).toEqual({
      status: 200,
      body: { id: 1 },
    });
    // Whitespace differs; the schema is the same, so no new version.
    const spaced = { schema: JSON.stringify(JSON.parse(user), null, 2) };
    expect((await registryCall(base, 'POST', '/subjects/users-value/versions', spaced)).body).toEqual({ id: 1 });
    expect((await registryCall(base, 'POST', '/subjects/people-value/versions', { schema: user })).body).toEqual({
      id: 1,
    });
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions')).body).toEqual([1]);
  });

  it('a changed schema is version 2 with a new id; latest and -1 name it', async () => {
    expect((await registryCall(base, 'POST', '/subjects/users-value/versions', { schema: userV2 })).body).toEqual({
      id: 2,
    });
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
    const latest = await registryCall(base, 'GET', '/subjects/users-value/versions/latest');
    expect(latest).toEqual({ status: 200, body: { subject: 'users-value', version: 2, id: 2, schema: userV2 } });
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions/-1')).body).toEqual(latest.body);
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions/1/schema')).body).toEqual(JSON.parse(user));
  });

  it('schemas by id: the schema, its raw text, its subjects and subject-versions; the types', async () => {
    expect(await registryCall(base, 'GET', '/schemas/ids/1')).toEqual({ status: 200, body: { schema: user } });
    expect((await registryCall(base, 'GET', '/schemas/ids/1/schema')).body).toEqual(JSON.parse(user));
    expect((await registryCall(base, 'GET', '/schemas/ids/1/subjects')).body).toEqual(['people-value', 'users-value']);
    expect((await registryCall(base, 'GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 'people-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    expect((await registryCall(base, 'GET', '/schemas/types')).body).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
  });

  it('a JSON Schema keeps its schemaType in answers; lookup finds a registered schema', async () => {
    const schema = '{"type":"object"}';
    expect(
      (await registryCall(base, 'POST', '/subjects/doc-value/versions', { schemaType: 'JSON', schema })).body,
    ).toEqual({
      id: 3,
    });
    expect((await registryCall(base, 'POST', '/subjects/doc-value', { schemaType: 'JSON', schema })).body).toEqual({
      subject: 'doc-value',
      version: 1,
      id: 3,
      schemaType: 'JSON',
      schema,
    });
    expect((await registryCall(base, 'GET', '/subjects?subjectPrefix=users')).body).toEqual(['users-value']);
  });

  it('answers Confluent`s error codes', async () => {
    const code = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const answer = await registryCall(base, method, path, body);
      const errorCode = (answer.body as { error_code: number }).error_code;
      expect(answer.status).toBe(Math.trunc(errorCode / 100));
      return errorCode;
    };
    expect(await code('GET', '/subjects/nobody/versions')).toBe(40401);
    expect(await code('GET', '/subjects/users-value/versions/9')).toBe(40402);
    expect(await code('GET', '/schemas/ids/99')).toBe(40403);
    expect(await code('POST', '/subjects/users-value', { schema: '"long"' })).toBe(40403);
    expect(await code('POST', '/subjects/users-value/versions', { schema: '{"type":"recrod"}' })).toBe(42201);
    expect(await code('POST', '/subjects/users-value/versions', { schema: 'not json' })).toBe(42201);
    expect(await code('GET', '/subjects/users-value/versions/0')).toBe(42202);
    expect(await code('PUT', '/config', { compatibility: 'SIDEWAYS' })).toBe(42203);
    expect(await code('GET', '/config/users-value')).toBe(40408);
    const malformed = await fetch(`${base}/subjects/users-value/versions`, {
      method: 'POST',
      headers: { 'content-type': registryType },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error_code: 400 });
  });

  it('config: global and subject levels are stored and returned', async () => {
    expect((await registryCall(base, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await registryCall(base, 'PUT', '/config', { compatibility: 'FULL' })).body).toEqual({
      compatibility: 'FULL',
    });
    expect((await registryCall(base, 'PUT', '/config/users-value', { compatibility: 'NONE' })).body).toEqual({
      compatibility: 'NONE',
    });
    expect((await registryCall(base, 'GET', '/config/users-value')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await registryCall(base, 'GET', '/config/people-value?defaultToGlobal=true')).body).toEqual({
      compatibilityLevel: 'FULL',
    });
  });

  it('soft delete, then permanent delete; each in the wrong order answers 40404/40405/40406/40407', async () => {
    expect((await registryCall(base, 'DELETE', '/subjects/people-value?permanent=true')).body).toMatchObject({
      error_code: 40405,
    });
    // Registry clients send a JSON content type with no body on DELETE: no body, not a parse error.
    const soft = await fetch(`${base}/subjects/people-value`, {
      method: 'DELETE',
      headers: { 'content-type': registryType },
    });
    expect(await soft.json()).toEqual([1]);
    expect((await registryCall(base, 'DELETE', '/subjects/people-value')).body).toMatchObject({ error_code: 40404 });
    expect((await registryCall(base, 'GET', '/subjects')).body).toEqual(['doc-value', 'users-value']);
    expect((await registryCall(base, 'GET', '/subjects?deleted=true')).body).toEqual([
      'doc-value',
      'people-value',
      'users-value',
    ]);
    expect((await registryCall(base, 'DELETE', '/subjects/people-value?permanent=true')).body).toEqual([1]);
    expect((await registryCall(base, 'GET', '/subjects?deleted=true')).body).toEqual(['doc-value', 'users-value']);
    // Id 1 is still used by users-value version 1.
    expect((await registryCall(base, 'GET', '/schemas/ids/1/subjects')).body).toEqual(['users-value']);

    expect((await registryCall(base, 'DELETE', '/subjects/users-value/versions/2?permanent=true')).body).toMatchObject({
      error_code: 40407,
    });
    expect((await registryCall(base, 'DELETE', '/subjects/users-value/versions/2')).body).toBe(2);
    expect((await registryCall(base, 'DELETE', '/subjects/users-value/versions/2')).body).toMatchObject({
      error_code: 40406,
    });
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions')).body).toEqual([1]);
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await registryCall(base, 'DELETE', '/subjects/users-value/versions/2?permanent=true')).body).toBe(2);
    expect((await registryCall(base, 'GET', '/schemas/ids/2')).body).toMatchObject({ error_code: 40403 });
    // Ids are never reissued: a new schema after the permanent delete gets a fresh one.
    const v3 = JSON.stringify({ type: 'enum', name: 'Color', symbols: ['RED'] });
    expect((await registryCall(base, 'POST', '/subjects/users-value/versions', { schema: v3 })).body).toEqual({
      id: 4,
    });
    // Versions follow those still in the topic: a permanently deleted latest version's number is given again.
    expect((await registryCall(base, 'GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
  });

  it('concurrent registrations get distinct ids and versions; concurrent same schema gets one id', async () => {
    const schemaOf = (i: number): string => JSON.stringify({ type: 'enum', name: `E${i}`, symbols: ['A'] });
    // Unrelated schemas under one subject: only NONE lets them all in (the global level is FULL by now).
    expect((await registryCall(base, 'PUT', '/config/many-value', { compatibility: 'NONE' })).status).toBe(200);
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const answer = await registryCall(base, 'POST', '/subjects/many-value/versions', { schema: schemaOf(i) });
        return (answer.body as { id: number }).id;
      }),
    );
    expect(new Set(ids).size).toBe(20);
    expect((await registryCall(base, 'GET', '/subjects/many-value/versions')).body).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const same = await Promise.all(
      Array.from({ length: 10 }, () =>
        registryCall(base, 'POST', '/subjects/same-value/versions', { schema: schemaOf(99) }),
      ),
    );
    const sameIds = new Set(same.map((a) => (a.body as { id: number }).id));
    expect(sameIds.size).toBe(1);
    // The last new id handed out so far: every earlier registration got a smaller one.
    highestId = [...sameIds][0] ?? 0;
    expect(highestId).toBeGreaterThan(Math.max(...ids));
    expect((await registryCall(base, 'GET', '/subjects/same-value/versions')).body).toEqual([1]);
  });

  it('a fresh gateway process, then the restarted dev process, read _schemas and give identical answers', async () => {
    const paths = [
      '/subjects',
      '/subjects?deleted=true',
      '/subjects/users-value/versions',
      '/subjects/users-value/versions?deleted=true',
      '/subjects/users-value/versions/latest',
      '/subjects/users-value/versions/1',
      '/subjects/users-value/versions/2',
      '/subjects/doc-value/versions/1',
      '/subjects/many-value/versions',
      '/subjects/many-value/versions/20',
      '/schemas/ids/1',
      '/schemas/ids/1/versions',
      '/schemas/ids/2',
      '/schemas/ids/3',
      '/schemas/ids/4/subjects',
      '/subjects/people-value/versions',
      '/config',
      '/config/users-value',
    ];
    const before = await Promise.all(paths.map(async (path) => ({ path, ...(await registryCall(base, 'GET', path)) })));
    const answersFrom = (url: string) =>
      Promise.all(paths.map(async (path) => ({ path, ...(await registryCall(url, 'GET', path)) })));

    fresh = await GatewayProcess.start(dev.bootstrap);
    await ready(fresh.url);
    expect(await answersFrom(fresh.url)).toEqual(before);
    await fresh.kill('SIGTERM');

    expect(await dev.kill('SIGTERM')).toBe(0);
    await dev.restart();
    base = `http://127.0.0.1:${dev.registryPort}`;
    await ready(base);
    expect(await answersFrom(base)).toEqual(before);
    // Ids continue after the highest one in the topic.
    const next = await registryCall(base, 'POST', '/subjects/after-restart/versions', { schema: '"bytes"' });
    expect(next.body).toEqual({ id: highestId + 1 });
  });
});
