/**
 * What the Raft leader learns about its voters beyond Raft's own progress,
 * for DescribeQuorum: when each last answered (an append or heartbeat
 * response is Raft's "fetch"), when each last held everything the leader
 * had, and which metadata offset each Raft index ends at (Raft counts
 * entries, brokers and operators count metadata offsets; one entry holds
 * one or more records).
 *
 * Owned by the RaftDriver, which feeds it every message it steps and every
 * entry it applies; pure bookkeeping, with time passed in. The index map
 * keeps the newest `indexesMax` entries: a voter further behind reports an
 * unknown (-1) log end offset.
 */

export interface VoterContact {
  /** Wall-clock ms of the voter's latest answer to the leader; -1 before any. */
  readonly lastFetchMs: number;
  /** Wall-clock ms when its log last matched the leader's end; -1 before that. */
  readonly lastCaughtUpMs: number;
}

const indexesMax = 4096;

export class QuorumProgress {
  readonly #contacts = new Map<number, { lastFetchMs: number; lastCaughtUpMs: number }>();
  /** Ascending (raft index, metadata offset after that entry) pairs of applied entries. */
  readonly #offsets: { index: number; offset: bigint }[] = [];

  /** A voter answered the leader; `caughtUp`: its match now reaches the leader's last index. */
  onAnswer(voter: number, nowMs: number, caughtUp: boolean): void {
    const contact = this.#contacts.get(voter) ?? { lastFetchMs: -1, lastCaughtUpMs: -1 };
    contact.lastFetchMs = nowMs;
    if (caughtUp) contact.lastCaughtUpMs = nowMs;
    this.#contacts.set(voter, contact);
  }

  /** This node applied the entry at `index`; the metadata log then ended at `offset`. */
  onApplied(index: number, offset: bigint): void {
    const last = this.#offsets.at(-1);
    if (last !== undefined && last.index >= index) return;
    this.#offsets.push({ index, offset });
    if (this.#offsets.length > indexesMax) this.#offsets.splice(0, this.#offsets.length - indexesMax);
  }

  /** Leadership changed hands: what the old leader heard says nothing about the new term. */
  forgetContacts(): void {
    this.#contacts.clear();
  }

  contact(voter: number): VoterContact {
    return this.#contacts.get(voter) ?? { lastFetchMs: -1, lastCaughtUpMs: -1 };
  }

  /**
   * The metadata offset a log ending at Raft index `index` reaches: that of
   * the newest applied entry at or below it; -1 when it is older than the
   * entries remembered (or before any).
   */
  offsetAt(index: number): bigint {
    const first = this.#offsets[0];
    if (first === undefined || index < first.index) return -1n;
    let lo = 0;
    let hi = this.#offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#offsets[mid]?.index ?? Number.POSITIVE_INFINITY) <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.#offsets[lo]?.offset ?? -1n;
  }
}
