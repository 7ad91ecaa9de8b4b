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

  async function openStore(): Promise<{ store: SchemaStore; service: RegistryService }> {
    const client = await KafkaClient.connect({ bootstrap: dev.bootstrap });
    clients.push(client);
    const store = new SchemaStore({
      client,
      bootstrap: dev.bootstrap,
      logger: silentLogger(),
      topic: '_fenced_schemas',
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
});
