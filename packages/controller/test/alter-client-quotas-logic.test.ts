/**
 * AlterClientQuotas' rules (logic/alter-client-quotas.ts): records only for
 * changed values, each entry on its own, Kafka's INVALID_REQUEST refusals.
 */
import type { ClientQuotaAlteration, MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { alterClientQuotas } from '../src/logic/alter-client-quotas.ts';

const clientApp = [{ entityType: 'client-id', entityName: 'app' }];
const set = (key: string, value: number | null) => ({ key, value });

function applied(image: MetadataImage, entries: ClientQuotaAlteration[]): MetadataImage {
  const { records } = alterClientQuotas(image, entries);
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

describe('alterClientQuotas', () => {
  it('sets and removes keys as client-quota records; the default entity has a null name', () => {
    const entries = [
      { entity: clientApp, ops: [set('producer_byte_rate', 1024), set('request_percentage', 50)] },
      { entity: [{ entityType: 'user', entityName: null }], ops: [set('consumer_byte_rate', 2048)] },
    ];
    const { records, results } = alterClientQuotas(MetadataImage.empty, entries);
    expect(results).toEqual([
      { ok: true, value: null },
      { ok: true, value: null },
    ]);
    expect(records).toEqual<MetadataRecord[]>([
      { type: 'client-quota', entity: { clientId: 'app' }, key: 'producer_byte_rate', value: 1024 },
      { type: 'client-quota', entity: { clientId: 'app' }, key: 'request_percentage', value: 50 },
      { type: 'client-quota', entity: { user: null }, key: 'consumer_byte_rate', value: 2048 },
    ]);
  });

  it('writes nothing for an unchanged value or the removal of an absent key', () => {
    const image = applied(MetadataImage.empty, [{ entity: clientApp, ops: [set('producer_byte_rate', 1024)] }]);
    const again = alterClientQuotas(image, [
      { entity: clientApp, ops: [set('producer_byte_rate', 1024), set('consumer_byte_rate', null)] },
    ]);
    expect(again).toEqual({ records: [], results: [{ ok: true, value: null }] });
    const removed = alterClientQuotas(image, [{ entity: clientApp, ops: [set('producer_byte_rate', null)] }]);
    expect(removed.records).toEqual([
      { type: 'client-quota', entity: { clientId: 'app' }, key: 'producer_byte_rate', value: null },
    ]);
  });

  it('refuses a bad entry with INVALID_REQUEST and writes nothing for it, while the good entries go through', () => {
    const bad: ClientQuotaAlteration[] = [
      { entity: clientApp, ops: [set('producer_byte_rate', 1.5)] },
      { entity: [{ entityType: 'user', entityName: 'u' }], ops: [set('no_such_quota', 1)] },
      {
        entity: [{ entityType: 'user', entityName: 'v' }],
        ops: [set('request_percentage', 1), set('request_percentage', 2)],
      },
      { entity: [{ entityType: 'ip', entityName: '1.2.3.4' }], ops: [set('request_percentage', 1)] },
      { entity: [], ops: [set('request_percentage', 1)] },
      { entity: [{ entityType: 'client-id', entityName: 'z' }], ops: [set('consumer_byte_rate', -1)] },
    ];
    const good = { entity: [{ entityType: 'client-id', entityName: 'ok' }], ops: [set('consumer_byte_rate', 10)] };
    const { records, results } = alterClientQuotas(MetadataImage.empty, [...bad, good]);
    expect(results.slice(0, bad.length).every((r) => !r.ok && r.error === 'invalid_request')).toBe(true);
    expect(results.at(-1)).toEqual({ ok: true, value: null });
    expect(records).toEqual([
      { type: 'client-quota', entity: { clientId: 'ok' }, key: 'consumer_byte_rate', value: 10 },
    ]);
  });

  it('refuses the second entry for the same entity', () => {
    const { results } = alterClientQuotas(MetadataImage.empty, [
      { entity: clientApp, ops: [set('producer_byte_rate', 1)] },
      { entity: clientApp, ops: [set('consumer_byte_rate', 1)] },
    ]);
    expect(results[1]).toMatchObject({ ok: false, error: 'invalid_request' });
  });
});
