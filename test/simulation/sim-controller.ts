/**
 * The controller of the replication simulation: a MetadataImage advanced
 * only by records from the real pure controller logic (fenceBroker,
 * unfenceBroker, shutDownBroker, electOfflineLeaders, alterPartition, and
 * the registration rules), replayed at once as if committed. Broker
 * sessions expire after `sessionSteps` without a heartbeat; a registered,
 * fenced broker is unfenced by a heartbeat showing it has caught up with
 * metadata, as the quorum controller does.
 *
 * One topic with one partition. Brokers register a REPLICATION listener at
 * `broker-<id>:9093`, which the simulated replication transport resolves.
 * Owned by ReplicationCluster; the controller itself never fails (it stands
 * for a healthy quorum). Every image change is reported to `onImage` so the
 * checker can watch leader epochs.
 */

import { replicationListenerName } from '@runnel/broker';
import type { Result } from '@runnel/common';
import { assert } from '@runnel/common';
import { alterPartition, electOfflineLeaders, fenceBroker, shutDownBroker, unfenceBroker } from '@runnel/controller';
import type {
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerListener,
  MetadataRecord,
  PartitionImage,
} from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import type { SimRules } from './replication-rules.ts';
import type { SimMessage } from './sim-messages.ts';

export const topicName = 't';
export const topicId = '5e1a0000-0000-4000-8000-000000000001';

/** The replication endpoint broker `id` registers (SimReplicaNet dials it by name). */
export function replicationListener(id: number): BrokerListener {
  return { name: replicationListenerName, host: `broker-${id}`, port: 9093, securityProtocol: 'PLAINTEXT' };
}

export interface SimControllerOptions {
  readonly brokerIds: readonly number[];
  readonly minIsr: number;
  readonly sessionSteps: number;
  readonly rules: SimRules;
  readonly onImage: (image: MetadataImage, why: string) => void;
}

export class SimController {
  readonly #options: SimControllerOptions;
  readonly #lastHeartbeatStep = new Map<number, number>();
  #image: MetadataImage = MetadataImage.empty;

  constructor(options: SimControllerOptions) {
    this.#options = options;
    const records: MetadataRecord[] = options.brokerIds.map((brokerId) => ({
      type: 'register-broker',
      brokerId,
      incarnationId: `b${brokerId}-0`,
      brokerEpoch: 0n,
      listeners: [replicationListener(brokerId)],
      rack: null,
    }));
    records.push({ type: 'topic', name: topicName, topicId });
    records.push({
      type: 'config',
      resourceType: 'topic',
      resourceName: topicName,
      name: 'min.insync.replicas',
      value: String(options.minIsr),
    });
    records.push({
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [...options.brokerIds],
      isr: [...options.brokerIds],
      leader: options.brokerIds[0] ?? -1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    });
    this.#apply(records, 'bootstrap');
    for (const id of options.brokerIds) this.#lastHeartbeatStep.set(id, 0);
  }

  get image(): MetadataImage {
    return this.#image;
  }

  get partition(): PartitionImage {
    const p = this.#image.partition(topicName, 0);
    assert(p !== undefined, 'the simulated partition is missing');
    return p;
  }

  brokerEpoch(id: number): bigint | undefined {
    return this.#image.broker(id)?.brokerEpoch;
  }

  isFenced(id: number): boolean {
    return this.#image.broker(id)?.fenced !== false;
  }

  /** A broker process started; returns its broker epoch. It stays fenced until a caught-up heartbeat. */
  register(id: number, incarnationId: string, previousShutdownClean: boolean, step: number): bigint {
    const current = this.#image.broker(id);
    if (current?.incarnationId === incarnationId) return current.brokerEpoch;
    const req = {
      brokerId: id,
      incarnationId,
      listeners: [replicationListener(id)],
      rack: null,
      previousShutdownClean,
      clusterId: null,
    };
    const outcome = this.#options.rules.register(this.#image, req, new Map(), { fenced: true, brokerConfig: {} });
    assert(outcome.result.ok, `registration of broker ${id} refused`);
    this.#apply(outcome.records, `register ${id} (${previousShutdownClean ? 'clean' : 'unclean'})`);
    this.#lastHeartbeatStep.set(id, step);
    return outcome.result.value.brokerEpoch;
  }

  /** A heartbeat of broker epoch `brokerEpoch`; stale incarnations are ignored. */
  heartbeat(id: number, brokerEpoch: bigint, metadataOffset: bigint, step: number): void {
    const broker = this.#image.broker(id);
    if (broker === undefined || broker.brokerEpoch !== brokerEpoch) return;
    this.#lastHeartbeatStep.set(id, step);
    if (broker.fenced && metadataOffset >= brokerEpoch) {
      this.#apply(unfenceBroker(this.#image, id, {}), `unfence ${id}`);
    }
  }

  /** Controlled shutdown: leadership and ISR membership move away, then the broker is fenced. */
  shutDown(id: number): void {
    this.#apply(shutDownBroker(this.#image, id, {}), `controlled shutdown of ${id}`);
    this.#apply(fenceBroker(this.#image, id, {}), `fence ${id} after shutdown`);
  }

  /** AlterPartition from a leader's ReplicaManager, answered as the quorum controller would. */
  alterPartition(req: AlterPartitionRequest): Result<AlterPartitionReply, AlterPartitionError> {
    const outcome = alterPartition(this.#image, req, {});
    if (outcome.result.ok) this.#apply(outcome.records, `alter-partition by ${req.leaderId} to [${req.isr.join(',')}]`);
    return outcome.result;
  }

  /**
   * The controller's side of the network: registration, heartbeat and
   * AlterPartition, each answered (or not) with the message to send back.
   */
  receive(from: number, message: SimMessage, step: number): SimMessage | null {
    switch (message.type) {
      case 'register':
        return {
          type: 'register-response',
          incarnationId: message.incarnationId,
          brokerEpoch: this.register(from, message.incarnationId, message.previousShutdownClean, step),
        };
      case 'heartbeat':
        this.heartbeat(from, message.brokerEpoch, message.metadataOffset, step);
        return null;
      case 'alter-partition':
        return {
          type: 'alter-partition-response',
          requestId: message.requestId,
          result: this.alterPartition(message.request),
        };
      default:
        return null;
    }
  }

  /** Expires sessions and elects leaders for an offline partition whose candidates are back. */
  tick(step: number): void {
    for (const broker of this.#image.liveBrokers()) {
      const last = this.#lastHeartbeatStep.get(broker.brokerId) ?? 0;
      if (step - last > this.#options.sessionSteps) {
        this.#apply(fenceBroker(this.#image, broker.brokerId, {}), `session of ${broker.brokerId} expired`);
      }
    }
    if (this.partition.leader === -1) this.#apply(electOfflineLeaders(this.#image, {}), 'offline election');
  }

  #apply(records: readonly MetadataRecord[], why: string): void {
    if (records.length === 0) return;
    this.#image = replayBatch(this.#image, records, this.#image.lastOffset + BigInt(records.length));
    this.#options.onImage(this.#image, why);
  }
}

/** The topic's min.insync.replicas as `image` says. */
export function topicMinIsr(image: MetadataImage): number {
  return Number(image.configOverrides('topic', topicName).get('min.insync.replicas') ?? '1');
}
