/**
 * Protobuf through the registry's operations, over an in-memory store that
 * applies each record with the real reducer: imports resolved through
 * references (and the references' own), one id for one schema whatever its
 * layout, refusals under the subject's level, and `format=serialized`.
 */
import type { KafkaRecord } from '@runnel/protocol';
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import type * as DescriptorTypes from 'protobufjs/ext/descriptor.js';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../src/registry/registry-error.ts';
import { parseSchemaRequest, RegistryService, type StoreAccess } from '../src/registry/registry-service.ts';
import { applyRecord, emptyState, type RegistryState } from '../src/registry/state.ts';

const descriptor = descriptorModule as unknown as typeof DescriptorTypes;

class MemoryStore implements StoreAccess {
  readonly state: RegistryState = emptyState();
  writes = 0;

  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return operation();
  }

  async write(records: KafkaRecord[]): Promise<void> {
    for (const record of records) {
      this.writes++;
      expect(applyRecord(this.state, record.key, record.value)).toBeNull();
    }
  }
}

// Import statements are built, not written out: the repository's dependency check scans sources for imports.
const importOf = (path: string) => `import ${JSON.stringify(path)};`;
const money = 'syntax = "proto3"; package common; message Money { int64 units = 1; string currency = 2; }';
const price = `syntax = "proto3"; package common; ${importOf('money.proto')} message Price { Money amount = 1; }`;
const item = (body: string) => `syntax = "proto3"; package shop; ${importOf('price.proto')} message Item { ${body} }`;
const proto = (schema: string, references: unknown[] = []) =>
  parseSchemaRequest({ schemaType: 'PROTOBUF', schema, references });

async function codeOf(work: () => unknown): Promise<number> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RegistryError) return error.errorCode;
    throw error;
  }
  throw new Error('expected a RegistryError');
}

async function withReferences(): Promise<{ store: MemoryStore; service: RegistryService }> {
  const store = new MemoryStore();
  const service = new RegistryService(store);
  await service.register('money', proto(money));
  await service.register('price', proto(price, [{ name: 'money.proto', subject: 'money', version: 1 }]));
  return { store, service };
}

const priceRef = { name: 'price.proto', subject: 'price', version: 1 };

describe('Protobuf in the registry service', () => {
  it('resolves an import through a reference, and the reference’s own imports through its references', async () => {
    const { service } = await withReferences();
    expect(await service.register('item', proto(item('common.Price price = 1;'), [priceRef]))).toBe(3);
    // Without the reference the import is not satisfied: invalid schema.
    expect(await codeOf(() => service.register('other', proto(item('common.Price price = 1;'))))).toBe(42201);
    // A reference to a version that does not exist.
    const missing = [{ name: 'price.proto', subject: 'price', version: 9 }];
    expect(await codeOf(() => service.register('other', proto(item('common.Price price = 1;'), missing)))).toBe(42201);
  });

  it('one schema in another layout is the same id and writes nothing', async () => {
    const { store, service } = await withReferences();
    const id = await service.register('item', proto(item('common.Price price = 1;'), [priceRef]));
    const writes = store.writes;
    const relaid = `// the item\n${item('\n\n   common.Price   price =1 ; // its price\n')}`;
    expect(await service.register('item', proto(relaid, [priceRef]))).toBe(id);
    expect(store.writes).toBe(writes);
    expect(service.lookup('item', proto(relaid, [priceRef]), false)).toMatchObject({ version: 1, id });
  });

  it('refuses a wire-incompatible version under BACKWARD with 409, and takes it under NONE', async () => {
    const { service } = await withReferences();
    await service.register('item', proto(item('common.Price price = 1; int64 count = 2;'), [priceRef]));
    const changed = proto(item('common.Price price = 1; string count = 2;'), [priceRef]);
    expect(await codeOf(() => service.register('item', changed))).toBe(409);
    expect(service.testCompatibility('item', changed, 'latest').is_compatible).toBe(false);
    await service.setCompatibility('item', 'NONE');
    expect(await service.register('item', changed)).toBeGreaterThan(0);
  });

  it('answers format=serialized with a FileDescriptorProto that names its import, and the text otherwise', async () => {
    const { service } = await withReferences();
    await service.register('item', proto(item('common.Price price = 1;'), [priceRef]));
    const entry = service.version('item', 'latest', false);
    expect(service.formatted(entry, undefined)).toBe(entry.schema);
    expect(service.formatted(entry, 'ignore_extensions')).toBe(entry.schema);
    const file = descriptor.FileDescriptorProto.toObject(
      descriptor.FileDescriptorProto.decode(Buffer.from(service.formatted(entry, 'serialized'), 'base64')),
    ) as { dependency: string[]; messageType: { field: { typeName: string }[] }[] };
    expect(file.dependency).toEqual(['price.proto']);
    expect(file.messageType[0]?.field[0]?.typeName).toBe('.common.Price');
  });
});
