/**
 * Goal: prove the simulation's checkers catch real Raft bugs, so a green
 * run means something. Method: wrap the real RawNode to break it on purpose
 * (corrupt a follower's log; claim nothing needs syncing so crashes lose
 * acknowledged writes) and assert the schedule reports the violation and
 * the seed that replays it.
 */
import type { Ready } from '@runnel/raft';
import { describe, expect, it } from 'vitest';
import type { RaftImplementation, ScheduleResult, SimRaftNode } from '../src/index.ts';
import {
  delegateRaftNode,
  describeFailure,
  rawNodeImplementation,
  runSchedule,
  standardScheduleOptions,
} from '../src/index.ts';

/** Hands the driver an edited Ready, and gives raft back the original one on advance(). */
function editReadies(node: SimRaftNode, edit: (ready: Ready) => Ready): SimRaftNode {
  const handedOut = new Map<Ready, Ready>();
  return delegateRaftNode(node, {
    ready: () => {
      const original = node.ready();
      const edited = edit(original);
      handedOut.set(edited, original);
      return edited;
    },
    advance: (ready) => {
      const original = handedOut.get(ready);
      if (original === undefined) throw new Error('advance() with a Ready this wrapper did not hand out');
      handedOut.delete(ready);
      node.advance(original);
    },
  });
}

function withBrokenNodes(shouldBreak: (id: number) => boolean, edit: (ready: Ready) => Ready): RaftImplementation {
  return {
    createStorage: rawNodeImplementation.createStorage,
    createNode: (config) => {
      const node = rawNodeImplementation.createNode(config);
      return shouldBreak(config.id) ? editReadies(node, edit) : node;
    },
  };
}

/** Node 2 stores every entry it receives with its data bytes flipped. */
const corruptFollowerLog = withBrokenNodes(
  (id) => id === 2,
  (ready) => ({
    ...ready,
    entries: ready.entries.map((entry) => ({ ...entry, data: Uint8Array.from([...entry.data, 0xff], (b) => b ^ 1) })),
  }),
);

/** Every node claims its writes need no sync, so a crash can lose a vote or acknowledged entries. */
const neverSync = withBrokenNodes(
  () => true,
  (ready) => ({ ...ready, mustSync: false }),
);

/** Every node forgets whom it voted for when it restarts, so it can vote twice in one term. */
const forgetVoteOnRestart: RaftImplementation = {
  createStorage: (image) =>
    rawNodeImplementation.createStorage({ ...image, hardState: { ...image.hardState, vote: 0 } }),
  createNode: rawNodeImplementation.createNode,
};

/** Node 2 acknowledges conf changes but never tells its raft core, so it keeps the genesis configuration. */
const ignoreConfChanges = withNodeOverrides(
  (id) => id === 2,
  (node) => ({ applyConfChange: () => node.status().confState }),
);

function withNodeOverrides(
  shouldBreak: (id: number) => boolean,
  overrides: (node: SimRaftNode) => Partial<SimRaftNode>,
): RaftImplementation {
  return {
    createStorage: rawNodeImplementation.createStorage,
    createNode: (config) => {
      const node = rawNodeImplementation.createNode(config);
      return shouldBreak(config.id) ? delegateRaftNode(node, overrides(node)) : node;
    },
  };
}

function firstFailure(implementation: RaftImplementation, seedsMax: number, step = 1): ScheduleResult | null {
  for (let seed = step; seed <= seedsMax; seed += step) {
    const result = runSchedule(seed, { ...standardScheduleOptions(seed), implementation });
    if (result.violation !== null) return result;
  }
  return null;
}

describe('broken raft is caught', () => {
  it('a follower that corrupts its log entries is reported as a log-matching violation with its seed', () => {
    const failure = firstFailure(corruptFollowerLog, 5);
    expect(failure?.seed).toBe(1);
    expect(failure?.violation?.invariant).toBe('log-matching');
    const text = failure === null ? '' : describeFailure(failure, 'packages/testkit/test/broken-raft.test.ts');
    expect(text).toContain('seed 1: log-matching');
    expect(text).toContain('RAFT_SEED=1 npx vitest run packages/testkit/test/broken-raft.test.ts');
  });

  it('a raft that never asks for a sync loses acknowledged writes on crash and is caught', () => {
    const failure = firstFailure(neverSync, 200);
    expect(failure).not.toBeNull();
    expect(failure?.violation).not.toBeNull();
  });

  it('a node that forgets its vote on restart is caught electing two leaders in one term', () => {
    const failure = firstFailure(forgetVoteOnRestart, 600);
    expect(failure?.violation?.invariant).toBe('election-safety');
  });

  it('a node that never applies conf changes to its core is caught diverging from the configuration history', () => {
    const failure = firstFailure(ignoreConfChanges, 300, 3);
    expect(failure?.violation?.invariant).toBe('config-history');
  });

  it('the unbroken raft passes the same seeds the broken ones fail', () => {
    const failure = firstFailure(rawNodeImplementation, 20);
    expect(failure).toBeNull();
  });
});
