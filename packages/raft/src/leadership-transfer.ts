/**
 * Handing leadership to a chosen voter: the leader stops taking proposals,
 * brings the target's log up to its own, then sends timeout-now so the target
 * campaigns at once (skipping pre-vote and the voters' lease). If that has
 * not happened within an election timeout the leader gives up (Raft.tick).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { Progress } from './progress.ts';
import type { RaftState } from './raft-state.ts';
import { sendAppend } from './replication.ts';
import type { NodeId } from './types.ts';
import { noNode } from './types.ts';

export type TransferError = 'not_leader' | 'not_a_voter' | 'already_leader';

export function transferLeadership(r: RaftState, to: NodeId): Result<void, TransferError> {
  if (r.role !== 'leader') return err('not_leader');
  if (to === r.id) return err('already_leader');
  const progress = r.progress.get(to);
  if (progress === undefined || progress.isLearner) return err('not_a_voter');
  if (r.leadTransferee === to) return ok(undefined);
  // A new target replaces an earlier one; the clock restarts for it.
  r.leadTransferee = to;
  r.electionElapsed = 0;
  if (progress.match === r.log.lastIndex()) sendTimeoutNow(r, to);
  else sendAppend(r, to, true);
  return ok(undefined);
}

/**
 * A leader that applied its own removal hands leadership to the voter of
 * the new configuration with the longest log, instead of stepping down at
 * once: until some new voter learns that the removal committed, the new
 * voters still count the old leader's vote, and it refuses them whenever
 * its log is longer, so nobody could be elected. Raft.tick retries with
 * another choice every election timeout until a new leader's term reaches it.
 */
export function handOffLeadership(r: RaftState): void {
  let target: NodeId = noNode;
  let targetMatch = -1;
  for (const id of r.voters) {
    const match = r.progress.get(id)?.match ?? -1;
    if (id !== r.id && match > targetMatch) {
      target = id;
      targetMatch = match;
    }
  }
  r.leadTransferee = noNode;
  if (target !== noNode) transferLeadership(r, target);
}

/** Called on every append answer: the moment the target has our whole log, it may take over. */
export function sendTimeoutNowIfCaughtUp(r: RaftState, from: NodeId, progress: Progress): void {
  if (r.leadTransferee === from && progress.match === r.log.lastIndex()) sendTimeoutNow(r, from);
}

function sendTimeoutNow(r: RaftState, to: NodeId): void {
  r.send({ type: 'timeout-now', to });
}
