/**
 * The volatile state of one simulated broker process: everything a kill -9
 * or power loss forgets. Plain data, owned by its SimBroker.
 */
import type { ReplicaTracker } from '@runnel/broker';
import type { PartitionImage } from '@runnel/metadata';
import type { SimBatch } from './sim-log.ts';

export type ReplicaRole = 'leader' | 'follower' | 'none';

export interface AckWaiter {
  readonly client: number;
  readonly produceId: number;
  readonly batch: SimBatch;
  readonly sinceStep: number;
}

export interface BrokerProcess {
  readonly incarnationId: string;
  readonly previousShutdownClean: boolean;
  registerSentStep: number;
  /** null until the controller answered the registration. */
  brokerEpoch: bigint | null;
  paused: boolean;
  metadataOffset: bigint;
  lastHeartbeatStep: number;
  state: PartitionImage | null;
  minIsr: number;
  role: ReplicaRole;
  tracker: ReplicaTracker | null;
  /** Offsets below this are committed and visible to consumers. */
  hwm: bigint;
  fetch: { fetchId: number; fetchOffset: bigint; leaderEpoch: number; sentStep: number } | null;
  fetchNotBeforeStep: number;
  isrRequest: { requestId: number; leaderEpoch: number; sentStep: number } | null;
  readonly ackWaiters: Set<AckWaiter>;
  /** As leader: the broker epoch of each follower's latest fetch. */
  readonly followerBrokerEpochs: Map<number, bigint>;
}

export function newProcess(incarnationId: string, hwm: bigint, step = 0, previousShutdownClean = true): BrokerProcess {
  return {
    incarnationId,
    previousShutdownClean,
    registerSentStep: step,
    brokerEpoch: null,
    paused: false,
    metadataOffset: -1n,
    lastHeartbeatStep: -1_000_000,
    state: null,
    minIsr: 1,
    role: 'none',
    tracker: null,
    hwm,
    fetch: null,
    fetchNotBeforeStep: 0,
    isrRequest: null,
    ackWaiters: new Set(),
    followerBrokerEpochs: new Map(),
  };
}
