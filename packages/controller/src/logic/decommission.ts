/**
 * Broker decommission as pure functions of the image. Starting one commits
 * a broker-state record (decommissioning); from then on topic creation and
 * the balancer place nothing on the broker, and the balance duty moves its
 * replicas away (balance-plan.ts, pass 1), which also moves its leadership
 * away as each move completes. It is removable once it holds no replica.
 * Replicas an operator placed (explicit assignments, reassignments) are not
 * moved: the status counts them as pinned, and they stay until the operator
 * reassigns them.
 * Cancelling commits the broker back to active; moves already started run
 * to completion and the balancer evens things out again afterwards.
 *
 * A start is refused, with the partition that cannot fit, when the brokers
 * left (live, not decommissioning) are fewer than a partition's replication
 * factor: draining would have nowhere to put its replicas.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  BrokerLifecycle,
  BrokerStateRecord,
  BrokerStatus,
  DecommissionError,
  MetadataImage,
} from '@runnel/metadata';
import { placementOf, replayBatch } from '@runnel/metadata';

export interface DecommissionOutcome {
  readonly records: BrokerStateRecord[];
  readonly result: Result<BrokerStatus, DecommissionError>;
}

export function decommissionBroker(
  image: MetadataImage,
  brokerId: number,
  options: { readonly cancel: boolean },
): DecommissionOutcome {
  if (image.broker(brokerId) === undefined) {
    return { records: [], result: err('unknown_broker', `Broker ${brokerId} is not registered.`) };
  }
  const decommissioning = image.brokerState(brokerId) === 'decommissioning';
  if (options.cancel) {
    if (!decommissioning) {
      const why = `Broker ${brokerId} is not being decommissioned; there is nothing to cancel.`;
      return { records: [], result: err('not_decommissioning', why) };
    }
    return settle(image, brokerId, { type: 'broker-state', brokerId, state: 'active' });
  }
  if (decommissioning) return { records: [], result: ok(statusOf(image, brokerId)) };
  const refusal = capacityRefusal(image, brokerId);
  if (refusal !== null) return { records: [], result: err('insufficient_brokers', refusal) };
  return settle(image, brokerId, { type: 'broker-state', brokerId, state: 'decommissioning' });
}

/** Every registered broker's status, by ascending id. */
export function brokerStatuses(image: MetadataImage): BrokerStatus[] {
  const counts = loadCounts(image);
  return image.brokers().map((b) => toStatus(image, b.brokerId, counts.get(b.brokerId)));
}

function settle(image: MetadataImage, brokerId: number, record: BrokerStateRecord): DecommissionOutcome {
  const after = replayBatch(image, [record], image.lastOffset + 1n);
  return { records: [record], result: ok(statusOf(after, brokerId)) };
}

/** Why the brokers left could not hold every partition, or null if they can. */
function capacityRefusal(image: MetadataImage, brokerId: number): string | null {
  const remaining = image
    .placeableBrokers()
    .map((b) => b.brokerId)
    .filter((id) => id !== brokerId);
  let worst: { topic: string; partition: number; rf: number } | null = null;
  for (const topic of image.topicNames()) {
    for (const p of image.topic(topic)?.partitions ?? []) {
      const rf = p.replicas.length - p.removingReplicas.length;
      if (rf > remaining.length && (worst === null || rf > worst.rf)) worst = { topic, partition: p.partition, rf };
    }
  }
  if (worst === null) return null;
  const left = remaining.length === 0 ? 'no other live broker' : `only ${remaining.length} (${remaining.join(', ')})`;
  return (
    `Cannot decommission broker ${brokerId}: partition ${worst.partition} of '${worst.topic}' has replication ` +
    `factor ${worst.rf}, but ${left} would remain to hold it (live brokers that are not being decommissioned). ` +
    'Add a broker or lower the replication factor first.'
  );
}

interface Counts {
  replicas: number;
  leaders: number;
  moving: number;
  pinned: number;
}

function loadCounts(image: MetadataImage): Map<number, Counts> {
  const counts = new Map<number, Counts>();
  const of = (id: number): Counts => {
    let c = counts.get(id);
    if (c === undefined) {
      c = { replicas: 0, leaders: 0, moving: 0, pinned: 0 };
      counts.set(id, c);
    }
    return c;
  };
  for (const topic of image.topicNames()) {
    for (const p of image.topic(topic)?.partitions ?? []) {
      for (const id of p.replicas) of(id).replicas++;
      if (placementOf(p) === 'operator') for (const id of p.replicas) of(id).pinned++;
      if (p.leader >= 0) of(p.leader).leaders++;
      for (const id of new Set([...p.addingReplicas, ...p.removingReplicas])) of(id).moving++;
    }
  }
  return counts;
}

function statusOf(image: MetadataImage, brokerId: number): BrokerStatus {
  return toStatus(image, brokerId, loadCounts(image).get(brokerId));
}

function toStatus(image: MetadataImage, brokerId: number, counts: Counts | undefined): BrokerStatus {
  const b = image.broker(brokerId);
  const { replicas, leaders, moving, pinned } = counts ?? { replicas: 0, leaders: 0, moving: 0, pinned: 0 };
  let state: BrokerLifecycle = image.brokerState(brokerId);
  if (state === 'decommissioning' && replicas === 0) state = 'removable';
  return {
    brokerId,
    listeners: b?.listeners ?? [],
    rack: b?.rack ?? null,
    fenced: b?.fenced ?? true,
    state,
    replicas,
    leaders,
    moving,
    pinned,
  };
}
