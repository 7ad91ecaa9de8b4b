import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import type { RaftConfig } from '../src/index.ts';
import { decodeConfChange, encodeConfChange, MemoryStorage, RawNode } from '../src/index.ts';

function config(storage: MemoryStorage, applied = 0): RaftConfig {
  return {
    id: 1,
    storage,
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: true,
    checkQuorum: true,
    inflightMessagesMax: 8,
    messageBytesMax: 1024,
    applied,
    random: new Random(1),
  };
}

/** Handles every Ready the way a driver must; returns the data of applied normal entries. */
function drain(node: RawNode, storage: MemoryStorage): string[] {
  const applied: string[] = [];
  for (let round = 0; round < 100 && node.hasReady(); round++) {
    const ready = node.ready();
    storage.append(ready.entries);
    if (ready.hardState !== null) storage.setHardState(ready.hardState);
    for (const entry of ready.committedEntries) {
      if (entry.type === 'normal' && entry.data.byteLength > 0) applied.push(new TextDecoder().decode(entry.data));
    }
    node.advance(ready);
  }
  expect(node.hasReady()).toBe(false);
  return applied;
}

describe('RawNode', () => {
  it('a single voter elects itself on campaign and commits proposals alone', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const node = new RawNode(config(storage));
    expect(node.propose(new Uint8Array([1])).ok).toBe(false);
    node.campaign();
    expect(node.status().role).toBe('leader');
    expect(node.propose(new TextEncoder().encode('x'))).toEqual({ ok: true, value: undefined });
    expect(drain(node, storage)).toEqual(['x']);
    expect(node.status()).toMatchObject({ term: 1, commit: 2, applied: 2, lastIndex: 2 });
  });

  it('a follower times out between electionTicks and 2 * electionTicks ticks', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const node = new RawNode(config(storage));
    let ticks = 0;
    while (node.status().role === 'follower' && ticks < 100) {
      node.tick();
      ticks++;
    }
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(ticks).toBeLessThan(20);
  });

  it('a restarted node resumes from storage with its term, vote, log and applied index', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const first = new RawNode(config(storage));
    first.campaign();
    first.propose(new TextEncoder().encode('y'));
    drain(first, storage);
    const restarted = new RawNode(config(storage, 2));
    expect(restarted.status()).toMatchObject({
      term: 1,
      vote: 1,
      commit: 2,
      applied: 2,
      lastIndex: 2,
      role: 'follower',
    });
    expect(restarted.hasReady()).toBe(false);
  });

  it('the Ready of a new leader (new term, vote and entry) must be synced, and nothing is left after advance', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const node = new RawNode(config(storage));
    node.campaign();
    const ready = node.ready();
    expect(ready.mustSync).toBe(true);
    node.advance(ready);
    expect(node.hasReady()).toBe(false);
  });

  it('advance with a Ready that is not the outstanding one asserts', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const node = new RawNode(config(storage));
    node.campaign();
    const ready = node.ready();
    expect(() => node.advance({ ...ready })).toThrow(/not the outstanding one/);
  });

  it('a second conf change is refused while the first is not applied', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const node = new RawNode(config(storage));
    node.campaign();
    expect(node.proposeConfChange({ type: 'add-learner', nodeId: 2 }).ok).toBe(true);
    expect(node.proposeConfChange({ type: 'add-voter', nodeId: 3 })).toMatchObject({ error: 'change_in_progress' });
    expect(node.proposeConfChange({ type: 'remove-voter', nodeId: 1 }).ok).toBe(false);
  });

  it('conf changes round-trip through their 5-byte encoding', () => {
    for (const change of [
      { type: 'add-voter', nodeId: 7 },
      { type: 'remove-voter', nodeId: 65_536 },
      { type: 'add-learner', nodeId: 1 },
    ] as const) {
      expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
    }
    expect(() => decodeConfChange(new Uint8Array([9, 0, 0, 0, 1]))).toThrow(/unknown conf change/);
  });
});
