/**
 * The single-node controller: runs the pure control logic on the current
 * image, commits the resulting records to the MetadataLog, replays them,
 * and tells subscribers. A Raft quorum replaces the single log in a later
 * issue; brokers never notice, because they only see ControllerChannel.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Logger, Result } from '@runnel/common';
import { AssertionError, assert, ok, silentLogger, systemClock } from '@runnel/common';
import type {
  AlterConfigsResource,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerStatus,
  CommittedBatch,
  ConfigMap,
  ControllerChannel,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicRequest,
  CreateTopicResult,
  DecommissionError,
  DeleteTopicResult,
  ElectLeadersResult,
  MetadataRecord,
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  ReassignmentQuery,
  RegisterBrokerRequest,
  TopicPartitionRef,
} from '@runnel/metadata';
import { MetadataImage, replayBatch, zeroUuid } from '@runnel/metadata';
import { alterConfigs } from './logic/alter-configs.ts';
import { alterPartition } from './logic/alter-partition.ts';
import { balanceDefaults, balanceDuties, balanceSettings } from './logic/balance-duties.ts';
import { electOfflineLeaders } from './logic/broker-fencing.ts';
import { createPartitions } from './logic/create-partitions.ts';
import type { TopicDefaults } from './logic/create-topics.ts';
import { createTopics } from './logic/create-topics.ts';
import { brokerStatuses, decommissionBroker } from './logic/decommission.ts';
import { deleteTopics } from './logic/delete-topics.ts';
import { leaderDuties } from './logic/leader-duties.ts';
import { preferredLeaderElections } from './logic/preferred-leaders.ts';
import { alterPartitionReassignments, listPartitionReassignments } from './logic/reassignment.ts';
import { registerBrokerWithElr } from './logic/register-broker.ts';
import { MetadataLog } from './metadata-log.ts';

export interface ControllerOptions {
  /** Directory of the level database holding the metadata log. */
  dir: string;
  logger?: Logger;
  clock?: Clock;
  brokerDefaults?: TopicDefaults;
  /**
   * The static broker config the controller resolves cluster defaults from
   * (min.insync.replicas, unclean.leader.election.enable,
   * auto.leader.rebalance.enable, leader.imbalance.per.broker.percentage).
   */
  brokerConfig?: ConfigMap;
  /** leader.imbalance.check.interval.seconds, in ms: how often leaders are rebalanced (default 300 000). */
  leaderImbalanceCheckIntervalMs?: number;
  /** How often replicas and leaders are balanced and decommissions drained (default 10 000). */
  balanceIntervalMs?: number;
  /** Reassignments in flight at most while balancing or draining (default 5). */
  balanceMovesMax?: number;
  /** Topic ids; random UUIDs unless a test wants them predictable. */
  idGenerator?: () => string;
}

type Listener = (batch: CommittedBatch) => void;

/**
 * Owned by the process that opened it (the CLI), which must close() it.
 * Admin operations run one at a time, in call order, each against the image
 * left by the previous one. The image it returns is immutable and may be
 * kept. If writing the log fails, the controller refuses every later
 * operation with that error (what reached disk is unknown): close and reopen.
 * A subscriber that throws is a bug in the subscriber: the batch stays
 * committed and the admin call that committed it rejects with the error.
 */
export class Controller {
  readonly #log: MetadataLog;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #defaults: TopicDefaults;
  readonly #idGenerator: () => string;
  readonly #listeners = new Set<Listener>();
  /** Every committed record, for subscribers that join late (snapshots bound this later). */
  readonly #records: MetadataRecord[];
  /** brokerId -> incarnation registered since this controller opened (see logic/register-broker.ts). */
  readonly #sessions = new Map<number, string>();
  readonly #brokerConfig: ConfigMap;
  readonly #rebalanceTimer: NodeJS.Timeout;
  readonly #balanceTimer: NodeJS.Timeout;
  readonly #balanceMovesMax: number;
  #image: MetadataImage;
  #tail: Promise<unknown> = Promise.resolve();
  #failure: unknown;
  #closed = false;

  private constructor(log: MetadataLog, records: MetadataRecord[], options: ControllerOptions) {
    this.#log = log;
    this.#records = records;
    this.#image = replayBatch(MetadataImage.empty, records, BigInt(records.length) - 1n);
    this.#logger = options.logger ?? silentLogger();
    this.#clock = options.clock ?? systemClock;
    this.#defaults = options.brokerDefaults ?? { numPartitions: 1, defaultReplicationFactor: 1 };
    this.#idGenerator = options.idGenerator ?? randomUUID;
    this.#brokerConfig = options.brokerConfig ?? {};
    this.#rebalanceTimer = setInterval(
      () => void this.#leaderDuties().catch(() => undefined),
      options.leaderImbalanceCheckIntervalMs ?? 300_000,
    );
    this.#rebalanceTimer.unref();
    this.#balanceMovesMax = options.balanceMovesMax ?? balanceDefaults.maxConcurrentMoves;
    this.#balanceTimer = setInterval(
      () => void this.#balanceDuties().catch(() => undefined),
      options.balanceIntervalMs ?? 10_000,
    );
    this.#balanceTimer.unref();
  }

  static async open(options: ControllerOptions): Promise<Controller> {
    const { log, records } = await MetadataLog.open(options.dir);
    const controller = new Controller(log, records, options);
    controller.#logger.info(
      { event: 'controller-opened', dir: options.dir, records: records.length, topics: controller.#image.topicCount },
      'controller opened',
    );
    return controller;
  }

  get image(): MetadataImage {
    return this.#image;
  }

  channel(): ControllerChannel {
    return {
      subscribe: (listener) => this.#subscribe(listener),
      registerBroker: (req) => this.#registerBroker(req),
      createTopics: (topics, options) => this.#createTopics(topics, options.validateOnly),
      deleteTopics: (names) => this.#deleteTopics(names),
      createPartitions: (topics, options) => this.#createPartitions(topics, options.validateOnly),
      alterConfigs: (resources, options) => this.#alterConfigs(resources, options.validateOnly),
      alterPartition: (req) => this.#alterPartition(req),
      electLeaders: (partitions) => this.#electLeaders(partitions),
      alterPartitionReassignments: (reassignments) => this.#alterPartitionReassignments(reassignments),
      listPartitionReassignments: (query) => this.#listPartitionReassignments(query),
      // In-process: there is no controller node, so the broker names itself (as KRaft's combined mode does).
      describeCluster: () => Promise.resolve({ controllerId: null }),
      describeBrokers: () => this.#describeBrokers(),
      decommissionBroker: (brokerId, options) => this.#decommissionBroker(brokerId, options.cancel),
    };
  }

  /** Waits for the operation in flight, then closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#rebalanceTimer);
    clearInterval(this.#balanceTimer);
    await this.#tail;
    this.#listeners.clear();
    await this.#log.close();
  }

  #subscribe(listener: Listener): () => void {
    if (this.#records.length > 0) {
      listener({ records: [...this.#records], lastOffset: this.#image.lastOffset });
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #registerBroker(
    req: RegisterBrokerRequest,
  ): Promise<Result<{ brokerEpoch: bigint }, 'duplicate_broker_registration'>> {
    return this.#serialized(async () => {
      // No heartbeats here: a broker is live from registration on.
      const { records, result } = registerBrokerWithElr(this.#image, req, this.#sessions, {
        fenced: false,
        brokerConfig: this.#brokerConfig,
      });
      await this.#commit(records);
      if (result.ok) this.#sessions.set(req.brokerId, req.incarnationId);
      return result;
    });
  }

  #createTopics(topics: readonly CreateTopicRequest[], validateOnly: boolean): Promise<CreateTopicResult[]> {
    return this.#serialized(async () => {
      const { records, results } = createTopics(this.#image, topics, this.#defaults, this.#idGenerator);
      if (!validateOnly) {
        await this.#commit(records);
        return results;
      }
      // Validate-only creates write nothing and report the zero id, as Kafka does.
      return results.map(({ name, result }) =>
        result.ok ? { name, result: ok({ ...result.value, topicId: zeroUuid }) } : { name, result },
      );
    });
  }

  #deleteTopics(names: readonly string[]): Promise<DeleteTopicResult[]> {
    return this.#serialized(async () => {
      const { records, results } = deleteTopics(this.#image, names);
      await this.#commit(records);
      return results;
    });
  }

  #createPartitions(
    topics: readonly CreatePartitionsTopic[],
    validateOnly: boolean,
  ): Promise<CreatePartitionsResult[]> {
    return this.#serialized(async () => {
      const { records, results } = createPartitions(this.#image, topics);
      if (!validateOnly) await this.#commit(records);
      return results;
    });
  }

  #alterConfigs(resources: readonly AlterConfigsResource[], validateOnly: boolean): Promise<AlterConfigsResult[]> {
    return this.#serialized(async () => {
      const { records, results } = alterConfigs(this.#image, resources);
      if (!validateOnly && records.length > 0) {
        // A topic may now allow unclean election (or need fewer in sync): its offline partitions elect at once.
        const draft = replayBatch(this.#image, records, this.#image.lastOffset + BigInt(records.length));
        await this.#commit([...records, ...electOfflineLeaders(draft, this.#brokerConfig)]);
      }
      return resources.map((r, i) => {
        const result = results[i];
        assert(result !== undefined, 'alterConfigs answered fewer resources than asked');
        return { resourceType: r.resourceType, resourceName: r.resourceName, result };
      });
    });
  }

  #alterPartition(req: AlterPartitionRequest): Promise<Result<AlterPartitionReply, AlterPartitionError>> {
    return this.#serialized(async () => {
      const { records, result } = alterPartition(this.#image, req, this.#brokerConfig);
      await this.#commit(records);
      return result;
    });
  }

  #alterPartitionReassignments(
    reassignments: readonly PartitionReassignment[],
  ): Promise<PartitionReassignmentResult[]> {
    return this.#serialized(async () => {
      const { records, results } = alterPartitionReassignments(this.#image, reassignments);
      await this.#commit(records);
      return results;
    });
  }

  #listPartitionReassignments(query: readonly ReassignmentQuery[] | null): Promise<OngoingReassignment[]> {
    // Serialized so the answer reflects every admin call made before it.
    return this.#serialized(() => Promise.resolve(listPartitionReassignments(this.#image, query)));
  }

  #electLeaders(partitions: readonly TopicPartitionRef[] | null): Promise<ElectLeadersResult[]> {
    return this.#serialized(async () => {
      const { records, results } = preferredLeaderElections(this.#image, { partitions });
      await this.#commit(records);
      return results;
    });
  }

  #describeBrokers(): Promise<BrokerStatus[]> {
    return this.#serialized(() => Promise.resolve(brokerStatuses(this.#image)));
  }

  async #decommissionBroker(brokerId: number, cancel: boolean): Promise<Result<BrokerStatus, DecommissionError>> {
    const result = await this.#serialized(async () => {
      const { records, result } = decommissionBroker(this.#image, brokerId, { cancel });
      await this.#commit(records);
      return result;
    });
    // Draining starts now rather than at the next interval.
    if (result.ok && !cancel) await this.#balanceDuties();
    return result;
  }

  /** The periodic balance duty: drain decommissioning brokers, even out replicas and leaders. */
  #balanceDuties(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#serialized(() => {
      const settings = balanceSettings(this.#image, this.#brokerConfig, this.#balanceMovesMax);
      const { records, reassigned, elected } = balanceDuties(this.#image, settings);
      if (records.length > 0) {
        this.#logger.info({ event: 'balance-moves', reassigned, elected }, 'balancing brokers');
      }
      return this.#commit(records);
    });
  }

  /** The periodic check: offline partitions that can elect now, then leader rebalancing. */
  #leaderDuties(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#serialized(() => this.#commit(leaderDuties(this.#image, this.#brokerConfig)));
  }

  /** Runs `op` after every earlier operation has settled. */
  #serialized<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AssertionError('controller used after close()'));
    const run = this.#tail.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      return op();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #commit(records: readonly MetadataRecord[]): Promise<void> {
    if (records.length === 0) return;
    const startMs = this.#clock.monotonicMs();
    let lastOffset: bigint;
    try {
      lastOffset = await this.#log.append(records);
    } catch (e: unknown) {
      this.#failure = e;
      this.#logger.error({ event: 'metadata-commit-failed', err: e }, 'metadata log write failed; controller stopped');
      throw e;
    }
    this.#image = replayBatch(this.#image, records, lastOffset);
    for (const r of records) this.#records.push(r);
    this.#logger.info(
      {
        event: 'metadata-committed',
        lastOffset: String(lastOffset),
        records: records.length,
        commitMs: this.#clock.monotonicMs() - startMs,
      },
      'metadata committed',
    );
    this.#notify({ records, lastOffset });
  }

  #notify(batch: CommittedBatch): void {
    let firstError: unknown;
    for (const listener of [...this.#listeners]) {
      try {
        listener(batch);
      } catch (e: unknown) {
        firstError ??= e;
      }
    }
    if (firstError !== undefined) throw firstError;
  }
}
