/**
 * Membership: one single-server change at a time. A change is proposed as a
 * conf-change entry; it takes effect on each node when the driver applies
 * the committed entry and calls RawNode.applyConfChange. Until then the
 * leader refuses another change (pendingConfIndex), which keeps every two
 * consecutive configurations overlapping in a majority. A leader that
 * applies its own removal hands leadership over (leadership-transfer.ts).
 */
import { nextConfState } from './conf-change.ts';
import { handOffLeadership } from './leadership-transfer.ts';
import { Progress } from './progress.ts';
import type { RaftState } from './raft-state.ts';
import { bcastAppend, maybeCommit } from './replication.ts';
import type { ConfChange, ConfState, NodeId } from './types.ts';
import { noNode } from './types.ts';

/** A fresh progress for `id`: we know nothing of its log yet, so probe from our end. */
export function progressFor(r: RaftState, id: NodeId): Progress {
  const progress = new Progress(r.log.lastIndex() + 1, r.config.inflightMessagesMax, r.learners.includes(id));
  if (id === r.id) progress.match = r.log.lastIndex();
  return progress;
}

export function applyConfChange(r: RaftState, change: ConfChange): ConfState {
  const next = nextConfState(r.confState(), change);
  r.voters = [...next.voters];
  r.learners = [...next.learners];
  syncProgress(r);
  if (r.role !== 'leader') return next;
  if (!r.voters.includes(r.id)) {
    // Our removal is committed, but the new voters may not know it yet (the appends that
    // carried the commit can be lost): keep leading, without proposals, and hand off.
    if (maybeCommit(r)) bcastAppend(r);
    handOffLeadership(r);
    return next;
  }
  if (r.leadTransferee !== noNode && !r.voters.includes(r.leadTransferee)) r.leadTransferee = noNode;
  // A smaller quorum may already hold entries the old one did not.
  if (maybeCommit(r)) bcastAppend(r);
  return next;
}

function syncProgress(r: RaftState): void {
  const members = new Set([...r.voters, ...r.learners]);
  for (const id of r.progress.keys()) if (!members.has(id)) r.progress.delete(id);
  for (const id of members) {
    const existing = r.progress.get(id);
    if (existing === undefined) {
      const progress = progressFor(r, id);
      // Give a new member an election timeout before check-quorum counts it as silent.
      progress.recentActive = true;
      r.progress.set(id, progress);
    } else {
      existing.isLearner = r.learners.includes(id);
    }
  }
}
