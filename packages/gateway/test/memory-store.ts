/**
 * A StoreAccess for service tests: applies each written record at once with
 * the reducer the real store uses, and keeps what was written.
 */
import type { KafkaRecord } from '@runnel/protocol';
import { expect } from 'vitest';
import type { StoreAccess } from '../src/registry/registry-service.ts';
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
