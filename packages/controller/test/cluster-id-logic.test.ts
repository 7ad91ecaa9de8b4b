import { checkClusterId, ensureClusterId, newClusterId } from '@runnel/controller';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const idPattern = /^[A-Za-z0-9_-]{22}$/;

function withClusterId(clusterId: string): MetadataImage {
  return replayBatch(MetadataImage.empty, [{ type: 'cluster-id', clusterId }], 0n);
}

describe('newClusterId', () => {
  it('is 16 random bytes as 22 characters of URL-safe base64', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
    const id = newClusterId(() => bytes);
    expect(id).toMatch(idPattern);
    expect(Buffer.from(id, 'base64url')).toEqual(Buffer.from(bytes));
    expect(newClusterId()).toMatch(idPattern);
  });

  it("never returns an id starting with '-': it draws again", () => {
    // 0xf8 = 0b111110.. : the first six bits are 62, which URL-safe base64 writes as '-'.
    const dashFirst = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xf8 : 0));
    expect(Buffer.from(dashFirst).toString('base64url').startsWith('-')).toBe(true);
    const draws = [dashFirst, new Uint8Array(16).fill(7)];
    let drawn = 0;
    const id = newClusterId(() => draws[drawn++] ?? new Uint8Array(16));
    expect(drawn).toBe(2);
    expect(id).toBe(Buffer.from(new Uint8Array(16).fill(7)).toString('base64url'));
    expect(id.startsWith('-')).toBe(false);
  });
});

describe('ensureClusterId', () => {
  it('gives a cluster without an id one cluster-id record with a generated id', () => {
    expect(ensureClusterId(MetadataImage.empty, () => 'AAAAAAAAAAAAAAAAAAAAAA')).toEqual([
      { type: 'cluster-id', clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' },
    ]);
  });

  it('writes nothing for a cluster that has its id, and never calls the generator', () => {
    const image = withClusterId('existing-cluster-id-01');
    expect(ensureClusterId(image, () => expect.unreachable('generator called'))).toEqual([]);
  });
});

describe('checkClusterId', () => {
  const image = withClusterId('ours-ours-ours-ours-01');

  it('accepts a new broker (no id) and a broker of this cluster', () => {
    expect(checkClusterId(image, null)).toEqual({ ok: true, value: null });
    expect(checkClusterId(image, 'ours-ours-ours-ours-01')).toEqual({ ok: true, value: null });
  });

  it('refuses a broker of another cluster with inconsistent_cluster_id, naming both ids', () => {
    const refused = checkClusterId(image, 'theirs-theirs-theirs-1');
    expect(refused).toMatchObject({ ok: false, error: 'inconsistent_cluster_id' });
    const message = refused.ok ? '' : (refused.message ?? '');
    expect(message).toContain('theirs-theirs-theirs-1');
    expect(message).toContain('ours-ours-ours-ours-01');
  });

  it('accepts any broker while the cluster has no id yet', () => {
    expect(checkClusterId(MetadataImage.empty, 'theirs-theirs-theirs-1')).toEqual({ ok: true, value: null });
  });
});
