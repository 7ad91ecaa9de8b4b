/**
 * The active controller's view of broker liveness: registrations,
 * heartbeats and session expiry, each computed against the image as an
 * operation of the OperationQueue (the rules themselves are the pure
 * functions of logic/register-broker.ts, logic/broker-heartbeat.ts and
 * logic/cluster-id.ts).
 *
 * Owned by QuorumController. Sessions live only in the active controller's
 * memory: a newly active controller starts every broker's session afresh
 * (`activated`), so a failover never fences healthy brokers.
 */
import type { Clock, Logger, Result } from '@runnel/common';
import type {
  BrokerHeartbeat,
  BrokerHeartbeatError,
  BrokerHeartbeatReply,
  ConfigMap,
  MetadataImage,
  MetadataRecord,
  RegisterBrokerError,
  RegisterBrokerRequest,
} from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import { brokerHeartbeat, expireSessions } from '../logic/broker-heartbeat.ts';
import { BrokerSessions } from '../logic/broker-sessions.ts';
import { checkClusterId, ensureClusterId } from '../logic/cluster-id.ts';
import { ensureFeatures } from '../logic/features.ts';
import { registerBrokerWithElr } from '../logic/register-broker.ts';
import type { Computed } from './operation-queue.ts';

export interface BrokerSessionKeeperOptions {
  readonly sessionTimeoutMs: number;
  readonly brokerConfig: ConfigMap;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly clusterIdGenerator?: () => string;
}

function replayDraft(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return records.length === 0 ? image : replayBatch(image, records, image.lastOffset + BigInt(records.length));
}

export class BrokerSessionKeeper {
  readonly #options: BrokerSessionKeeperOptions;
  readonly #sessions: BrokerSessions;
  /** The metadataOffset of each broker's last heartbeat to this node while active. */
  readonly #offsets = new Map<number, bigint>();
  /** Wall-clock ms of each broker's latest heartbeat (DescribeQuorum's observer fetch times). */
  readonly #heardMs = new Map<number, number>();

  constructor(options: BrokerSessionKeeperOptions) {
    this.#options = options;
    this.#sessions = new BrokerSessions(options.sessionTimeoutMs);
  }

  /** Each broker's last reported metadata offset. */
  get metadataOffsets(): ReadonlyMap<number, bigint> {
    return this.#offsets;
  }

  /** Each broker's last reported metadata offset and the wall-clock ms it arrived at. */
  get heartbeats(): ReadonlyMap<number, { offset: bigint; atMs: number }> {
    const out = new Map<number, { offset: bigint; atMs: number }>();
    for (const [id, offset] of this.#offsets) out.set(id, { offset, atMs: this.#heardMs.get(id) ?? -1 });
    return out;
  }

  /** This node just became the active controller: every registered broker gets a fresh session. */
  activated(image: MetadataImage): void {
    this.#sessions.resetAll(image.brokers(), this.#options.clock.monotonicMs());
    this.#offsets.clear();
    this.#heardMs.clear();
  }

  hasExpired(): boolean {
    return this.#sessions.expired(this.#options.clock.monotonicMs()).length > 0;
  }

  /**
   * The cluster id record and the default finalized features, when the
   * cluster has none yet (the first active controller writes them; a log
   * from before features gets the defaults from its next active controller).
   */
  clusterId(image: MetadataImage): Computed<null> {
    return {
      records: [...ensureClusterId(image, this.#options.clusterIdGenerator), ...ensureFeatures(image)],
      value: null,
    };
  }

  /** A broker registers fenced; its heartbeats unfence it once it has caught up with metadata. */
  register(
    image: MetadataImage,
    req: RegisterBrokerRequest,
  ): Computed<Result<{ brokerEpoch: bigint }, RegisterBrokerError>> {
    const identity = [...ensureClusterId(image, this.#options.clusterIdGenerator), ...ensureFeatures(image)];
    const draft = replayDraft(image, identity);
    const sameCluster = checkClusterId(draft, req.clusterId);
    if (!sameCluster.ok) {
      this.#options.logger.warn(
        { broker: req.brokerId, err: sameCluster.message },
        'broker of another cluster refused',
      );
      return { records: identity, value: sameCluster };
    }
    const now = this.#options.clock.monotonicMs();
    const expired = new Set(this.#sessions.expired(now));
    const live = new Map<number, string>();
    for (const b of draft.brokers()) {
      const s = this.#sessions.get(b.brokerId);
      if (s !== undefined && !expired.has(b.brokerId)) live.set(b.brokerId, s.incarnationId);
    }
    const { records, result } = registerBrokerWithElr(draft, req, live, {
      fenced: true,
      brokerConfig: this.#options.brokerConfig,
    });
    if (!result.ok) return { records: identity, value: result };
    if (!req.previousShutdownClean) this.#options.logger.warn({ broker: req.brokerId }, 'broker restarted uncleanly');
    this.#sessions.touch(req.brokerId, req.incarnationId, result.value.brokerEpoch, now);
    return { records: [...identity, ...records], value: result };
  }

  heartbeat(image: MetadataImage, req: BrokerHeartbeat): Computed<Result<BrokerHeartbeatReply, BrokerHeartbeatError>> {
    this.#offsets.set(req.brokerId, req.metadataOffset);
    this.#heardMs.set(req.brokerId, this.#options.clock.nowMs());
    const { records, result } = brokerHeartbeat(
      image,
      this.#sessions,
      req,
      this.#options.clock.monotonicMs(),
      this.#options.brokerConfig,
    );
    return { records, value: result };
  }

  /** Fences every broker whose session ran out, electing new leaders for what it led. */
  expire(image: MetadataImage): Computed<null> {
    const now = this.#options.clock.monotonicMs();
    const { records, fenced } = expireSessions(image, this.#sessions, now, replayDraft, this.#options.brokerConfig);
    if (fenced.length > 0) this.#options.logger.warn({ brokers: fenced }, 'broker sessions expired: fencing');
    return { records, value: null };
  }
}
