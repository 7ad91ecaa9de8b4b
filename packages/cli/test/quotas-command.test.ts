/**
 * `runnel quotas`' argument forms (kafka-configs.sh's) and text output;
 * the commands against a broker are in test/e2e/client-quotas.test.ts.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectQuotaKeys, collectQuotaValues, entityOf, formatQuotas } from '../src/commands/quotas.ts';

describe('runnel quotas arguments', () => {
  it('--add takes comma-separated key=number pairs and repeats', () => {
    const first = collectQuotaValues('producer_byte_rate=1048576, request_percentage=12.5');
    expect(collectQuotaValues('consumer_byte_rate=2e6', first)).toEqual([
      ['producer_byte_rate', 1048576],
      ['request_percentage', 12.5],
      ['consumer_byte_rate', 2e6],
    ]);
    expect(() => collectQuotaValues('producer_byte_rate=lots')).toThrow(InvalidArgumentError);
    expect(collectQuotaKeys('a,b', ['c'])).toEqual(['c', 'a', 'b']);
  });

  it('entity options become the wire entity, user first; <default> is a null name; contradictions are refused', () => {
    expect(entityOf({ clientId: 'app', userDefaults: true })).toEqual([
      { entityType: 'user', entityName: null },
      { entityType: 'client-id', entityName: 'app' },
    ]);
    expect(entityOf({ clientDefaults: true })).toEqual([{ entityType: 'client-id', entityName: null }]);
    expect(typeof entityOf({ clientId: 'a', clientDefaults: true })).toBe('string');
    expect(typeof entityOf({ user: 'u', userDefaults: true })).toBe('string');
  });

  it('text output names each entity and its values', () => {
    expect(formatQuotas([{ entity: { user: 'u', 'client-id': null }, values: { producer_byte_rate: 1024 } }])).toBe(
      "Quota configs for user 'u', the default client-id are producer_byte_rate=1024\n",
    );
    expect(formatQuotas([])).toBe('No quotas match.\n');
  });
});
