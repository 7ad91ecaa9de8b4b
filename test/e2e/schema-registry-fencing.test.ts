/**
 * Split brain in the registry: two stores over one `_schemas` topic both
 * believe they are the writer (as a paused writer does after the election
 * moved on). The one that fenced last is the only one whose writes land;
 * the other's next write is refused by the partition (producer epoch) and
 * answered 50004, and it stops writing. No id is handed out twice and the
 * refused write leaves nothing in the topic.
 */
import { KafkaClient } from '@runnel/client';
import { silentLogger } from '@runnel/common';
import { decodeRecordBatches } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../packages/gateway/src/registry/registry-error.ts';
import { RegistryService } from '../../packages/gateway/src/registry/registry-service.ts';
import { SchemaStore } from '../../packages/gateway/src/registry/store.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

function schema(name: string): string {
  return JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'string' }] });
}

function request(name: string) {
  return { schemaType: 'AVRO' as const, schema: schema(name), references: [] };
}

describe('registry writer fencing', () => {
  let dev: DevProcess;
  const clients: KafkaClient[] = [];
  const stores: SchemaStore[] = [];

  async function openStore(topic = '_fenced_schemas'): Promise<{ store: SchemaStore; service: RegistryService }> {
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    clients.push(client);
    const store = new SchemaStore({
      client,
      bootstrap: dev.bootstrap,
      logger: silentLogger(),
      topic,
    });
    stores.push(store);
    await store.start();
    await store.caughtUp();
    return { store, service: new RegistryService(store) };
  }

  beforeAll(async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.stop()));
    for (const c of clients) c.close();
    await dev?.kill('SIGKILL');
  });

  it('refuses the older writer once a newer one has fenced, without repeating an id', async () => {
    const a = await openStore();
    const b = await openStore();
    a.store.setWriter(true);
    expect(await a.service.register('first', request('First'))).toBe(1);

    // b becomes writer while a still believes it is: b's fence makes the partition refuse a's epoch.
    b.store.setWriter(true);
    expect(await b.service.register('second', request('Second'))).toBe(2);

    const refused = await a.service.register('third', request('Third')).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).errorCode).toBe(50004);
    expect(a.store.isWriter).toBe(false);

    // The writer that fenced last goes on: the next id follows its own, and a's refused decision left no trace.
    expect(await b.service.register('fourth', request('Fourth'))).toBe(3);
    await a.store.sync();
    for (const { service } of [a, b]) {
      expect(service.subjects({ includeDeleted: true }).sort()).toEqual(['first', 'fourth', 'second']);
    }
    // A fresh reader of the whole topic agrees.
    const fresh = await openStore();
    await waitFor(() => fresh.store.state.ids.size === 3, { what: 'the fresh store to read three ids' });
    expect([...fresh.store.state.ids.keys()].sort()).toEqual([1, 2, 3]);
  });

  it('concurrent registrations share appends (group commit) and get distinct, consecutive ids', async () => {
    const topic = '_group_commit';
    const { store, service } = await openStore(topic);
    store.setWriter(true);
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => service.register(`s-${i}`, request(`G${i}`))));
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // The topic holds the 60 SCHEMA records (and the fence's NOOP) in fewer batches than records: appends were shared.
    const client = clients[clients.length - 1] as KafkaClient;
    const fetched = await client.fetch(topic, 0, 0n, { maxBytes: 10 * 1024 * 1024 });
    const batches = (await decodeRecordBatches(fetched.records)).filter((b) =>
      b.records.some((r) => r.key?.toString().includes('"SCHEMA"')),
    );
    expect(batches.flatMap((b) => b.records)).toHaveLength(60);
    expect(batches.length).toBeLessThan(60);
  });

  it('under concurrent load, a writer fenced mid-way answers 50004 for what it could not commit, and every id it did answer is in the topic', async () => {
    const topic = '_split_brain';
    const a = await openStore(topic);
    const b = await openStore(topic);
    a.store.setWriter(true);
    const outcome = (subject: string, promise: Promise<number>) =>
      promise.then(
        (id) => ({ subject, id, code: 0 }),
        (error: unknown) => ({ subject, id: -1, code: error instanceof RegistryError ? error.errorCode : -1 }),
      );
    const fromA = Array.from({ length: 40 }, (_, i) =>
      outcome(`a-${i}`, a.service.register(`a-${i}`, request(`A${i}`))),
    );
    await fromA[0];
    b.store.setWriter(true);
    const fromB = Array.from({ length: 20 }, (_, i) =>
      outcome(`b-${i}`, b.service.register(`b-${i}`, request(`B${i}`))),
    );
    const answers = await Promise.all([...fromA, ...fromB]);
    // B fenced last: all of its registrations land. A's either landed before the fence or were refused as 50004.
    expect(answers.filter((x) => x.subject.startsWith('b-') && x.code !== 0)).toEqual([]);
    expect(new Set(answers.filter((x) => x.code !== 0).map((x) => x.code))).toEqual(
      new Set(answers.some((x) => x.code !== 0) ? [50004] : []),
    );
    const fresh = await openStore(topic);
    await fresh.store.sync();
    const committed = answers.filter((x) => x.code === 0);
    for (const { subject, id } of committed) {
      expect(fresh.service.version(subject, 'latest', false).id, subject).toBe(id);
    }
    // No id was handed out twice: every id in the topic names one subject's schema, and answered ids are distinct.
    expect(new Set(committed.map((x) => x.id)).size).toBe(committed.length);
    const users = [...fresh.store.state.ids.keys()].map((id) => fresh.service.usersOfId(id, true).length);
    expect(users.every((n) => n === 1)).toBe(true);
  });

  it('a schema too large for one record is refused (42209) before it is decided; registrations beside it land', async () => {
    const { store, service } = await openStore('_too_large');
    store.setWriter(true);
    const huge = {
      schemaType: 'AVRO' as const,
      schema: JSON.stringify({ type: 'record', name: 'Huge', doc: 'x'.repeat(950 * 1024), fields: [] }),
      references: [],
    };
    const [refused, ...ids] = await Promise.all([
      service.register('huge', huge).then(
        () => null,
        (error: unknown) => error,
      ),
      ...Array.from({ length: 5 }, (_, i) => service.register(`beside-${i}`, request(`Beside${i}`))),
    ]);
    expect((refused as RegistryError).errorCode).toBe(42209);
    expect([...ids].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(service.subjects({ includeDeleted: true })).not.toContain('huge');
  });
});
