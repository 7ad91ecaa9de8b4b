/**
 * ControllerChannel (the seam brokers and the CLI already use) over the
 * gRPC ControllerClient, so a broker moves from the in-process controller to
 * a remote quorum without changing a line.
 */
import type { Logger, Result } from '@runnel/common';
import { ok, silentLogger } from '@runnel/common';
import type {
  AlterConfigsResource,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerHeartbeat,
  BrokerHeartbeatReply,
  BrokerStatus,
  CommittedBatch,
  ControllerChannel,
  ControllerView,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicRequest,
  CreateTopicResult,
  DecommissionError,
  DeleteTopicResult,
  ElectLeadersResult,
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  ReassignmentQuery,
  RegisterBrokerError,
  RegisterBrokerRequest,
  TopicPartitionRef,
} from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import type { ControllerClient } from './controller-client.ts';
import type { ControllerCallError, ControllerReply } from './controller-types.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import { reconnectBackoffDefault } from './grpc-options.ts';
import { MetadataSubscription } from './metadata-subscription.ts';

/**
 * ControllerChannel's promises have no room for "the quorum did not answer",
 * so that case rejects with this error; `reason` is the closed union the
 * broker maps to a Kafka code (e.g. REQUEST_TIMED_OUT, NOT_CONTROLLER).
 */
export class ControllerCallFailure extends ControllerUnavailableError {
  override name = 'ControllerCallFailure';
  readonly reason: ControllerCallError;
  constructor(reason: ControllerCallError, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

export interface GrpcControllerChannelOptions {
  /**
   * How long an admin call that committed records waits for this channel's
   * subscriptions to deliver them before resolving anyway (the contract says
   * the commit is delivered before the call resolves; across a network this
   * is the bound on that promise).
   */
  readonly commitWaitMs?: number;
  readonly backoff?: ReconnectBackoff;
  readonly logger?: Logger;
  /**
   * The controller can only resume a subscriber from a snapshot (the records
   * after what it applied are gone): rebuild the image from this batch. A
   * subscription without this hook stops instead, logging an error.
   */
  readonly onSnapshotReset?: (batch: CommittedBatch) => void;
}

/**
 * Owned by the broker (or CLI) that made it; close() stops every
 * subscription but leaves the ControllerClient, which the caller owns, open.
 * Subscriptions survive controller restarts and leader changes on their
 * own. Admin calls reject with ControllerCallFailure when no controller
 * answered; Kafka-level failures stay per-topic Results.
 */
export class GrpcControllerChannel implements ControllerChannel {
  readonly #client: ControllerClient;
  readonly #subscriptions = new Set<MetadataSubscription>();
  readonly #commitWaitMs: number;
  readonly #backoff: ReconnectBackoff;
  readonly #logger: Logger;
  readonly #onSnapshotReset: ((batch: CommittedBatch) => void) | undefined;

  constructor(client: ControllerClient, options: GrpcControllerChannelOptions = {}) {
    this.#client = client;
    this.#commitWaitMs = options.commitWaitMs ?? 5_000;
    this.#backoff = options.backoff ?? reconnectBackoffDefault;
    this.#logger = options.logger ?? silentLogger();
    this.#onSnapshotReset = options.onSnapshotReset;
  }

  subscribe(listener: (batch: CommittedBatch) => void): () => void {
    const subscription = new MetadataSubscription(this.#client, listener, {
      backoff: this.#backoff,
      logger: this.#logger,
      onSnapshotReset: this.#onSnapshotReset,
    });
    this.#subscriptions.add(subscription);
    return () => {
      subscription.stop();
      this.#subscriptions.delete(subscription);
    };
  }

  async registerBroker(req: RegisterBrokerRequest): Promise<Result<{ brokerEpoch: bigint }, RegisterBrokerError>> {
    return this.#settle(await this.#client.registerBroker(req));
  }

  async createTopics(
    topics: readonly CreateTopicRequest[],
    options: { validateOnly: boolean },
  ): Promise<CreateTopicResult[]> {
    return this.#settle(await this.#client.createTopics(topics, options));
  }

  async deleteTopics(names: readonly string[]): Promise<DeleteTopicResult[]> {
    return this.#settle(await this.#client.deleteTopics(names));
  }

  async createPartitions(
    topics: readonly CreatePartitionsTopic[],
    options: { validateOnly: boolean },
  ): Promise<CreatePartitionsResult[]> {
    return this.#settle(await this.#client.createPartitions(topics, options));
  }

  async alterConfigs(
    resources: readonly AlterConfigsResource[],
    options: { validateOnly: boolean },
  ): Promise<AlterConfigsResult[]> {
    return this.#settle(await this.#client.incrementalAlterConfigs(resources, options));
  }

  async alterPartition(req: AlterPartitionRequest): Promise<Result<AlterPartitionReply, AlterPartitionError>> {
    return this.#settle(await this.#client.alterPartition(req));
  }

  async alterPartitionReassignments(
    reassignments: readonly PartitionReassignment[],
  ): Promise<PartitionReassignmentResult[]> {
    return this.#settle(await this.#client.alterPartitionReassignments(reassignments));
  }

  async listPartitionReassignments(query: readonly ReassignmentQuery[] | null): Promise<OngoingReassignment[]> {
    return this.#settle(await this.#client.listPartitionReassignments(query));
  }

  async electLeaders(partitions: readonly TopicPartitionRef[] | null): Promise<ElectLeadersResult[]> {
    return this.#settle(await this.#client.electLeaders(partitions));
  }

  async describeBrokers(): Promise<BrokerStatus[]> {
    return this.#settle(await this.#client.describeBrokers());
  }

  async decommissionBroker(
    brokerId: number,
    options: { cancel: boolean },
  ): Promise<Result<BrokerStatus, DecommissionError>> {
    return this.#settle(await this.#client.decommissionBroker(brokerId, options));
  }

  async describeCluster(): Promise<ControllerView> {
    const reply = await this.#client.describeCluster();
    if (!reply.ok) throw new ControllerCallFailure(reply.error, reply.message ?? 'no answer from the controller');
    return { controllerId: reply.value.controllerId };
  }

  async heartbeat(
    req: BrokerHeartbeat,
  ): Promise<Result<BrokerHeartbeatReply, 'unknown_broker' | 'stale_broker_epoch'>> {
    const result = await this.#settle(
      await this.#client.brokerHeartbeat({
        brokerId: req.brokerId,
        brokerEpoch: req.brokerEpoch,
        metadataOffset: req.metadataOffset,
        wantsShutdown: req.wantShutDown,
      }),
    );
    if (!result.ok) return result;
    return ok({
      fenced: result.value.isFenced,
      caughtUp: result.value.isCaughtUp,
      shouldShutDown: result.value.shouldShutDown,
    });
  }

  close(): void {
    for (const subscription of this.#subscriptions) subscription.stop();
    this.#subscriptions.clear();
  }

  /** Unwraps a reply once every subscription has seen what the call committed (or the wait ran out). */
  async #settle<T>(reply: Result<ControllerReply<T>, ControllerCallError>): Promise<T> {
    if (!reply.ok) throw new ControllerCallFailure(reply.error, reply.message ?? 'no answer from the controller');
    const { value, committedOffset } = reply.value;
    if (committedOffset >= 0n) {
      const reached = await Promise.all(
        [...this.#subscriptions].map((s) => s.whenDelivered(committedOffset, this.#commitWaitMs)),
      );
      if (reached.includes(false)) {
        this.#logger.warn(
          { event: 'metadata-commit-wait-expired', committedOffset: String(committedOffset) },
          'slow stream',
        );
      }
    }
    return value;
  }
}
