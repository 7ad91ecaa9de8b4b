import { alterConfigs, clusterTopicDefaults } from '@runnel/controller';
import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

describe('alterConfigs on broker resources', () => {
  it('stores a cluster default as a config record of the "" broker resource', () => {
    const { records, results } = alterConfigs(MetadataImage.empty, [
      { resourceType: 'broker', resourceName: '', changes: [{ name: 'num.partitions', op: 'set', value: '4' }] },
    ]);
    expect(results[0]?.ok).toBe(true);
    expect(records).toEqual([
      { type: 'config', resourceType: 'broker', resourceName: '', name: 'num.partitions', value: '4' },
    ]);
    expect(apply(MetadataImage.empty, records).configOverrides('broker', '').get('num.partitions')).toBe('4');
  });

  it('refuses a read-only config with INVALID_REQUEST and the reason, writing nothing', () => {
    const { records, results } = alterConfigs(MetadataImage.empty, [
      { resourceType: 'broker', resourceName: '1', changes: [{ name: 'log.dirs', op: 'set', value: '/x' }] },
    ]);
    expect(records).toEqual([]);
    expect(results[0]).toMatchObject({ ok: false, error: 'invalid_request' });
    expect(results[0]?.ok === false && results[0].message).toContain('read-only');
  });

  it('refuses a cluster-only config on one broker and a bad value with INVALID_CONFIG', () => {
    const { results } = alterConfigs(MetadataImage.empty, [
      { resourceType: 'broker', resourceName: '2', changes: [{ name: 'num.partitions', op: 'set', value: '4' }] },
      { resourceType: 'broker', resourceName: '', changes: [{ name: 'log.retention.ms', op: 'set', value: 'x' }] },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual(['invalid_request', 'invalid_config']);
  });
});

describe('clusterTopicDefaults', () => {
  it('uses the dynamic cluster defaults over the static ones, and the static ones when unset', () => {
    const statics = { numPartitions: 1, defaultReplicationFactor: 1 };
    expect(clusterTopicDefaults(MetadataImage.empty, statics)).toEqual(statics);
    const image = apply(MetadataImage.empty, [
      { type: 'config', resourceType: 'broker', resourceName: '', name: 'num.partitions', value: '5' },
      { type: 'config', resourceType: 'broker', resourceName: '3', name: 'default.replication.factor', value: '3' },
    ]);
    // A per-broker value is not the cluster's: only "" counts.
    expect(clusterTopicDefaults(image, statics)).toEqual({ numPartitions: 5, defaultReplicationFactor: 1 });
  });
});
