import type { Entry, NodeId } from '@runnel/raft';

/** The properties a schedule checks; the first one broken ends the schedule. */
export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'committed-prefix'
  | 'state-machine-safety'
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

const dataKeyOf = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.length).toString('hex');

/**
 * Cluster-wide Raft safety checker, fed observations by the simulation
 * driver and kept free of any raft code so it can be tested on its own:
 * one leader per term, log matching, leader completeness, a committed
 * prefix that never changes, and identical applied state at equal indexes.
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
}
