/**
 * The membership moves of a fault schedule: on the current leader, add a
 * node outside the configuration as a learner (deleting its data first if
 * it was a member before, so a re-added node comes back empty), promote a
 * learner, or remove a voter (sometimes the leader itself) or a learner.
 * Raft must refuse a second change while one is unapplied; the node driver
 * reports it if it does not, and this sometimes tries one at once.
 */
import type { ConfChange, ConfState, NodeId } from '@runnel/raft';
import type { RaftCluster } from './raft-cluster.ts';
import type { SimNode } from './sim-node.ts';

type Candidate = readonly [weight: number, change: () => ConfChange];

const membersOf = (conf: ConfState): Set<NodeId> => new Set([...conf.voters, ...conf.learners]);

/** One random change the leader's applied configuration allows, or null when it allows none. */
function drawChange(cluster: RaftCluster, leader: SimNode, conf: ConfState): ConfChange | null {
  const random = cluster.scheduler.random;
  const members = membersOf(conf);
  const outsiders = cluster.nodes.map((node) => node.id).filter((id) => !members.has(id));
  const otherVoters = conf.voters.filter((id) => id !== leader.id);
  const candidates: Candidate[] = [
    [outsiders.length > 0 ? 3 : 0, () => ({ type: 'add-learner', nodeId: random.pick(outsiders) })],
    [conf.learners.length > 0 ? 3 : 0, () => ({ type: 'add-voter', nodeId: random.pick(conf.learners) })],
    [
      conf.voters.length > 1 ? 2 : 0,
      () => ({
        type: 'remove-voter',
        nodeId: otherVoters.length === 0 || random.bool(0.3) ? leader.id : random.pick(otherVoters),
      }),
    ],
    [conf.learners.length > 0 ? 0.5 : 0, () => ({ type: 'remove-voter', nodeId: random.pick(conf.learners) })],
  ];
  const total = candidates.reduce((sum, [weight]) => sum + weight, 0);
  if (total === 0) return null;
  let point = random.next() * total;
  for (const [weight, change] of candidates) {
    point -= weight;
    if (point < 0 && weight > 0) return change();
  }
  return null;
}

/** Whether a node holds any raft data: a node that was ever in a configuration does. */
function holdsData(node: SimNode): boolean {
  const image = node.disk.durable();
  return image.snapshot.metadata.index > 0 || image.entries.length > 0 || node.disk.unsyncedCount > 0;
}

/**
 * Proposes one membership change on the highest-term leader; true when raft
 * accepted it. A node being (re-)added is wiped only once the change is
 * accepted and it is outside every configuration known to be committed, so
 * no quorum can still count on the data it loses.
 */
export function changeMembership(cluster: RaftCluster): boolean {
  const leader = cluster.leaders()[0];
  const conf = leader?.state?.confState;
  if (leader === undefined || conf === undefined) return false;
  const change = drawChange(cluster, leader, conf);
  if (change === null) return false;
  const accepted = cluster.proposeConfChange(leader, change);
  if (accepted && change.type === 'add-learner') {
    const node = cluster.node(change.nodeId);
    const committedMembers = membersOf(cluster.committedConf());
    if (!committedMembers.has(node.id) && holdsData(node)) cluster.recreate(node);
  }
  // Straight after an accepted change, a second one must be refused.
  if (accepted && cluster.scheduler.random.bool(0.3)) {
    const second = drawChange(cluster, leader, conf);
    if (second !== null) cluster.proposeConfChange(leader, second);
  }
  return accepted;
}
