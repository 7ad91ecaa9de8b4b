import type { Entry } from '@runnel/raft';
import { describe, expect, it } from 'vitest';
import { InvariantChecker } from '../src/index.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const entry = (index: number, term: number, data: string): Entry => ({
  index,
  term,
  type: 'normal',
  data: bytes(data),
});

describe('InvariantChecker', () => {
  it('consistent observations from several nodes leave no violation', () => {
    const checker = new InvariantChecker();
    checker.observeLeader(1, 1);
    checker.observeLeader(1, 1);
    checker.observeLogWrite(1, [entry(1, 1, 'a'), entry(2, 1, 'b')], 0);
    checker.observeLogWrite(2, [entry(1, 1, 'a')], 0);
    checker.observeLogWrite(2, [entry(2, 1, 'b')], 1);
    checker.observeCommitted(1, entry(1, 1, 'a'), 1);
    checker.observeCommitted(2, entry(1, 1, 'a'), 1);
    checker.observeApplied(1, 1, 42);
    checker.observeApplied(2, 1, 42);
    checker.observeRemoved(2, 2, 1);
    checker.checkLeader(3, 2, (index) => (index <= 2 ? 1 : 'missing'));
    expect(checker.violation).toBeNull();
  });

  it('two leaders in one term is an election-safety violation', () => {
    const checker = new InvariantChecker();
    checker.observeLeader(1, 3);
    checker.observeLeader(2, 3);
    expect(checker.violation?.invariant).toBe('election-safety');
  });

  it('one (index, term) with different data on two nodes is a log-matching violation', () => {
    const checker = new InvariantChecker();
    checker.observeLogWrite(1, [entry(5, 2, 'x')], 1);
    checker.observeLogWrite(2, [entry(5, 2, 'y')], 1);
    expect(checker.violation?.invariant).toBe('log-matching');
  });

  it('one (index, term) after different predecessor terms is a log-matching violation', () => {
    const checker = new InvariantChecker();
    checker.observeLogWrite(1, [entry(4, 1, 'p'), entry(5, 2, 'x')], 1);
    checker.observeLogWrite(2, [entry(4, 2, 'q'), entry(5, 2, 'x')], 1);
    expect(checker.violation?.invariant).toBe('log-matching');
  });

  it('a node dropping a committed entry is a committed-prefix violation', () => {
    const checker = new InvariantChecker();
    checker.observeCommitted(1, entry(3, 2, 'c'), 2);
    checker.observeRemoved(2, 3, 2);
    expect(checker.violation?.invariant).toBe('committed-prefix');
  });

  it('committing a different entry at a committed index is a committed-prefix violation', () => {
    const checker = new InvariantChecker();
    checker.observeCommitted(1, entry(3, 2, 'c'), 2);
    checker.observeCommitted(2, entry(3, 3, 'd'), 3);
    expect(checker.violation?.invariant).toBe('committed-prefix');
  });

  it('a leader of a later term missing an entry committed earlier is a leader-completeness violation', () => {
    const checker = new InvariantChecker();
    checker.observeCommitted(1, entry(7, 2, 'c'), 2);
    checker.checkLeader(2, 3, (index) => (index <= 6 ? 2 : 'missing'));
    expect(checker.violation?.invariant).toBe('leader-completeness');
  });

  it('a leader of the commit term itself is not held to entries committed in its own term', () => {
    const checker = new InvariantChecker();
    checker.observeCommitted(1, entry(7, 3, 'c'), 3);
    checker.checkLeader(2, 3, () => 'missing');
    checker.checkLeader(3, 4, (index) => (index === 7 ? 'compacted' : 1));
    expect(checker.violation).toBeNull();
  });

  it('different applied state at one index is a state-machine-safety violation', () => {
    const checker = new InvariantChecker();
    checker.observeApplied(1, 9, 1234);
    checker.observeApplied(2, 9, 4321);
    expect(checker.violation?.invariant).toBe('state-machine-safety');
  });

  it('keeps the first violation when later ones follow', () => {
    const checker = new InvariantChecker();
    checker.observeLeader(1, 1);
    checker.observeLeader(2, 1);
    checker.observeApplied(1, 1, 1);
    checker.observeApplied(2, 1, 2);
    expect(checker.violation?.invariant).toBe('election-safety');
  });
});

describe('InvariantChecker membership', () => {
  const genesis = { voters: [1, 2, 3], learners: [] };

  it('nodes applying the same conf change into the same configuration leave no violation', () => {
    const checker = new InvariantChecker();
    checker.observeGenesis(genesis);
    checker.observeConfApplied(1, 5, { voters: [1, 2, 3], learners: [4] });
    checker.observeConfApplied(2, 5, { voters: [3, 2, 1], learners: [4] });
    checker.observeConfSnapshot(4, 7, { voters: [1, 2, 3], learners: [4] });
    checker.observeConfSnapshot(5, 4, genesis);
    expect(checker.violation).toBeNull();
    expect(checker.committedConf).toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  it('a node applying a conf change into another configuration is a config-history violation', () => {
    const checker = new InvariantChecker();
    checker.observeGenesis(genesis);
    checker.observeConfApplied(1, 5, { voters: [1, 2], learners: [] });
    checker.observeConfApplied(2, 5, { voters: [1, 2, 3], learners: [] });
    expect(checker.violation?.invariant).toBe('config-history');
  });

  it('a snapshot carrying a configuration not in force at its index is a config-history violation', () => {
    const checker = new InvariantChecker();
    checker.observeGenesis(genesis);
    checker.observeConfApplied(1, 5, { voters: [1, 2], learners: [] });
    checker.observeConfSnapshot(3, 9, genesis);
    expect(checker.violation?.invariant).toBe('config-history');
  });

  it('a leader accepting a conf change while one is unapplied is a conf-change-overlap violation', () => {
    const checker = new InvariantChecker();
    checker.observeConfChangeProposal(1, false, 8);
    checker.observeConfChangeProposal(1, true, null);
    expect(checker.violation).toBeNull();
    checker.observeConfChangeProposal(1, true, 8);
    expect(checker.violation?.invariant).toBe('conf-change-overlap');
  });

  it('a node becoming leader outside its applied configuration is a removed-leader violation', () => {
    const checker = new InvariantChecker();
    checker.checkLeaderMembership(1, 4, genesis);
    // Still leading the same term after applying its own removal is the hand-off, not a new leadership.
    checker.checkLeaderMembership(1, 4, { voters: [2, 3], learners: [] });
    expect(checker.violation).toBeNull();
    checker.checkLeaderMembership(1, 5, { voters: [2, 3], learners: [] });
    expect(checker.violation?.invariant).toBe('removed-leader');
  });
});
