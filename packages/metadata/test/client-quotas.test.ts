/**
 * Client quota entities: Kafka's 8-level precedence and the sensor each
 * level counts against, DescribeClientQuotas' filters, the entity and value
 * checks, and quota records replayed into (and rebuilt from) the image.
 */
import type { ClientQuotaEntity, ClientQuotas, MetadataRecord } from '@runnel/metadata';
import {
  checkQuotaValue,
  decodeMetadataRecord,
  describeClientQuotas,
  encodeMetadataRecord,
  entityFromParts,
  imageRecords,
  MetadataImage,
  replayBatch,
  resolveQuota,
  withClientQuota,
} from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const key = 'producer_byte_rate';

function quotasOf(entries: [ClientQuotaEntity, number][]): ClientQuotas {
  let quotas: ClientQuotas = new Map();
  for (const [entity, value] of entries) quotas = withClientQuota(quotas, entity, key, value);
  return quotas;
}

// Level n of Kafka's order carries the value n, so the answer names the level that won.
const levels: [ClientQuotaEntity, number][] = [
  [{ user: 'u', clientId: 'c' }, 1],
  [{ user: 'u', clientId: null }, 2],
  [{ user: 'u' }, 3],
  [{ user: null, clientId: 'c' }, 4],
  [{ user: null, clientId: null }, 5],
  [{ user: null }, 6],
  [{ clientId: 'c' }, 7],
  [{ clientId: null }, 8],
];

describe('quota precedence', () => {
  it('the most specific of the 8 levels wins, each level in turn once the ones above it are gone', () => {
    for (let level = 1; level <= 8; level++) {
      const quotas = quotasOf(levels.slice(level - 1));
      expect(resolveQuota(quotas, 'u', 'c', key)?.bound).toBe(level);
    }
  });

  it('user-level quotas are shared by the user’s clients; default quotas bound each name on its own', () => {
    expect(resolveQuota(quotasOf([[{ user: 'u' }, 10]]), 'u', 'c', key)).toEqual({
      bound: 10,
      user: 'u',
      clientId: '',
    });
    expect(resolveQuota(quotasOf([[{ clientId: null }, 10]]), 'u', 'c', key)).toEqual({
      bound: 10,
      user: '',
      clientId: 'c',
    });
    expect(resolveQuota(quotasOf([[{ user: null, clientId: null }, 10]]), 'u', 'c', key)).toEqual({
      bound: 10,
      user: 'u',
      clientId: 'c',
    });
  });

  it('another client id or user, or another key, has no quota', () => {
    const quotas = quotasOf([[{ clientId: 'c' }, 10]]);
    expect(resolveQuota(quotas, 'u', 'other', key)).toBeNull();
    expect(resolveQuota(quotas, 'u', 'c', 'consumer_byte_rate')).toBeNull();
  });
});

describe('DescribeClientQuotas filters', () => {
  const quotas = quotasOf(levels);
  const names = (r: ReturnType<typeof describeClientQuotas>) =>
    r.ok ? r.value.map((e) => e.values.get(key)).sort() : r.error;

  it('no components: everything unless strict', () => {
    expect(names(describeClientQuotas(quotas, [], false))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(names(describeClientQuotas(quotas, [], true))).toEqual([]);
  });

  it('exact, default and any-name matches, strict dropping entities with other types', () => {
    const exactUser = [{ entityType: 'user', matchType: 0, match: 'u' }];
    expect(names(describeClientQuotas(quotas, exactUser, false))).toEqual([1, 2, 3]);
    expect(names(describeClientQuotas(quotas, exactUser, true))).toEqual([3]);
    const defaultClient = [{ entityType: 'client-id', matchType: 1, match: null }];
    expect(names(describeClientQuotas(quotas, defaultClient, false))).toEqual([2, 5, 8]);
    const anyClient = [{ entityType: 'client-id', matchType: 2, match: null }];
    expect(names(describeClientQuotas(quotas, anyClient, true))).toEqual([7, 8]);
    const both = [...exactUser, { entityType: 'client-id', matchType: 2, match: null }];
    expect(names(describeClientQuotas(quotas, both, true))).toEqual([1, 2]);
  });

  it('bad filters are INVALID_REQUEST, unknown entity types unsupported', () => {
    const bad = [
      [{ entityType: 'user', matchType: 0, match: null }],
      [{ entityType: 'user', matchType: 1, match: 'x' }],
      [{ entityType: 'user', matchType: 7, match: null }],
      [
        { entityType: 'user', matchType: 2, match: null },
        { entityType: 'user', matchType: 1, match: null },
      ],
      [{ entityType: '', matchType: 2, match: null }],
    ];
    for (const components of bad)
      expect(names(describeClientQuotas(quotas, components, false))).toBe('invalid_request');
    const unknown = [{ entityType: 'group', matchType: 2, match: null }];
    expect(names(describeClientQuotas(quotas, unknown, false))).toBe('unsupported_entity_type');
  });
});

describe('entity and value checks', () => {
  it('accepts user and client-id entities with names or <default>', () => {
    expect(
      entityFromParts([
        { entityType: 'user', entityName: null },
        { entityType: 'client-id', entityName: 'c' },
      ]),
    ).toEqual({ ok: true, value: { user: null, clientId: 'c' } });
  });

  it('refuses empty, duplicate, empty-named and unknown entities', () => {
    for (const parts of [
      [],
      [
        { entityType: 'user', entityName: 'a' },
        { entityType: 'user', entityName: 'b' },
      ],
      [{ entityType: 'client-id', entityName: '' }],
      [{ entityType: 'ip', entityName: '10.0.0.1' }],
    ]) {
      expect(entityFromParts(parts)).toMatchObject({ ok: false, error: 'invalid_request' });
    }
  });

  it('byte rates are whole and every value positive and finite; unknown keys refused', () => {
    expect(checkQuotaValue('producer_byte_rate', 1024).ok).toBe(true);
    expect(checkQuotaValue('request_percentage', 12.5).ok).toBe(true);
    expect(checkQuotaValue('producer_byte_rate', 10.5).ok).toBe(false);
    expect(checkQuotaValue('consumer_byte_rate', 0).ok).toBe(false);
    expect(checkQuotaValue('controller_mutation_rate', Number.NaN).ok).toBe(false);
    expect(checkQuotaValue('producer_bytes', 1).ok).toBe(false);
  });
});

describe('quota records in the image', () => {
  it('encode as version 8 and round-trip, <default> names and removals included; an entity naming nothing is refused', () => {
    const samples: MetadataRecord[] = [
      { type: 'client-quota', entity: { user: 'alice', clientId: null }, key, value: 1048576 },
      { type: 'client-quota', entity: { clientId: 'app' }, key: 'request_percentage', value: null },
    ];
    for (const r of samples) {
      const bytes = encodeMetadataRecord(r);
      expect(bytes[0]).toBe(8);
      expect(decodeMetadataRecord(bytes)).toEqual({ ok: true, value: r });
    }
    const empty = Buffer.concat([
      Buffer.from([8]),
      Buffer.from('{"type":"client-quota","entity":{},"key":"k","value":1}'),
    ]);
    expect(decodeMetadataRecord(empty)).toMatchObject({ ok: false, error: 'malformed_record' });
  });

  it('replay sets and removes values, an entity without values disappears, and a snapshot rebuilds the quotas', () => {
    const records: MetadataRecord[] = [
      { type: 'client-quota', entity: { clientId: 'c' }, key, value: 100 },
      { type: 'client-quota', entity: { clientId: 'c' }, key: 'request_percentage', value: 50 },
      { type: 'client-quota', entity: { user: null }, key, value: 7 },
      { type: 'client-quota', entity: { user: null }, key, value: null },
    ];
    const image = replayBatch(MetadataImage.empty, records, 3n);
    expect([...image.clientQuotas.values()]).toEqual([
      {
        entity: { clientId: 'c' },
        values: new Map([
          [key, 100],
          ['request_percentage', 50],
        ]),
      },
    ]);
    const rebuilt = replayBatch(MetadataImage.empty, imageRecords(image), 10n);
    expect(rebuilt.clientQuotas).toEqual(image.clientQuotas);
  });
});
