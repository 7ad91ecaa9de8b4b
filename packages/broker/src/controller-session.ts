/**
 * The broker's standing with the controller quorum: registration (retried
 * until a controller answers), periodic heartbeats that keep its session
 * alive and report how far it has replayed metadata (the controller
 * unfences it once it has caught up), and controlled shutdown (leadership
 * moved away before the broker exits).
 *
 * Owned by Broker. Heartbeat failures are logged and retried: a broker
 * keeps serving the partitions it leads while no controller answers. A
 * quorum of another cluster (its id differs from the one in this broker's
 * data directory) is fatal: register() rejects with ClusterMismatchError.
 */
import type { Logger } from '@runnel/common';
import type { RegisterBrokerRequest } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';

export interface ControllerSessionOptions {
  channel: ControllerChannel;
  registration: RegisterBrokerRequest;
  heartbeatIntervalMs: number;
  /** Offset of the last metadata record this broker has replayed. */
  metadataOffset: () => bigint;
  /** Called whenever the controller unfences this broker: it has caught up with committed metadata. */
  onUnfenced?: () => void;
  /** Log directories offline after a storage fault, reported in every heartbeat; absent: none. */
  offlineLogDirs?: () => readonly string[];
  logger: Logger;
}

/** The controllers run a different cluster than the one this broker's data belongs to; never retried. */
export class ClusterMismatchError extends Error {
  override name = 'ClusterMismatchError';
}

const retryMsMin = 100;
const retryMsMax = 2000;

export class ControllerSession {
  readonly #options: ControllerSessionOptions;
  #brokerEpoch = -1n;
  #fenced: boolean;
  #timer: NodeJS.Timeout | null = null;
  #beating = false;
  /** A beatSoon() came while a heartbeat was on its way. */
  #again = false;
  #stopped = false;

  constructor(options: ControllerSessionOptions) {
    this.#options = options;
    this.#fenced = true;
  }

  get brokerEpoch(): bigint {
    return this.#brokerEpoch;
  }

  /** False once the controller has unfenced this broker. */
  get fenced(): boolean {
    return this.#fenced;
  }

  /**
   * Registers, retrying while no controller answers and while the controller
   * still holds a live session of another incarnation of this id: after a
   * kill -9 and a quick restart that session runs out within
   * broker.session.timeout.ms, so the new incarnation waits it out (as
   * Kafka's brokers do) rather than exiting. Throws only when stopped.
   */
  async register(): Promise<void> {
    let waitMs = retryMsMin;
    for (;;) {
      try {
        const result = await this.#options.channel.call('registerBroker', this.#options.registration);
        if (!result.ok && result.error === 'inconsistent_cluster_id') {
          throw new ClusterMismatchError(result.message ?? 'the controllers run another cluster');
        }
        if (!result.ok) {
          if (this.#stopped) throw new Error(`broker registration refused: ${result.message ?? result.error}`);
          this.#options.logger.warn(
            { error: result.error, err: result.message, retryMs: waitMs },
            'registration refused while an earlier incarnation of this broker still has a session; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          waitMs = Math.min(retryMsMax, waitMs * 2);
          continue;
        }
        this.#brokerEpoch = result.value.brokerEpoch;
        this.#options.logger.info({ brokerEpoch: String(this.#brokerEpoch) }, 'registered with the controller');
        return;
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError) || this.#stopped) throw error;
        this.#options.logger.warn(
          { err: error.message, retryMs: waitMs },
          'no controller answered registration; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        waitMs = Math.min(retryMsMax, waitMs * 2);
      }
    }
  }

  /** Starts heartbeating. */
  start(): void {
    this.#timer = setInterval(() => void this.#beat(false), this.#options.heartbeatIntervalMs);
    this.#timer.unref();
    void this.#beat(false);
  }

  /**
   * Sends a heartbeat now rather than at the next interval (the log
   * directory went offline or came back); one already on its way is
   * followed by another, so the controller hears the latest state.
   */
  beatSoon(): void {
    if (this.#timer === null || this.#stopped) return;
    if (this.#beating) {
      this.#again = true;
      return;
    }
    void this.#beat(false);
  }

  /** Asks the controller to move leadership away, waiting until it says the broker may exit (or the timeout). */
  async shutDown(timeoutMs: number): Promise<boolean> {
    if (this.#brokerEpoch < 0n) return true;
    if (this.#timer !== null) clearInterval(this.#timer);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.#beat(true)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.#options.logger.warn('controlled shutdown timed out; exiting anyway');
    return false;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  /** One heartbeat; resolves true when the controller says a controlled shutdown is complete. */
  async #beat(wantShutDown: boolean): Promise<boolean> {
    if (this.#beating || this.#stopped || this.#brokerEpoch < 0n) return false;
    this.#beating = true;
    try {
      const result = await this.#options.channel.call('brokerHeartbeat', {
        brokerId: this.#options.registration.brokerId,
        brokerEpoch: this.#brokerEpoch,
        metadataOffset: this.#options.metadataOffset(),
        wantShutDown,
        offlineLogDirs: this.#options.offlineLogDirs?.() ?? [],
      });
      if (!result.ok) {
        // The controller no longer knows this incarnation (e.g. its registration was lost): register again.
        this.#options.logger.warn({ error: result.error }, 'heartbeat refused; registering again');
        await this.register();
        return false;
      }
      if (result.value.fenced !== this.#fenced) {
        this.#options.logger.info(
          { fenced: result.value.fenced },
          result.value.fenced ? 'fenced by the controller' : 'unfenced by the controller',
        );
      }
      const unfenced = this.#fenced && !result.value.fenced;
      this.#fenced = result.value.fenced;
      if (unfenced) this.#options.onUnfenced?.();
      return result.value.shouldShutDown;
    } catch (error) {
      if (!(error instanceof ControllerUnavailableError)) throw error;
      this.#options.logger.warn({ err: error.message }, 'heartbeat got no answer; will retry');
      return false;
    } finally {
      this.#beating = false;
      if (this.#again && !wantShutDown) {
        this.#again = false;
        void this.#beat(false);
      }
    }
  }
}
