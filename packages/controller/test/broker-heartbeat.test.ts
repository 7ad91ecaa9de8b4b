import type { MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { brokerHeartbeat, expireSessions } from '../src/logic/broker-heartbeat.ts';
import { BrokerSessions } from '../src/logic/broker-sessions.ts';

const topicId = '11111111-2222-3333-4444-555555555555';

function apply(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

function cluster(): MetadataImage {
  const records: MetadataRecord[] = [1, 2].map((brokerId) => ({
    type: 'register-broker',
    brokerId,
    incarnationId: `00000000-0000-0000-0000-00000000000${brokerId}`,
    brokerEpoch: BigInt(brokerId - 1),
    listeners: [],
    rack: null,
  }));
  records.push({ type: 'topic', name: 't', topicId });
  records.push({
    type: 'partition',
    topicId,
    partition: 0,
    replicas: [1, 2],
    isr: [1, 2],
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

const beat = (
  brokerId: number,
  brokerEpoch: bigint,
  extra: Partial<{ metadataOffset: bigint; wantShutDown: boolean }> = {},
) => ({
  brokerId,
  brokerEpoch,
  metadataOffset: extra.metadataOffset ?? 100n,
  wantShutDown: extra.wantShutDown ?? false,
});

describe('broker sessions and heartbeats', () => {
  it('a broker whose heartbeats stop is fenced after the session timeout, and its partitions move', () => {
    let image = cluster();
    const sessions = new BrokerSessions(1000);
    sessions.resetAll(image.brokers(), 0);
    brokerHeartbeat(image, sessions, beat(2, 1n), 900, {});
    expect(expireSessions(image, sessions, 1000, apply, {}).fenced).toEqual([]);
    const expired = expireSessions(image, sessions, 1001, apply, {});
    expect(expired.fenced).toEqual([1]);
    image = apply(image, expired.records);
    expect(image.broker(1)?.fenced).toBe(true);
    expect(image.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('a fenced broker is unfenced once its heartbeat shows it replayed up to its registration', () => {
    let image = cluster();
    const sessions = new BrokerSessions(1000);
    sessions.resetAll(image.brokers(), 0);
    image = apply(image, expireSessions(image, sessions, 5000, apply, {}).records);
    expect(image.broker(1)?.fenced).toBe(true);
    const behind = brokerHeartbeat(image, sessions, beat(1, 0n, { metadataOffset: -1n }), 6000, {});
    expect(behind.records).toEqual([]);
    expect(behind.result).toEqual({ ok: true, value: { fenced: true, caughtUp: false, shouldShutDown: false } });
    const caughtUp = brokerHeartbeat(image, sessions, beat(1, 0n, { metadataOffset: 0n }), 6001, {});
    image = apply(image, caughtUp.records);
    expect(image.broker(1)?.fenced).toBe(false);
  });

  it('controlled shutdown moves leadership first, then fences, then lets the broker exit', () => {
    let image = cluster();
    const sessions = new BrokerSessions(1000);
    const first = brokerHeartbeat(image, sessions, beat(1, 0n, { wantShutDown: true }), 0, {});
    expect(first.result).toMatchObject({ ok: true, value: { shouldShutDown: false } });
    image = apply(image, first.records);
    expect(image.partition('t', 0)?.leader).toBe(2);
    const second = brokerHeartbeat(image, sessions, beat(1, 0n, { wantShutDown: true }), 10, {});
    expect(second.result).toMatchObject({ ok: true, value: { shouldShutDown: true, fenced: true } });
    image = apply(image, second.records);
    expect(image.broker(1)?.fenced).toBe(true);
  });

  it('a broker told to exit after controlled shutdown holds no session: a new incarnation takes its id at once', () => {
    let image = cluster();
    const sessions = new BrokerSessions(1000);
    sessions.resetAll(image.brokers(), 0);
    image = apply(image, brokerHeartbeat(image, sessions, beat(1, 0n, { wantShutDown: true }), 0, {}).records);
    const done = brokerHeartbeat(image, sessions, beat(1, 0n, { wantShutDown: true }), 10, {});
    expect(done.result).toMatchObject({ ok: true, value: { shouldShutDown: true } });
    expect(sessions.get(1)).toBeUndefined();
    expect(sessions.touch(1, 'next', 9n, 20)).toBe(true);
    // Broker 2 was never told to exit: its session still keeps another incarnation out.
    expect(sessions.touch(2, 'other', 9n, 20)).toBe(false);
  });

  it('a new active controller starts sessions for unfenced brokers only', () => {
    const sessions = new BrokerSessions(1000);
    const brokers = [
      { brokerId: 1, incarnationId: 'a', brokerEpoch: 0n, fenced: false },
      { brokerId: 2, incarnationId: 'b', brokerEpoch: 1n, fenced: true },
    ];
    sessions.resetAll(brokers, 0);
    expect(sessions.get(1)).toMatchObject({ incarnationId: 'a', lastSeenMs: 0 });
    expect(sessions.get(2)).toBeUndefined();
    expect(sessions.touch(2, 'b2', 5n, 1)).toBe(true);
    expect(sessions.touch(1, 'a2', 5n, 1)).toBe(false);
  });

  it('refuses heartbeats from unknown brokers and stale epochs', () => {
    const image = cluster();
    const sessions = new BrokerSessions(1000);
    expect(brokerHeartbeat(image, sessions, beat(9, 0n), 0, {}).result).toMatchObject({
      ok: false,
      error: 'unknown_broker',
    });
    expect(brokerHeartbeat(image, sessions, beat(1, 7n), 0, {}).result).toMatchObject({
      ok: false,
      error: 'stale_broker_epoch',
    });
  });

  it('another incarnation cannot take a live session, but can after it expires', () => {
    const sessions = new BrokerSessions(1000);
    expect(sessions.touch(1, 'a', 0n, 0)).toBe(true);
    expect(sessions.touch(1, 'b', 5n, 500)).toBe(false);
    expect(sessions.touch(1, 'b', 5n, 1500)).toBe(true);
  });

  it('a broker reporting its log directory offline loses leadership and ISR membership to a live ISR member, stays unfenced, and repeats change nothing', () => {
    let image = cluster();
    const sessions = new BrokerSessions(1000);
    sessions.resetAll(image.brokers(), 0);
    const offline = { ...beat(1, 0n), offlineLogDirs: ['/data/broker-1'] };
    const first = brokerHeartbeat(image, sessions, offline, 10, {});
    expect(first.result).toEqual({ ok: true, value: { fenced: false, caughtUp: true, shouldShutDown: false } });
    image = apply(image, first.records);
    expect(image.partition('t', 0)).toMatchObject({ leader: 2, isr: [2] });
    expect(image.broker(1)?.fenced).toBe(false);
    expect(brokerHeartbeat(image, sessions, offline, 20, {}).records).toEqual([]);
    // Back online: nothing moves back by itself; the leader re-adds it once it has caught up.
    expect(brokerHeartbeat(image, sessions, beat(1, 0n), 30, {}).records).toEqual([]);
  });

  it('a partition whose only ISR member is the broker with the offline log directory keeps it as leader', () => {
    let image = cluster();
    image = apply(image, [
      {
        type: 'partition',
        topicId,
        partition: 0,
        replicas: [1, 2],
        isr: [1],
        leader: 1,
        leaderEpoch: 1,
        partitionEpoch: 1,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      },
    ]);
    const sessions = new BrokerSessions(1000);
    sessions.resetAll(image.brokers(), 0);
    const offline = { ...beat(1, 0n), offlineLogDirs: ['/data/broker-1'] };
    expect(brokerHeartbeat(image, sessions, offline, 10, {}).records).toEqual([]);
    expect(image.partition('t', 0)).toMatchObject({ leader: 1, isr: [1] });
  });
});
