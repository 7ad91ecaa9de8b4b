/**
 * ControllerChannel (the seam brokers and the CLI use) over the gRPC
 * ControllerClient: the committed metadata stream, and every operation of
 * the table with its answer delivered to this channel's subscribers first.
 */
import type { Logger, Result } from '@runnel/common';
import { silentLogger } from '@runnel/common';
import type { CommittedBatch } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import type { ControllerCallError, ControllerReply } from './controller-answer.ts';
import type { ControllerClient } from './controller-client.ts';
import type { ControllerOpName, OpRequest, OpValue } from './controller-ops.ts';
import type { ControllerChannel } from './controller-types.ts';
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

  async call<K extends ControllerOpName>(op: K, request: OpRequest<K>): Promise<OpValue<K>> {
    return this.#settle(await this.#client.call(op, request));
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
