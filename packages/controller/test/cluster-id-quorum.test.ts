/**
 * The cluster id on a one-voter quorum: the first active controller writes
 * it, a restart keeps it, and a broker from another cluster cannot register.
 */
import type { RegisterBrokerRequest } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { useLocalQuorum } from './fixtures/local-quorum.ts';

const fixture = useLocalQuorum('cluster-id');

const idPattern = /^[A-Za-z0-9_-]{22}$/;

const broker = (brokerId: number, clusterId: string | null): RegisterBrokerRequest => ({
  brokerId,
  incarnationId: `i${brokerId}`,
  listeners: [],
  rack: null,
  previousShutdownClean: true,
  clusterId,
});

describe('cluster id on a one-voter quorum', () => {
  it('the first start writes a 22-character URL-safe id that a restart keeps; another data dir gets another id', async () => {
    const first = await fixture.start();
    const id = first.image.clusterId ?? '';
    expect(id).toMatch(idPattern);
    expect(id.startsWith('-')).toBe(false);
    // The id is the cluster's first record, the two default finalized features (metadata.version, transaction.version) follow it.
    expect(first.image.lastOffset).toBe(2n);
    expect(first.image.finalizedFeatures).toEqual(
      new Map([
        ['metadata.version', 25],
        ['transaction.version', 2],
      ]),
    );
    await first.stop();

    const again = await fixture.start();
    expect(again.image.clusterId).toBe(id);
    // The restarted controller found the id in its log and wrote no second one.
    expect(again.image.lastOffset).toBe(2n);

    const other = await fixture.start({ dataDir: await fixture.tempDir() });
    expect(other.image.clusterId).toMatch(idPattern);
    expect(other.image.clusterId).not.toBe(id);
  });

  it('a broker with another cluster id is refused naming both ids; this cluster id or none is accepted', async () => {
    const ours = await fixture.start();
    const other = await fixture.start({ dataDir: await fixture.tempDir() });
    const ourId = ours.image.clusterId ?? '';
    const theirId = other.image.clusterId ?? '';
    const offset = ours.image.lastOffset;

    const refused = await ours.channel.call('registerBroker', broker(1, theirId));
    expect(refused).toMatchObject({ ok: false, error: 'inconsistent_cluster_id' });
    const message = refused.ok ? '' : (refused.message ?? '');
    expect(message).toContain(theirId);
    expect(message).toContain(ourId);
    expect(ours.image.broker(1)).toBeUndefined();
    expect(ours.image.lastOffset).toBe(offset);

    expect(await ours.channel.call('registerBroker', broker(1, ourId))).toMatchObject({ ok: true });
    expect(await ours.channel.call('registerBroker', broker(2, null))).toMatchObject({ ok: true });
    expect(ours.image.brokers().map((b) => b.brokerId)).toEqual([1, 2]);
  });
});
