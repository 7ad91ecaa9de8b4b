/**
 * Elections: pre-vote, vote, and the tally. A pre-vote asks "would you vote
 * for me in term + 1?" without changing anyone's term, so a node that was
 * cut off and keeps timing out cannot force a healthy leader to step down
 * when it rejoins.
 */

import { voteResult } from './quorum.ts';
import type { RaftState } from './raft-state.ts';
import { bcastAppend } from './replication.ts';
import type { Message } from './types.ts';
import { noNode } from './types.ts';

type CampaignKind = 'pre-vote' | 'vote';

/**
 * Starts an election if this node may: it is a voter, not already leader, not
 * rejoining after lost storage, and no committed configuration change is waiting to be applied (a node must not
 * campaign under a configuration it is about to leave).
 */
export function hup(r: RaftState, leaderTransfer: boolean): void {
  // A rejoining node (RaftConfig.rejoining) may hold less than was committed: it must not lead.
  if (r.role === 'leader' || !r.isPromotable() || r.rejoining || hasUnappliedConfChange(r)) return;
  campaign(r, r.config.preVote && !leaderTransfer ? 'pre-vote' : 'vote', leaderTransfer);
}

function hasUnappliedConfChange(r: RaftState): boolean {
  const pending = r.log.nextCommittedEntries(Number.MAX_SAFE_INTEGER);
  return pending.some((entry) => entry.type === 'conf-change');
}

function campaign(r: RaftState, kind: CampaignKind, leaderTransfer: boolean): void {
  let term: number;
  if (kind === 'pre-vote') {
    r.becomePreCandidate();
    term = r.term + 1;
  } else {
    r.becomeCandidate();
    term = r.term;
  }
  r.votes.set(r.id, true);
  if (voteResult(r.voters, r.votes) === 'won') {
    // A single voter wins on its own vote.
    win(r, kind);
    return;
  }
  for (const to of r.voters) {
    if (to === r.id) continue;
    r.send({
      type: kind,
      to,
      term,
      logTerm: r.log.lastTerm(),
      index: r.log.lastIndex(),
      ...(leaderTransfer ? { leaderTransfer: true } : {}),
    });
  }
}

function win(r: RaftState, kind: CampaignKind): void {
  if (kind === 'pre-vote') {
    campaign(r, 'vote', false);
    return;
  }
  r.becomeLeader();
  bcastAppend(r);
}

/**
 * Grant when we have not voted for someone else in this term (or, for a
 * pre-vote, the asked-for term is ahead of ours) and the candidate's log is
 * at least as up to date as ours. The term rules already ran in Raft.step.
 */
export function handleVoteRequest(r: RaftState, m: Message): void {
  const isPreVote = m.type === 'pre-vote';
  if (r.voters.length === 0 && r.learners.length === 0) {
    // We are in no configuration: a new node, or one wiped and re-added under its old id that
    // has not had the leader's snapshot yet. An empty log vouches for nothing: granting would
    // let a stale node that still counts our id as a voter win without the committed log.
    // No answer at all, as if lost: a rejection would carry a term we never entered.
    return;
  }
  if (r.rejoining) {
    // Restarted on lost storage: we may have voted in this term already, and our log may lack
    // entries we helped commit. Silent for the same reason as above, until caught up.
    return;
  }
  const canVote = r.vote === m.from || (r.vote === noNode && r.leader === noNode) || (isPreVote && m.term > r.term);
  const responseType = isPreVote ? 'pre-vote-response' : 'vote-response';
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    // The response carries the candidate's term, so a granted pre-vote is not stale to it.
    r.send({ type: responseType, to: m.from, term: m.term });
    if (!isPreVote) {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
    return;
  }
  r.send({ type: responseType, to: m.from, term: r.term, reject: true });
}

export function handleVoteResponse(r: RaftState, m: Message): void {
  const expected = r.role === 'pre-candidate' ? 'pre-vote-response' : r.role === 'candidate' ? 'vote-response' : null;
  if (m.type !== expected) return;
  r.votes.set(m.from, !m.reject);
  const result = voteResult(r.voters, r.votes);
  if (result === 'won') win(r, r.role === 'pre-candidate' ? 'pre-vote' : 'vote');
  else if (result === 'lost') r.becomeFollower(r.term, noNode);
}
