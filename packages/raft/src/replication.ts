/**
 * Log replication, both sides. The leader sends appends (flow-controlled per
 * follower, see progress.ts), heartbeats, and snapshots when a follower needs
 * entries that are compacted; it commits an index once a majority of voters
 * holds it and the entry is from its own term (Raft §5.4.2). The follower
 * runs the log-matching check and answers with its match, or with a hint
 * that lets the leader skip a whole term of mismatching entries at once.
 */
import { assert } from '@runnel/common';
import type { Progress } from './progress.ts';
import { committedIndex } from './quorum.ts';
import type { RaftState } from './raft-state.ts';
import type { Entry, Message, NodeId } from './types.ts';

export type Proposal = Pick<Entry, 'type' | 'data'>;

/** The leader appends to its own log; its own progress counts towards the commit at once. */
export function appendEntries(r: RaftState, proposals: readonly Proposal[]): void {
  assert(r.role === 'leader', 'only the leader appends proposals');
  const first = r.log.lastIndex() + 1;
  const entries = proposals.map((p, i): Entry => ({ term: r.term, index: first + i, type: p.type, data: p.data }));
  const lastIndex = r.log.append(entries);
  r.progress.get(r.id)?.maybeUpdate(lastIndex);
  maybeCommit(r);
}

/** Advances the commit index to the quorum's match, if that entry is of our term. True if it moved. */
export function maybeCommit(r: RaftState): boolean {
  const index = committedIndex(r.voters, (id) => r.progress.get(id)?.match ?? 0);
  if (index <= r.log.committed || r.log.term(index) !== r.term) return false;
  r.log.commitTo(index);
  return true;
}

export function bcastAppend(r: RaftState): void {
  for (const id of r.peers()) sendAppend(r, id, true);
}

export function bcastHeartbeat(r: RaftState): void {
  for (const id of r.peers()) {
    const progress = r.progress.get(id);
    if (progress === undefined) continue;
    // Never tell a follower to commit past what we know it holds.
    r.send({ type: 'heartbeat', to: id, commit: Math.min(progress.match, r.log.committed) });
  }
}

/**
 * Sends one append (or a snapshot) to `to` unless flow control pauses it.
 * With sendIfEmpty false, sends only when there are entries to carry.
 * True when a message was sent.
 */
export function sendAppend(r: RaftState, to: NodeId, sendIfEmpty: boolean): boolean {
  const progress = r.progress.get(to);
  if (progress === undefined || progress.isPaused()) return false;
  const prevIndex = progress.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const lastIndex = r.log.lastIndex();
  const entries = r.log.slice(progress.next, lastIndex + 1, r.config.messageBytesMax);
  if (prevTerm === undefined || entries === undefined) return sendSnapshot(r, to, progress);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed });
  const last = entries.at(-1);
  if (last !== undefined && progress.state === 'replicate') {
    progress.optimisticUpdate(last.index);
    progress.inflights.add(last.index);
  } else if (progress.state === 'probe') {
    progress.probeSent = true;
  }
  return true;
}

function sendSnapshot(r: RaftState, to: NodeId, progress: Progress): boolean {
  // A node we have not heard from lately is probably down; do not ship it a whole image.
  if (!progress.recentActive) return false;
  const snapshot = r.log.snapshot();
  assert(snapshot.metadata.index > 0, `follower ${to} needs compacted entries but there is no snapshot`);
  progress.becomeSnapshot(snapshot.metadata.index);
  r.send({ type: 'snapshot', to, snapshot });
  return true;
}

export function handleAppendResponse(r: RaftState, m: Message, progress: Progress): void {
  if (m.reject) {
    // With the follower's term at the hint, skip every entry of ours that cannot match it.
    const hint = m.logTerm > 0 ? r.log.findConflictByTerm(m.rejectHint, m.logTerm) : m.rejectHint;
    if (progress.maybeDecreaseTo(m.index, hint)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      sendAppend(r, m.from, true);
    }
    return;
  }
  const wasPaused = progress.isPaused();
  if (!progress.maybeUpdate(m.index)) return;
  if (progress.state === 'probe') {
    progress.becomeReplicate();
  } else if (progress.state === 'snapshot' && progress.match + 1 >= r.log.firstIndex()) {
    // The follower has what it needs from the snapshot and can be fed entries again.
    progress.becomeProbe();
    progress.becomeReplicate();
  } else if (progress.state === 'replicate') {
    progress.inflights.freeLE(m.index);
  }
  if (maybeCommit(r)) bcastAppend(r);
  // A follower we were holding back has not heard the current commit yet.
  else if (wasPaused) sendAppend(r, m.from, true);
  // Fill the inflight window; bounded by it, since every send with entries adds one inflight.
  while (sendAppend(r, m.from, false)) {}
}

export function handleHeartbeatResponse(r: RaftState, m: Message, progress: Progress): void {
  // Only a rejoining follower (RaftConfig.rejoining) rejects a heartbeat: it lost what it acknowledged.
  if (m.reject && m.rejectHint < progress.match) progress.forgetMatch(m.rejectHint);
  progress.probeSent = false;
  // The follower is alive: unstick a full window in case an append was lost.
  if (progress.state === 'replicate' && progress.inflights.full()) progress.inflights.freeFirstOne();
  if (progress.match < r.log.lastIndex()) sendAppend(r, m.from, true);
}

// Follower side.

export function handleAppend(r: RaftState, m: Message): void {
  if (m.index < r.log.committed) {
    // Everything up to our commit is already settled; tell the leader where we are.
    r.send({ type: 'append-response', to: m.from, index: r.log.committed });
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send({ type: 'append-response', to: m.from, index: lastNew });
    return;
  }
  const hintIndex = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send({
    type: 'append-response',
    to: m.from,
    reject: true,
    index: m.index,
    rejectHint: hintIndex,
    logTerm: r.log.term(hintIndex) ?? 0,
  });
}

export function handleHeartbeat(r: RaftState, m: Message): void {
  // A heartbeat carries no log-matching check, so its commit index speaks for our log only
  // once that is a prefix of the leader's: when our last entry is of its term (we accepted
  // one of its appends). A heartbeat sent before a node was wiped and re-added under the same
  // id reaches an empty log; a stale log could otherwise commit entries the leader never had.
  if (r.log.lastTerm() === r.term) r.log.commitTo(Math.min(m.commit, r.log.lastIndex()));
  // Restarted on lost storage, we tell the leader where our log really ends: it may still count
  // on entries we acknowledged before, and would never send them again.
  if (r.rejoining) r.send({ type: 'heartbeat-response', to: m.from, reject: true, rejectHint: r.log.lastIndex() });
  else r.send({ type: 'heartbeat-response', to: m.from });
}

export function handleSnapshot(r: RaftState, m: Message): void {
  const snapshot = m.snapshot;
  assert(snapshot !== null, 'snapshot message without a snapshot');
  const { index, term } = snapshot.metadata;
  if (index <= r.log.committed) {
    r.send({ type: 'append-response', to: m.from, index: r.log.committed });
    return;
  }
  if (r.log.matchTerm(index, term)) {
    // We already hold the snapshot's last entry, hence everything before it: just commit.
    r.log.commitTo(index);
  } else {
    r.log.restore(snapshot);
    r.voters = [...snapshot.metadata.confState.voters];
    r.learners = [...snapshot.metadata.confState.learners];
  }
  r.send({ type: 'append-response', to: m.from, index: r.log.lastIndex() });
}
