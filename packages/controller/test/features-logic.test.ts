/**
 * UpdateFeatures' rules (logic/features.ts) and the features a new cluster
 * finalizes, over real images: all or nothing, Kafka's downgrade rules,
 * levels every broker supports, and the epoch the image keeps.
 */
import type { FeatureUpdate, MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { ensureFeatures, updateFeatures } from '../src/logic/features.ts';

function apply(image: MetadataImage, records: MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

const fresh = apply(MetadataImage.empty, ensureFeatures(MetadataImage.empty));
const update = (feature: string, maxVersionLevel: number, upgradeType: FeatureUpdate['upgradeType'] = 'upgrade') => ({
  feature,
  maxVersionLevel,
  upgradeType,
});

describe('finalized features', () => {
  it('a new cluster gets metadata.version 25 and transaction.version 2, once; the epoch is the last record offset', () => {
    expect(fresh.finalizedFeatures).toEqual(
      new Map([
        ['metadata.version', 25],
        ['transaction.version', 2],
      ]),
    );
    expect(fresh.featuresEpoch).toBe(1n);
    expect(ensureFeatures(fresh)).toEqual([]);
  });

  it('a safe or unsafe downgrade of transaction.version is accepted, level 0 removes it; an upgrade back too', () => {
    for (const type of ['safe_downgrade', 'unsafe_downgrade'] as const) {
      const result = updateFeatures(fresh, [update('transaction.version', 1, type)]);
      expect(result).toEqual({ ok: true, value: [{ type: 'feature-level', name: 'transaction.version', level: 1 }] });
    }
    const removed = updateFeatures(fresh, [update('transaction.version', 0, 'safe_downgrade')]);
    expect(removed.ok).toBe(true);
    const after = apply(fresh, removed.ok ? removed.value : []);
    expect(after.finalizedFeatures.has('transaction.version')).toBe(false);
    expect(after.featuresEpoch).toBe(2n);
    expect(updateFeatures(after, [update('transaction.version', 2)])).toMatchObject({ ok: true });
  });

  it('the same level again writes nothing', () => {
    expect(updateFeatures(fresh, [update('transaction.version', 2)])).toEqual({ ok: true, value: [] });
  });

  it('refuses with invalid_update_version, and writes nothing for any update of the request', () => {
    const refusals: FeatureUpdate[][] = [
      [update('transaction.version', 1)],
      [update('transaction.version', 3)],
      [update('metadata.version', 24, 'unsafe_downgrade')],
      [update('metadata.version', 27)],
      [update('group.version', 1)],
      [update('transaction.version', 1, 'safe_downgrade'), update('metadata.version', 26)],
    ];
    for (const updates of refusals) {
      expect(updateFeatures(fresh, updates)).toMatchObject({ ok: false, error: 'invalid_update_version' });
    }
  });

  it('a feature named twice is invalid_request', () => {
    const twice = [update('transaction.version', 2), update('transaction.version', 1, 'safe_downgrade')];
    expect(updateFeatures(fresh, twice)).toMatchObject({ ok: false, error: 'invalid_request' });
  });
});
