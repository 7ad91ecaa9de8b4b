/**
 * Transactional offset commits in the pure group machine: pending until the
 * transaction's marker, committed or dropped by it in log order, KIP-447
 * member checks, requireStable, and what deletion and retention do to them.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { LoadedPartition } from '../src/groups/types.ts';
import { Harness, testConfig } from './groups-harness.ts';

const E = ErrorCode;
const t0 = [{ topic: 't', partition: 0 }];

function txnCodes(h: Harness, ticket: number): number[] {
  return h.got('txnCommit', ticket).partitions.map((p) => p.errorCode);
}

function stableCodes(h: Harness, groupId = 'g'): number[] {
  return h.machine.fetch(groupId, t0, true).offsets.map((o) => o.errorCode);
}

describe('transactional offset commits: pending until the marker', () => {
  it('a written commit is pending: OffsetFetch shows the committed value, requireStable UNSTABLE_OFFSET_COMMIT', () => {
    const h = new Harness();
    expect(h.commitCodes({ memberId: '', generationId: -1 })).toEqual([E.NONE]);
    expect(txnCodes(h, h.txnCommit())).toEqual([E.NONE]);
    expect(h.writes.at(-1)).toMatchObject({ transaction: { producerId: 7n, producerEpoch: 0 }, group: null });
    expect(h.fetched()).toEqual([42n]);
    expect(h.machine.committedOffsets()).toEqual([{ groupId: 'g', topic: 't', partition: 0, offset: 42n }]);
    expect(stableCodes(h)).toEqual([E.UNSTABLE_OFFSET_COMMIT]);
    expect(h.machine.fetch('g', t0, true).offsets[0]?.offset).toBe(-1n);
    // Other partitions of the group are stable.
    expect(h.machine.fetch('g', [{ topic: 't', partition: 1 }], true).offsets[0]?.errorCode).toBe(E.NONE);
  });

  it('the COMMIT marker makes the pending commit the committed one', () => {
    const h = new Harness();
    h.txnCommit();
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([100n]);
    expect(stableCodes(h)).toEqual([E.NONE]);
    expect(h.machine.committedOffsets()).toEqual([{ groupId: 'g', topic: 't', partition: 0, offset: 100n }]);
  });

  it('the ABORT marker drops the pending commit and leaves the committed one', () => {
    const h = new Harness();
    h.commit({ memberId: '', generationId: -1 });
    h.txnCommit();
    h.endTxn(7n, 'abort');
    expect(h.fetched()).toEqual([42n]);
    expect(stableCodes(h)).toEqual([E.NONE]);
  });

  it("another producer's marker leaves the pending commit alone", () => {
    const h = new Harness();
    h.txnCommit();
    h.endTxn(8n, 'commit');
    expect(h.fetched()).toEqual([-1n]);
    expect(stableCodes(h)).toEqual([E.UNSTABLE_OFFSET_COMMIT]);
  });

  it('a plain commit written after the transactional one wins when the transaction commits (log order)', () => {
    const h = new Harness();
    h.txnCommit();
    h.commit({ memberId: '', generationId: -1 });
    expect(h.fetched()).toEqual([42n]);
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([42n]);
  });

  it('a plain commit written before the transactional one is replaced when the transaction commits', () => {
    const h = new Harness();
    h.commit({ memberId: '', generationId: -1 });
    h.txnCommit();
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([100n]);
  });

  it("a marker ends only the commits written before it: the producer's next transaction stays pending", () => {
    const h = new Harness();
    h.txnCommit();
    // The marker is appended, then the next transaction's commit, and only then is the marker's completion reported.
    const marker = h.logEnd++;
    const next = h.txnCommit({
      offsets: [{ topic: 't', partition: 0, offset: 200n, leaderEpoch: -1, metadata: null }],
    });
    expect(txnCodes(h, next)).toEqual([E.NONE]);
    h.endTxn(7n, 'commit', marker);
    expect(h.fetched()).toEqual([100n]);
    expect(stableCodes(h)).toEqual([E.UNSTABLE_OFFSET_COMMIT]);
    h.endTxn(7n, 'abort');
    expect(h.fetched()).toEqual([100n]);
    expect(stableCodes(h)).toEqual([E.NONE]);
  });

  it('a commit write that resolves only after its own marker was completed is completed, not left pending', () => {
    const h = new Harness();
    h.holdWrites = true;
    const ticket = h.txnCommit();
    h.endTxn(7n, 'commit');
    h.resolveWrites();
    expect(txnCodes(h, ticket)).toEqual([E.NONE]);
    expect(h.fetched()).toEqual([100n]);
    expect(stableCodes(h)).toEqual([E.NONE]);
  });

  it('a commit write still resolving when the coordinator aborts its transaction is dropped as it resolves', () => {
    const h = new Harness();
    h.commit({ memberId: '', generationId: -1 });
    h.holdWrites = true;
    const ticket = h.txnCommit();
    h.endTxn(7n, 'abort');
    h.resolveWrites();
    expect(txnCodes(h, ticket)).toEqual([E.NONE]);
    expect(h.fetched()).toEqual([42n]);
    expect(stableCodes(h)).toEqual([E.NONE]);
  });

  it('a refused epoch answers INVALID_PRODUCER_EPOCH and leaves nothing pending', () => {
    const h = new Harness();
    h.failWrites = 'invalid_producer_epoch';
    expect(txnCodes(h, h.txnCommit())).toEqual([E.INVALID_PRODUCER_EPOCH]);
    h.failWrites = null;
    expect(stableCodes(h)).toEqual([E.NONE]);
    h.failWrites = 'timed_out';
    expect(txnCodes(h, h.txnCommit())).toEqual([E.COORDINATOR_NOT_AVAILABLE]);
  });

  it('metadata over offset.metadata.max.bytes fails that partition only', () => {
    const h = new Harness();
    const ticket = h.txnCommit({
      offsets: [
        { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: 'x'.repeat(4097) },
        { topic: 't', partition: 1, offset: 2n, leaderEpoch: -1, metadata: null },
      ],
    });
    expect(txnCodes(h, ticket)).toEqual([E.OFFSET_METADATA_TOO_LARGE, E.NONE]);
    expect(h.writes.at(-1)?.offsets).toHaveLength(1);
  });
});

describe('transactional offset commits: group member checks (KIP-447)', () => {
  it('v0-2 requests (generation -1, no member) commit even for a group with members', () => {
    const h = new Harness();
    h.stableSingle();
    expect(txnCodes(h, h.txnCommit())).toEqual([E.NONE]);
  });

  it('a given member id must be a member, a given generation the current one', () => {
    const h = new Harness();
    const joined = h.stableSingle();
    const member = { memberId: joined.memberId, generationId: joined.generationId };
    expect(txnCodes(h, h.txnCommit({ memberId: 'ghost', generationId: joined.generationId }))).toEqual([
      E.UNKNOWN_MEMBER_ID,
    ]);
    expect(txnCodes(h, h.txnCommit({ ...member, generationId: joined.generationId + 1 }))).toEqual([
      E.ILLEGAL_GENERATION,
    ]);
    expect(txnCodes(h, h.txnCommit(member))).toEqual([E.NONE]);
  });

  it('a replaced static member is FENCED_INSTANCE_ID', () => {
    const h = new Harness();
    const first = h.stableSingle({ groupInstanceId: 'i1' });
    h.join({ groupInstanceId: 'i1' });
    const ticket = h.txnCommit({ memberId: first.memberId, generationId: first.generationId, groupInstanceId: 'i1' });
    expect(txnCodes(h, ticket)).toEqual([E.FENCED_INSTANCE_ID]);
  });

  it('an unknown group with a generation is ILLEGAL_GENERATION and is not created', () => {
    const h = new Harness();
    expect(txnCodes(h, h.txnCommit({ generationId: 3 }))).toEqual([E.ILLEGAL_GENERATION]);
    expect(h.machine.list()).toEqual([]);
  });
});

describe('transactional offset commits: deletion and retention', () => {
  it('retention keeps a commit an open transaction holds and the group; after the abort both go', () => {
    const h = new Harness({ ...testConfig, offsetsRetentionMs: 1000 });
    h.commit({ memberId: '', generationId: -1 });
    h.txnCommit();
    h.nowMs += 5000;
    h.expire();
    expect(h.fetched()).toEqual([42n]);
    expect(h.machine.list()).toHaveLength(1);
    h.endTxn(7n, 'abort');
    h.expire();
    expect(h.fetched()).toEqual([-1n]);
    h.expire();
    expect(h.machine.list()).toEqual([]);
  });

  it('a group with only pending commits is not dropped as unused', () => {
    const h = new Harness({ ...testConfig, offsetsRetentionMs: 1000 });
    h.txnCommit();
    h.nowMs += 5000;
    h.expire();
    expect(h.machine.list()).toHaveLength(1);
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([100n]);
  });

  it('DeleteGroups tombstones pending commits too (as Kafka): the later COMMIT finds nothing of the group', () => {
    const h = new Harness();
    h.txnCommit({ offsets: [{ topic: 'u', partition: 1, offset: 5n, leaderEpoch: -1, metadata: null }] });
    expect(h.got('deleteGroup', h.deleteGroup())).toBe(E.NONE);
    expect(h.writes.at(-1)).toMatchObject({
      offsets: [{ topic: 'u', partition: 1, value: null }],
      group: { value: null },
    });
    h.endTxn(7n, 'commit');
    expect(h.machine.list()).toEqual([]);
    expect(h.fetched('g', [{ topic: 'u', partition: 1 }])).toEqual([-1n]);
  });

  it('OffsetDelete of a partition with only a pending commit writes its tombstone and drops it', () => {
    const h = new Harness();
    h.txnCommit();
    expect(h.got('offsetDelete', h.offsetDelete(t0))).toMatchObject({ errorCode: E.NONE });
    expect(h.writes.at(-1)?.offsets).toEqual([{ topic: 't', partition: 0, value: null }]);
    expect(stableCodes(h)).toEqual([E.NONE]);
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([-1n]);
  });
});

describe('transactional offset commits: loaded state', () => {
  it('commits pending at the end of a load stay pending until their marker', () => {
    const pending = { offset: 9n, leaderEpoch: -1, metadata: '', commitTimestampMs: 1n, recordOffset: 4n };
    const loaded: LoadedPartition = {
      groups: new Map(),
      offsets: new Map(),
      pendingTxnOffsets: new Map([[7n, new Map([['g', new Map([['t:0', pending]])]])]]),
    };
    const h = new Harness(testConfig, loaded);
    h.logEnd = 5n;
    expect(h.fetched()).toEqual([-1n]);
    expect(stableCodes(h)).toEqual([E.UNSTABLE_OFFSET_COMMIT]);
    h.endTxn(7n, 'commit');
    expect(h.fetched()).toEqual([9n]);
  });
});
