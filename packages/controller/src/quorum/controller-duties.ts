/**
 * What the active controller does on its own, every tick: fence brokers
 * whose sessions ran out, every leader.imbalance.check.interval elect
 * offline partitions that can elect and move leaders back to preferred
 * replicas, and every balance interval drain decommissioning brokers and
 * even out replicas and leaders (logic/balance-duties.ts). On becoming
 * active it also gives the cluster its id if it has none.
 *
 * Owned by QuorumController, which calls `activated` and `tick` only while
 * this node is the active controller. Each duty is an operation of the
 * OperationQueue, so it is computed against the latest image and ordered
 * with the admin calls around it.
 */
import type { Clock, Logger } from '@runnel/common';
import type { ConfigMap } from '@runnel/metadata';
import { balanceDuties, balanceSettings } from '../logic/balance-duties.ts';
import { leaderDuties } from '../logic/leader-duties.ts';
import type { BrokerSessionKeeper } from './broker-session-keeper.ts';
import type { OperationQueue } from './operation-queue.ts';

export interface ControllerDutiesOptions {
  readonly queue: OperationQueue;
  readonly sessions: BrokerSessionKeeper;
  readonly brokerConfig: ConfigMap;
  readonly leaderImbalanceCheckIntervalMs: number;
  readonly balanceIntervalMs: number;
  readonly balanceMovesMax: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ControllerDuties {
  readonly #options: ControllerDutiesOptions;
  /** Monotonic ms of the last leadership check; reset on becoming active. */
  #leaderCheckMs = 0;
  /** Monotonic ms of the last balance duty; reset on becoming active; -Infinity runs it on the next tick. */
  #balanceCheckMs = 0;

  constructor(options: ControllerDutiesOptions) {
    this.#options = options;
  }

  activated(): void {
    const now = this.#options.clock.monotonicMs();
    this.#leaderCheckMs = now;
    this.#balanceCheckMs = now;
    void this.#options.queue.submit('cluster_id', (image) => this.#options.sessions.clusterId(image));
  }

  /** The balance duty runs on the next tick rather than a whole interval later (a decommission started). */
  balanceSoon(): void {
    this.#balanceCheckMs = Number.NEGATIVE_INFINITY;
  }

  tick(): void {
    const { queue, sessions, brokerConfig, clock, logger } = this.#options;
    const now = clock.monotonicMs();
    if (sessions.hasExpired()) void queue.submit('expire_sessions', (image) => sessions.expire(image));
    if (now - this.#leaderCheckMs >= this.#options.leaderImbalanceCheckIntervalMs) {
      this.#leaderCheckMs = now;
      void queue.submit('leader_rebalance', (image) => {
        const records = leaderDuties(image, brokerConfig);
        if (records.length > 0) logger.info({ partitions: records.length }, 'leadership check moved leaders');
        return { records, value: null };
      });
    }
    if (now - this.#balanceCheckMs >= this.#options.balanceIntervalMs) {
      this.#balanceCheckMs = now;
      void queue.submit('balance', (image) => {
        const settings = balanceSettings(image, brokerConfig, this.#options.balanceMovesMax);
        const { records, reassigned, elected } = balanceDuties(image, settings);
        if (records.length > 0) logger.info({ reassigned, elected }, 'balancing brokers');
        return { records, value: null };
      });
    }
  }
}
