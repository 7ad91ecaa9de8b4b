/**
 * An in-memory StoreAccess for service tests: each written record is
 * applied at once with the same reducer the real store uses, and kept (as
 * text) so a test can check exactly which records an operation wrote.
 */
import type { KafkaRecord } from '@runnel/protocol';
import { expect } from 'vitest';
import { RegistryError } from '../src/registry/registry-error.ts';
import { RegistryService, type StoreAccess } from '../src/registry/registry-service.ts';
import { applyRecord, emptyState, type RegistryState } from '../src/registry/state.ts';

export class MemoryStore implements StoreAccess {
  readonly state: RegistryState = emptyState();
  readonly written: { key: string; value: string | null }[] = [];

  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return operation();
  }

  async write(records: KafkaRecord[]): Promise<void> {
    for (const record of records) {
      this.written.push({ key: String(record.key), value: record.value === null ? null : String(record.value) });
      expect(applyRecord(this.state, record.key, record.value)).toBeNull();
    }
  }
}

export function setup(): { store: MemoryStore; service: RegistryService } {
  const store = new MemoryStore();
  return { store, service: new RegistryService(store) };
}

/** The Confluent error code an operation fails with. */
export async function codeOf(work: () => unknown): Promise<number> {
  return (await errorOf(work)).errorCode;
}

export async function errorOf(work: () => unknown): Promise<RegistryError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected a RegistryError');
}
