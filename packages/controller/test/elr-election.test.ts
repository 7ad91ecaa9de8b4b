import type { MetadataRecord, PartitionImage } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { alterPartition } from '../src/logic/alter-partition.ts';
import { electOfflineLeaders, fenceBroker, unfenceBroker } from '../src/logic/broker-fencing.ts';
import { registerBrokerWithElr } from '../src/logic/register-broker.ts';

const topicId = '11111111-2222-3333-4444-555555555555';

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

/** Brokers 1-3 live; topic "t" with one partition on [1, 2, 3], all in sync, and the given topic configs. */
function cluster(configs: Record<string, string> = {}): MetadataImage {
  const records: MetadataRecord[] = [1, 2, 3].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `inc-${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push({ type: 'topic', name: 't', topicId });
  for (const [name, value] of Object.entries(configs)) {
    records.push({ type: 'config', resourceType: 'topic', resourceName: 't', name, value });
  }
  records.push({
    type: 'partition',
    topicId,
    partition: 0,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    elr: [],
    lastKnownElr: [],
    addingReplicas: [],
    removingReplicas: [],
  });
  return apply(MetadataImage.empty, records);
}

const p0 = (image: MetadataImage): PartitionImage => {
  const p = image.partition('t', 0);
  if (p === undefined) throw new Error('no partition t-0');
  return p;
};

const fence = (image: MetadataImage, id: number, config = {}) => apply(image, fenceBroker(image, id, config));
const unfence = (image: MetadataImage, id: number, config = {}) => apply(image, unfenceBroker(image, id, config));

/** `id` restarts: registers (fenced until caught up), then its heartbeat unfences it. */
function restart(image: MetadataImage, id: number, clean: boolean): MetadataImage {
  const req = {
    brokerId: id,
    incarnationId: `again-${id}`,
    listeners: [],
    rack: null,
    previousShutdownClean: clean,
    clusterId: null,
  };
  const registered = registerBrokerWithElr(image, req, new Map(), { fenced: true, brokerConfig: {} });
  expect(registered.result.ok).toBe(true);
  return unfence(apply(image, registered.records), id);
}

describe('eligible leader replicas (KIP-966)', () => {
  it('last replica standing: an unclean survivor is not elected; a clean ELR member is', () => {
    let image = cluster({ 'min.insync.replicas': '2' });
    image = fence(image, 1);
    // ISR {2,3} is still at min ISR: broker 1 is simply out.
    expect(p0(image)).toMatchObject({ leader: 2, isr: [2, 3], elr: [] });
    image = fence(image, 2);
    // ISR {3} is below min ISR: the high watermark stops, so 2 still holds every committed record.
    expect(p0(image)).toMatchObject({ leader: 3, isr: [3], elr: [2] });
    image = fence(image, 3);
    expect(p0(image)).toMatchObject({ leader: -1, isr: [], elr: [2, 3] });

    // The last leader comes back after a crash that may have lost unflushed records.
    image = restart(image, 3, false);
    expect(p0(image)).toMatchObject({ leader: -1, isr: [], elr: [2] });
    expect(image.broker(3)?.fenced).toBe(false);

    // The clean ELR member returns and leads, alone in the ISR.
    const leaderEpoch = p0(image).leaderEpoch;
    image = restart(image, 2, true);
    expect(p0(image)).toMatchObject({ leader: 2, isr: [2], elr: [], leaderEpoch: leaderEpoch + 1 });
  });

  it('with the default min ISR of 1 only the last ISR member becomes eligible', () => {
    let image = cluster();
    image = fence(fence(image, 1), 2);
    expect(p0(image)).toMatchObject({ leader: 3, isr: [3], elr: [] });
    image = fence(image, 3);
    expect(p0(image)).toMatchObject({ leader: -1, isr: [], elr: [3] });
    // Broker 1 is live but was never eligible: the partition waits for 3.
    image = unfence(image, 1);
    expect(p0(image).leader).toBe(-1);
    image = unfence(image, 3);
    expect(p0(image)).toMatchObject({ leader: 3, isr: [3], elr: [] });
  });

  it('an unclean restart that empties the ELR keeps the survivors as lastKnownElr, which lead when nobody better is left', () => {
    let image = cluster();
    image = fence(fence(fence(image, 1), 2), 3);
    expect(p0(image)).toMatchObject({ isr: [], elr: [3] });
    image = restart(image, 3, false);
    // Nobody else ever held more than 3 did: it is the best copy there is.
    expect(p0(image)).toMatchObject({ leader: 3, isr: [3], elr: [], lastKnownElr: [] });
  });

  it('lastKnownElr records the last eligible replicas while the partition waits', () => {
    let image = cluster();
    image = fence(fence(fence(image, 1), 2), 3);
    const req = {
      brokerId: 3,
      incarnationId: 'again',
      listeners: [],
      rack: null,
      previousShutdownClean: false,
      clusterId: null,
    };
    const registered = registerBrokerWithElr(image, req, new Map(), { fenced: true, brokerConfig: {} });
    image = apply(image, registered.records);
    expect(p0(image)).toMatchObject({ leader: -1, isr: [], elr: [], lastKnownElr: [3] });
  });

  it('a leader shrinking the ISR below min ISR makes the removed followers eligible; an expansion to min ISR clears the ELR', () => {
    let image = cluster({ 'min.insync.replicas': '2' });
    const ask = (isr: number[]) => {
      const p = p0(image);
      return { leaderId: 1, topicId, partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr };
    };
    let outcome = alterPartition(image, ask([1]), {});
    image = apply(image, outcome.records);
    expect(p0(image)).toMatchObject({ isr: [1], elr: [2, 3] });
    outcome = alterPartition(image, ask([1, 3]), {});
    image = apply(image, outcome.records);
    expect(p0(image)).toMatchObject({ isr: [1, 3], elr: [] });
  });

  it('a follower rejoining an ISR still below min ISR leaves the ELR, the others stay', () => {
    let image = cluster({ 'min.insync.replicas': '3' });
    const p = p0(image);
    const shrink = { leaderId: 1, topicId, partition: 0, leaderEpoch: 0, partitionEpoch: p.partitionEpoch, isr: [1] };
    image = apply(image, alterPartition(image, shrink, {}).records);
    expect(p0(image).elr).toEqual([2, 3]);
    const expand = { ...shrink, partitionEpoch: p0(image).partitionEpoch, isr: [1, 2] };
    image = apply(image, alterPartition(image, expand, {}).records);
    expect(p0(image)).toMatchObject({ isr: [1, 2], elr: [3] });
  });

  it('the cluster default min ISR comes from the static broker config unless the topic overrides it', () => {
    const twoByDefault = { 'min.insync.replicas': '2' };
    let image = cluster();
    image = fence(fence(image, 1, twoByDefault), 2, twoByDefault);
    expect(p0(image)).toMatchObject({ isr: [3], elr: [2] });
    let overridden = cluster({ 'min.insync.replicas': '1' });
    overridden = fence(fence(overridden, 1, twoByDefault), 2, twoByDefault);
    expect(p0(overridden)).toMatchObject({ isr: [3], elr: [] });
  });
});

describe('unclean leader election', () => {
  /** Partition on [1,2,3] whose only eligible replica (3) is fenced, while 1 and 2 are live. */
  function waitingFor3(configs: Record<string, string> = {}): MetadataImage {
    let image = cluster(configs);
    image = fence(fence(fence(image, 1), 2), 3);
    return unfence(unfence(image, 1), 2);
  }

  it('is off by default: the partition stays offline while only non-eligible replicas are live', () => {
    const image = waitingFor3();
    expect(p0(image)).toMatchObject({ leader: -1, isr: [], elr: [3] });
    expect(electOfflineLeaders(image, {})).toEqual([]);
  });

  it('elects the first live replica alone in the ISR, with a new leader epoch, when the topic enables it', () => {
    const image = waitingFor3({ 'unclean.leader.election.enable': 'true' });
    // Enabled before the brokers came back: the first unfencing elected broker 1.
    expect(p0(image)).toMatchObject({ leader: 1, isr: [1], elr: [], lastKnownElr: [] });
  });

  it('turning it on later elects the offline partition at once', () => {
    const image = waitingFor3();
    const epoch = p0(image).leaderEpoch;
    const enabled = apply(image, [
      {
        type: 'config',
        resourceType: 'topic',
        resourceName: 't',
        name: 'unclean.leader.election.enable',
        value: 'true',
      },
    ]);
    const after = apply(enabled, electOfflineLeaders(enabled, {}));
    expect(p0(after)).toMatchObject({ leader: 1, isr: [1], elr: [], leaderEpoch: epoch + 1 });
  });

  it('the cluster default (static config or the dynamic cluster resource) enables it for topics without an override', () => {
    const image = waitingFor3();
    expect(p0(apply(image, electOfflineLeaders(image, { 'unclean.leader.election.enable': 'true' }))).leader).toBe(1);
    const dynamic = apply(image, [
      {
        type: 'config',
        resourceType: 'broker',
        resourceName: '',
        name: 'unclean.leader.election.enable',
        value: 'true',
      },
    ]);
    expect(p0(apply(dynamic, electOfflineLeaders(dynamic, {}))).leader).toBe(1);
  });
});
