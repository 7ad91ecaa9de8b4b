/**
 * AlterPartition as a pure function of the image: a partition leader asks
 * for a new ISR, naming the leader and partition epochs it last saw. The
 * epochs fence stale requests (a replaced leader, or a leader that raced a
 * controller-made change such as a fencing), and the new ISR may hold only
 * live replicas of the partition and must hold the leader, so the
 * controller never later elects a leader that might lack committed records
 * from a broker that is gone. An accepted change is one partition record
 * with the new ISR, the same leader and leader epoch, the partition epoch
 * bumped and the ELR updated (KIP-966, partition-election.ts: a shrink
 * below min.insync.replicas makes the removed replicas eligible, an ISR
 * back at the minimum clears it); nothing changes until the caller commits
 * and replays it.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  ConfigMap,
  MetadataImage,
  MetadataRecord,
  PartitionImage,
  PartitionRecord,
} from '@runnel/metadata';
import { placementField, placementOf } from '@runnel/metadata';
import { electionPolicies, stateOf, withIsr } from './partition-election.ts';
import { completeReassignment } from './reassignment.ts';

export interface AlterPartitionOutcome {
  /** Empty when refused, or when the ISR asked for is already the ISR. */
  readonly records: MetadataRecord[];
  readonly result: Result<AlterPartitionReply, AlterPartitionError>;
}

/** `brokerConfig` is the controller's static broker config (cluster defaults of min.insync.replicas). */
export function alterPartition(
  image: MetadataImage,
  req: AlterPartitionRequest,
  brokerConfig: ConfigMap,
): AlterPartitionOutcome {
  const refuse = (error: AlterPartitionError, why: string): AlterPartitionOutcome => ({
    records: [],
    result: err(error, why),
  });
  const where = `partition ${req.partition} of topic ${req.topicId}`;
  const p = image.topicById(req.topicId)?.partitions[req.partition];
  if (p === undefined) return refuse('unknown_topic_or_partition', `There is no ${where}.`);

  // Epochs newer than ours mean this controller has not applied everything yet (or was deposed): retry elsewhere.
  if (req.leaderEpoch > p.leaderEpoch || req.partitionEpoch > p.partitionEpoch) {
    return refuse(
      'not_controller',
      `The request for ${where} is newer (leader epoch ${req.leaderEpoch}, partition epoch ${req.partitionEpoch}) than this controller's view (${p.leaderEpoch}, ${p.partitionEpoch}).`,
    );
  }
  if (req.leaderEpoch < p.leaderEpoch) {
    return refuse('fenced_leader_epoch', `The leader epoch of ${where} is ${p.leaderEpoch}, not ${req.leaderEpoch}.`);
  }
  if (req.leaderId !== p.leader) {
    return refuse('not_leader_or_follower', `Broker ${req.leaderId} does not lead ${where}; ${p.leader} does.`);
  }
  if (req.partitionEpoch < p.partitionEpoch) {
    return refuse(
      'invalid_update_version',
      `The partition epoch of ${where} is ${p.partitionEpoch}, not ${req.partitionEpoch}.`,
    );
  }
  const shape = checkIsrShape(p, req.isr);
  if (shape !== null) return refuse('invalid_request', `Invalid ISR [${req.isr.join(', ')}] for ${where}: ${shape}.`);
  // KIP-903: a member added on the strength of fetches from an earlier incarnation may have lost records since.
  const restarted = (req.addedBrokerEpochs ?? []).filter(
    (m) => req.isr.includes(m.brokerId) && image.broker(m.brokerId)?.brokerEpoch !== m.brokerEpoch,
  );
  if (restarted.length > 0) {
    return refuse(
      'ineligible_replica',
      `Broker(s) ${restarted.map((m) => m.brokerId).join(', ')} in the new ISR of ${where} registered again since the leader saw them fetch (stale broker epoch).`,
    );
  }
  const ineligible = req.isr.filter((id) => image.broker(id)?.fenced !== false);
  if (ineligible.length > 0) {
    return refuse(
      'ineligible_replica',
      `Broker(s) ${ineligible.join(', ')} in the new ISR of ${where} are fenced or not registered.`,
    );
  }

  const isr = [...req.isr];
  if (sameMembers(isr, p.isr)) {
    // The same members in any order: no record, so the epochs the leader holds stay valid.
    return { records: [], result: ok({ partitionEpoch: p.partitionEpoch, isr: [...p.isr] }) };
  }
  const partitionEpoch = p.partitionEpoch + 1;
  // KIP-966: replicas shrunk out of an ISR that ends below min.insync.replicas become eligible leaders.
  const minIsr = electionPolicies(image, brokerConfig)(image.topicById(req.topicId)?.name ?? '').minIsr;
  const next = withIsr(p, stateOf(p), isr, minIsr);
  const expanded: PartitionRecord = {
    type: 'partition',
    topicId: req.topicId,
    partition: p.partition,
    replicas: p.replicas,
    isr,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch,
    elr: next.elr,
    lastKnownElr: [],
    addingReplicas: p.addingReplicas,
    removingReplicas: p.removingReplicas,
    ...placementField(placementOf(p)),
  };
  // An expansion may bring the last adding replica of a reassignment in sync: finish the move in the same record.
  const record = completeReassignment(image, expanded);
  if (record.leader === expanded.leader) {
    return { records: [record], result: ok({ partitionEpoch, isr: [...record.isr] }) };
  }
  // The move removes the asking leader. It is answered with the ISR it asked for (which holds it) and learns of
  // its successor from the next record, through metadata: an answer naming an ISR without the leader would
  // contradict the leadership the broker still holds until that metadata arrives.
  const completed = { ...record, partitionEpoch: partitionEpoch + 1 };
  return { records: [expanded, completed], result: ok({ partitionEpoch, isr: [...expanded.isr] }) };
}

/** Why `isr` cannot be this partition's ISR whoever is live, or null if it can. */
function checkIsrShape(p: PartitionImage, isr: readonly number[]): string | null {
  if (new Set(isr).size !== isr.length) return 'it repeats a broker';
  const stranger = isr.find((id) => !p.replicas.includes(id));
  if (stranger !== undefined) return `broker ${stranger} is not a replica`;
  if (!isr.includes(p.leader)) return `it leaves out the leader ${p.leader}`;
  return null;
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
