/**
 * What the registry's operations need of storage: the state, one write
 * section at a time, and a write that resolves once the state shows it.
 * SchemaStore is the real one; tests use an in-memory one that applies
 * records at once (test/memory-store.ts).
 */
import type { KafkaRecord } from '@runnel/protocol';
import type { RegistryState } from './state.ts';

export interface StoreAccess {
  readonly state: RegistryState;
  exclusive<T>(operation: () => Promise<T>): Promise<T>;
  write(records: KafkaRecord[]): Promise<void>;
}
