import type { ConfState, Entry, NodeId } from '@runnel/raft';

/** The properties a schedule checks; the first one broken ends the schedule. */
export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'committed-prefix'
  | 'state-machine-safety'
  | 'conf-change-overlap'
  | 'config-history'
  | 'removed-leader'
  | 'liveness'
  | 'raft-crashed';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

interface LogRecord {
  readonly dataKey: string;
  /** Term of the entry before it, or null when the writer did not know it (below its snapshot). */
  readonly previousTerm: number | null;
  readonly node: NodeId;
}

interface CommittedRecord {
  readonly index: number;
  readonly term: number;
  readonly dataKey: string;
  /** Term of the node that reported the commit; the entry was committed in this term or earlier. */
  readonly commitTerm: number;
}

/** Reads a leader's log: the term at an index, or why there is none. */
export type TermReader = (index: number) => number | 'compacted' | 'missing';

interface ConfRecord {
  readonly key: string;
  readonly confState: ConfState;
  readonly node: NodeId;
}

const sortedIds = (ids: readonly NodeId[]): NodeId[] => [...ids].sort((a, b) => a - b);
const confKeyOf = (conf: ConfState): string =>
  `voters=(${sortedIds(conf.voters).join(' ')}) learners=(${sortedIds(conf.learners).join(' ')})`;

const dataKeyOf = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.length).toString('hex');

/**
 * Cluster-wide Raft safety checker, fed observations by the simulation
 * driver and kept free of any raft code so it can be tested on its own:
 * one leader per term, log matching, leader completeness, a committed
 * prefix that never changes, identical applied state at equal indexes, and
 * for membership: one conf change in flight at a time, every node's applied
 * configurations following the committed history, and no leader outside
 * the configuration it has applied.
 *
 * Owned by one schedule. It records the first violation and keeps it;
 * later observations do not overwrite it, so the report names the cause.
 */
export class InvariantChecker {
  readonly #leaderOfTerm = new Map<number, NodeId>();
  readonly #logRecords = new Map<string, LogRecord>();
  readonly #committed = new Map<number, CommittedRecord>();
  readonly #committedInOrder: CommittedRecord[] = [];
  readonly #leaderCursors = new Map<string, number>();
  readonly #digestAt = new Map<number, { digest: number; node: NodeId }>();
  /** Configuration after each committed conf-change entry, by the entry's index. */
  readonly #confAt = new Map<number, ConfRecord>();
  /** Indexes of #confAt, ascending. */
  readonly #confIndexes: number[] = [];
  #genesisConf: ConfState | null = null;
  readonly #leadershipsSeen = new Set<string>();
  #violation: Violation | null = null;

  get violation(): Violation | null {
    return this.#violation;
  }

  /** Terms in which some node was seen leading. */
  get leaderTermCount(): number {
    return this.#leaderOfTerm.size;
  }

  get committedCount(): number {
    return this.#committed.size;
  }

  /** The newest committed configuration seen applied anywhere (the genesis one before any change), or null. */
  get committedConf(): ConfState | null {
    const newest = this.#confIndexes.at(-1);
    return newest === undefined ? this.#genesisConf : (this.#confAt.get(newest)?.confState ?? null);
  }

  fail(invariant: InvariantName, detail: string): void {
    if (this.#violation === null) this.#violation = { invariant, detail };
  }

  /** Election safety: a term has at most one leader, ever. */
  observeLeader(node: NodeId, term: number): void {
    const known = this.#leaderOfTerm.get(term);
    if (known === undefined) this.#leaderOfTerm.set(term, node);
    else if (known !== node) this.fail('election-safety', `term ${term} has two leaders: ${known} and ${node}`);
  }

  /**
   * Log matching, checked as each batch is written: an (index, term) pair
   * names one entry everywhere, with the same data and the same predecessor
   * term. By induction over the predecessor links, equal (index, term) pairs
   * mean equal prefixes.
   */
  observeLogWrite(node: NodeId, entries: readonly Entry[], previousTerm: number | null): void {
    let before = previousTerm;
    for (const entry of entries) {
      const key = `${entry.index}:${entry.term}`;
      const record: LogRecord = { dataKey: dataKeyOf(entry.data), previousTerm: before, node };
      const known = this.#logRecords.get(key);
      if (known === undefined) this.#logRecords.set(key, record);
      else if (known.dataKey !== record.dataKey) {
        this.fail('log-matching', `entry ${key} differs between node ${known.node} and node ${node}`);
      } else if (known.previousTerm !== null && before !== null && known.previousTerm !== before) {
        this.fail(
          'log-matching',
          `entry ${key} follows term ${known.previousTerm} on node ${known.node} but term ${before} on node ${node}`,
        );
      } else if (known.previousTerm === null && before !== null) this.#logRecords.set(key, record);
      before = entry.term;
    }
  }

  /** A node's log lost or replaced the entry at (index, term); that is only allowed for uncommitted entries. */
  observeRemoved(node: NodeId, index: number, term: number): void {
    const committed = this.#committed.get(index);
    if (committed !== undefined && committed.term === term) {
      this.fail('committed-prefix', `node ${node} removed committed entry ${index}:${term} from its log`);
    }
  }

  /** An entry a node applies is committed: it must agree with every earlier report for that index. */
  observeCommitted(node: NodeId, entry: Entry, nodeTerm: number): void {
    const dataKey = dataKeyOf(entry.data);
    const known = this.#committed.get(entry.index);
    if (known === undefined) {
      const record: CommittedRecord = { index: entry.index, term: entry.term, dataKey, commitTerm: nodeTerm };
      this.#committed.set(entry.index, record);
      this.#committedInOrder.push(record);
    } else if (known.term !== entry.term || known.dataKey !== dataKey) {
      this.fail(
        'committed-prefix',
        `node ${node} committed ${entry.index}:${entry.term} where ${entry.index}:${known.term} was committed before`,
      );
    }
  }

  /** A snapshot stands for committed entries: its (index, term) must match the committed record. */
  observeSnapshot(node: NodeId, index: number, term: number): void {
    const known = this.#committed.get(index);
    if (known !== undefined && known.term !== term) {
      this.fail(
        'committed-prefix',
        `node ${node} installed snapshot ${index}:${term}; ${index}:${known.term} is committed`,
      );
    }
  }

  /** State machine safety: every node that has applied up to `index` holds the same state. */
  observeApplied(node: NodeId, index: number, digest: number): void {
    if (index === 0) return;
    const known = this.#digestAt.get(index);
    if (known === undefined) this.#digestAt.set(index, { digest, node });
    else if (known.digest !== digest) {
      this.fail('state-machine-safety', `state at index ${index} differs between node ${known.node} and node ${node}`);
    }
  }

  /**
   * Leader completeness: a leader of term L holds every entry committed in a
   * term below L. Each (leader, term) keeps a cursor into the commit record,
   * so an entry is checked once per leadership and the check stays cheap.
   */
  checkLeader(node: NodeId, term: number, termAt: TermReader): void {
    const cursorKey = `${node}:${term}`;
    let cursor = this.#leaderCursors.get(cursorKey) ?? 0;
    for (; cursor < this.#committedInOrder.length; cursor++) {
      const record = this.#committedInOrder[cursor]!;
      if (record.commitTerm >= term) continue;
      const found = termAt(record.index);
      if (found === 'compacted') continue;
      if (found !== record.term) {
        this.fail(
          'leader-completeness',
          `leader ${node} of term ${term} has ${record.index}:${found}, but ${record.index}:${record.term} was committed in term ${record.commitTerm}`,
        );
        return;
      }
    }
    this.#leaderCursors.set(cursorKey, cursor);
  }

  /** The configuration every founding node starts from (in force before the first conf-change entry). */
  observeGenesis(confState: ConfState): void {
    this.#genesisConf = confState;
  }

  /**
   * Configuration history: applying the conf-change entry at `index` must
   * give every node the same configuration, so each node's sequence of
   * applied configurations is a prefix of the committed one.
   */
  observeConfApplied(node: NodeId, index: number, confState: ConfState): void {
    const key = confKeyOf(confState);
    const known = this.#confAt.get(index);
    if (known === undefined) {
      this.#confAt.set(index, { key, confState, node });
      let at = this.#confIndexes.length;
      while (at > 0 && (this.#confIndexes[at - 1] ?? 0) > index) at--;
      this.#confIndexes.splice(at, 0, index);
    } else if (known.key !== key) {
      this.fail('config-history', `node ${node} applied ${index} into ${key}; node ${known.node} into ${known.key}`);
    }
  }

  /**
   * A snapshot at `index` must carry the configuration in force there: the
   * one after the newest committed conf change at or below it. Whoever took
   * the snapshot applied those changes, so they are on record already.
   */
  observeConfSnapshot(node: NodeId, index: number, confState: ConfState): void {
    let expected: ConfState | null = this.#genesisConf;
    for (const at of this.#confIndexes) {
      if (at > index) break;
      expected = this.#confAt.get(at)?.confState ?? expected;
    }
    if (expected === null) return;
    const key = confKeyOf(confState);
    if (key !== confKeyOf(expected)) {
      this.fail(
        'config-history',
        `node ${node} got a snapshot at ${index} with ${key}; ${confKeyOf(expected)} is in force there`,
      );
    }
  }

  /**
   * One conf change in flight: a leader whose log holds a conf-change entry
   * it has not applied yet (pendingIndex) must refuse another one.
   */
  observeConfChangeProposal(node: NodeId, accepted: boolean, pendingIndex: number | null): void {
    if (accepted && pendingIndex !== null) {
      this.fail(
        'conf-change-overlap',
        `leader ${node} accepted a conf change while the one at ${pendingIndex} is unapplied`,
      );
    }
  }

  /**
   * A node whose applied configuration does not make it a voter (it applied
   * its own removal, or it is a fresh node not yet added) never becomes
   * leader. Checked when a leadership is first seen: a leader that applies
   * its own removal keeps leading until it has handed over.
   */
  checkLeaderMembership(node: NodeId, term: number, appliedConf: ConfState): void {
    const key = `${node}:${term}`;
    if (this.#leadershipsSeen.has(key)) return;
    this.#leadershipsSeen.add(key);
    if (!appliedConf.voters.includes(node)) {
      this.fail('removed-leader', `node ${node} leads term ${term} but its applied ${confKeyOf(appliedConf)}`);
    }
  }
}
