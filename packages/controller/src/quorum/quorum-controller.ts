/**
 * One member of the controller quorum, put together from its parts:
 *
 *   RaftDriver          Raft core + store: persist → send → apply → advance
 *   OperationQueue      admin calls computed against the image, batched into entries
 *   BrokerSessionKeeper registrations, heartbeats, session expiry, the cluster id
 *   ControllerDuties    what the active controller does on its own every tick
 *   controllerServiceHandler  the gRPC handler table (one line per RPC)
 *
 * The Raft leader is the active controller: it runs the control logic and
 * serves brokers; followers answer admin calls with NOT_CONTROLLER (naming
 * the leader) but stream committed metadata like the leader does. A quorum
 * of one voter (`runnel dev`, combined mode) is the same code: it campaigns
 * as soon as it starts instead of waiting out an election timeout.
 *
 * Owned by the controller process (or a test), which must stop() it. A
 * failed write to the Raft store leaves the node unable to continue safely:
 * it logs, stops serving, and `failed` resolves so the process can exit and
 * restart from what reached the disk.
 */
import { join } from 'node:path';
import type { Clock, Logger } from '@runnel/common';
import { silentLogger, systemClock } from '@runnel/common';
import type { ConfigMap, MetadataImage } from '@runnel/metadata';
import type { Message } from '@runnel/raft';
import type { ControllerLeaderHint } from '@runnel/rpc';
import { ControllerServiceServer, RaftTransportClient, RaftTransportServer } from '@runnel/rpc';
import type { ControllerConfig } from '../controller-config.ts';
import type { TopicDefaults } from '../logic/create-topics.ts';
import type { QuorumInputs } from '../logic/describe-quorum.ts';
import { RaftLogStore } from '../raft/raft-log-store.ts';
import { BrokerSessionKeeper } from './broker-session-keeper.ts';
import { ControllerDuties } from './controller-duties.ts';
import { controllerServiceHandler } from './controller-service.ts';
import { MetadataStateMachine } from './metadata-state-machine.ts';
import { checkNodeIdentity, recordNodeIdentity } from './node-identity.ts';
import { OperationQueue } from './operation-queue.ts';
import { RaftDriver } from './raft-driver.ts';

/** The data directory does not fit this node (another node's, or a store that lost its contents); refuse to start. */
export class NodeIdentityError extends Error {
  override name = 'NodeIdentityError';
}

export interface QuorumControllerOptions {
  readonly config: ControllerConfig;
  /** Port for the broker-facing ControllerService (0 = any free port). */
  readonly servicePort: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly brokerDefaults?: TopicDefaults;
  /**
   * Static broker config the cluster defaults come from (min.insync.replicas,
   * unclean.leader.election.enable, auto.leader.rebalance.enable,
   * leader.imbalance.per.broker.percentage); dynamic cluster defaults win.
   */
  readonly brokerConfig?: ConfigMap;
  /** Topic ids; random UUIDs unless a test wants them predictable. */
  readonly idGenerator?: () => string;
  /** Told of leader changes and commit latencies (the process's metrics); must not throw. */
  readonly observer?: QuorumObserver;
}

/** What the quorum reports as it runs, for metrics. Called synchronously on the controller's path. */
export interface QuorumObserver {
  /** This node learned of a new leader (a node id; never 0). */
  leaderChanged(leaderId: number): void;
  /** An admin operation's records went from proposal to committed and applied here, in `seconds`. */
  committed(operation: string, seconds: number): void;
}

export class QuorumController {
  readonly nodeId: number;
  readonly #config: ControllerConfig;
  readonly #logger: Logger;
  readonly #store: RaftLogStore;
  readonly #sm = new MetadataStateMachine();
  readonly #raft: RaftDriver;
  readonly #queue: OperationQueue;
  readonly #sessions: BrokerSessionKeeper;
  readonly #duties: ControllerDuties;
  readonly #observer: QuorumObserver | null;
  #transport: RaftTransportClient | null = null;
  #raftServer: RaftTransportServer | null = null;
  #serviceServer: ControllerServiceServer | null = null;
  #tickTimer: NodeJS.Timeout | null = null;
  #leader = 0;
  #role = 'follower';
  #stopped = false;
  #failed: (reason: string) => void = () => undefined;
  /** Resolves with a reason when the node cannot go on (a failed store write); the process should exit. */
  readonly failed: Promise<string>;

  private constructor(options: QuorumControllerOptions, store: RaftLogStore) {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const brokerConfig = options.brokerConfig ?? {};
    this.#config = config;
    this.nodeId = config.nodeId;
    this.#logger = (options.logger ?? silentLogger()).child({ controller: this.nodeId });
    this.#observer = options.observer ?? null;
    this.#store = store;
    this.failed = new Promise((resolve) => {
      this.#failed = resolve;
    });
    this.#raft = new RaftDriver({
      nodeId: this.nodeId,
      store,
      stateMachine: this.#sm,
      electionTicks: config.electionTicks,
      heartbeatTicks: config.heartbeatTicks,
      snapshotIntervalRecords: config.snapshotIntervalRecords,
      logger: this.#logger,
      send: (messages) => this.#transport?.send(messages),
      onRoleChange: (leader, role) => this.#onRoleChange(leader, role),
      onFail: (error) => this.#fail(error),
    });
    this.#queue = new OperationQueue({
      image: () => this.#sm.image,
      isActive: () => this.isActive && !this.#stopped,
      propose: (records) => this.#raft.propose(records),
      leaderHint: () => this.#hint(),
      clock,
      committed: (operation, seconds) => this.#observer?.committed(operation, seconds),
    });
    this.#sessions = new BrokerSessionKeeper({
      sessionTimeoutMs: config.brokerSessionTimeoutMs,
      brokerConfig,
      clock,
      logger: this.#logger,
    });
    this.#duties = new ControllerDuties({
      queue: this.#queue,
      sessions: this.#sessions,
      brokerConfig,
      leaderImbalanceCheckIntervalMs: config.leaderImbalanceCheckIntervalMs,
      balanceIntervalMs: config.balanceIntervalMs,
      balanceMovesMax: config.balanceMovesMax,
      clock,
      logger: this.#logger,
    });
    this.#handlerDeps = {
      topicDefaults: options.brokerDefaults ?? { numPartitions: 1, defaultReplicationFactor: 1 },
      brokerConfig,
      topicIdGenerator: options.idGenerator ?? (() => crypto.randomUUID()),
    };
  }

  readonly #handlerDeps: {
    topicDefaults: TopicDefaults;
    brokerConfig: ConfigMap;
    topicIdGenerator: () => string;
  };

  static async start(options: QuorumControllerOptions): Promise<QuorumController> {
    const { config } = options;
    const store = await RaftLogStore.open({
      dir: join(config.dataDir, 'raft'),
      logger: options.logger ?? silentLogger(),
    });
    try {
      await QuorumController.#prepareStore(store, options);
    } catch (error) {
      await store.close();
      throw error;
    }
    const controller = new QuorumController(options, store);
    try {
      await controller.#listen(options.servicePort);
    } catch (error) {
      await controller.stop();
      throw error;
    }
    return controller;
  }

  /**
   * Checks the node's identity and, on a first start or after a lost store,
   * saves the configured voters as the configuration. A lost store (moved
   * aside after damage) makes the node rejoin: marked in the store until the
   * Raft core reports it has copied the log from a leader.
   */
  static async #prepareStore(store: RaftLogStore, options: QuorumControllerOptions): Promise<void> {
    const { config } = options;
    const logger = options.logger ?? silentLogger();
    const initial = store.initialState();
    const empty =
      store.lastIndex() === 0 &&
      store.snapshot().metadata.index === 0 &&
      initial.hardState.term === 0 &&
      initial.confState.voters.length === 0;
    const soleVoter = config.voters.length === 1 && config.voters[0]?.nodeId === config.nodeId;
    const kind = await checkNodeIdentity(config.dataDir, config.nodeId, empty, soleVoter);
    if (!kind.ok) throw new NodeIdentityError(kind.message ?? kind.error);
    if (kind.value === 'restart') return;
    if (kind.value === 'store-lost') {
      logger.warn(
        { dir: join(config.dataDir, 'raft'), nodeId: config.nodeId },
        'the Raft store is empty although this controller has run before (moved aside after damage?): ' +
          'rejoining as an empty voter that neither votes nor stands for election until it has copied the log from the leader',
      );
      await store.setRejoining(true);
    }
    // The quorum is the configured voters (a static quorum, as KRaft's).
    await store.saveConfState({ voters: config.voters.map((v) => v.nodeId), learners: [] });
    // Only now: a crash before this leaves a first start that is still a first start.
    if (kind.value === 'first-start') await recordNodeIdentity(config.dataDir, config.nodeId);
  }

  get isActive(): boolean {
    return this.#role === 'leader';
  }

  get leaderId(): number {
    return this.#leader;
  }

  get image(): MetadataImage {
    return this.#sm.image;
  }

  get servicePort(): number {
    return this.#serviceServer?.port ?? 0;
  }

  /** The port Raft peers reach this node on (differs from the voter entry's when that was 0). */
  get raftPort(): number {
    return this.#raftServer?.port ?? 0;
  }

  get raftStatus(): RaftDriver['status'] {
    return this.#raft.status;
  }

  /** Each broker's last reported metadata offset; only the active controller hears heartbeats. */
  get brokerMetadataOffsets(): ReadonlyMap<number, bigint> {
    return this.#sessions.metadataOffsets;
  }

  /** Raft's view of the quorum for DescribeQuorum (logic/describe-quorum.ts builds the answer). */
  #quorumInputs(): Omit<QuorumInputs, 'brokers' | 'nowMs'> {
    const status = this.#raft.status;
    const progress = this.#raft.progress;
    const matches = new Map<number, number>();
    for (const id of status.confState.voters) matches.set(id, status.progress?.get(id)?.match ?? -1);
    return {
      leaderId: status.leader,
      term: status.term,
      matches,
      lastIndex: status.lastIndex,
      offsetAt: (index) => progress.offsetAt(index),
      contact: (voter) => progress.contact(voter),
      voterAddresses: this.#config.voters,
    };
  }

  async #listen(servicePort: number): Promise<void> {
    const config = this.#config;
    const self = config.voters.find((v) => v.nodeId === this.nodeId);
    if (self === undefined) throw new Error(`node ${this.nodeId} is not a voter`);
    const raft = await RaftTransportServer.start({
      host: config.listenHost,
      port: self.port,
      logger: this.#logger,
      onMessage: (m: Message) => this.#raft.step(m),
    });
    if (!raft.ok)
      throw new Error(`cannot listen for Raft on ${config.listenHost}:${self.port}: ${raft.message ?? raft.error}`);
    this.#raftServer = raft.value;
    const peers = new Map(
      config.voters.filter((v) => v.nodeId !== this.nodeId).map((v) => [v.nodeId, `${v.host}:${v.port}`] as const),
    );
    this.#transport = new RaftTransportClient({
      peers,
      logger: this.#logger,
      onSendFailure: (peer) => this.#raft.reportUnreachable(peer),
    });
    const service = await ControllerServiceServer.start({
      handler: controllerServiceHandler({
        nodeId: this.nodeId,
        queue: this.#queue,
        sessions: this.#sessions,
        duties: this.#duties,
        stateMachine: this.#sm,
        logger: this.#logger,
        quorum: () => this.#quorumInputs(),
        ...this.#handlerDeps,
      }),
      host: config.listenHost,
      port: servicePort,
      logger: this.#logger,
    });
    if (!service.ok)
      throw new Error(`cannot listen for brokers on port ${servicePort}: ${service.message ?? service.error}`);
    this.#serviceServer = service.value;
    this.#tickTimer = setInterval(() => this.#onTick(), config.tickMs);
    this.#logger.info(
      { raftPort: raft.value.port, servicePort: service.value.port, voters: config.voters.map((v) => v.nodeId) },
      'controller listening',
    );
    // A sole voter needs nobody's vote: lead now rather than after an election timeout.
    if (this.#raft.soleVoter) this.#raft.campaign();
  }

  /** Stops ticking and proposing first (waiting for the Ready in flight), then the servers and the transport, then the store. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#tickTimer !== null) clearInterval(this.#tickTimer);
    // No Raft work may still be sending when the transport closes: wait for the Ready in flight.
    await this.#raft.stop();
    await this.#queue.drained();
    await this.#serviceServer?.close();
    await this.#raftServer?.close();
    this.#transport?.close();
    await this.#store.close();
    this.#logger.info('controller stopped');
  }

  #onTick(): void {
    if (this.#stopped) return;
    this.#raft.tick();
    if (this.isActive) this.#duties.tick();
  }

  #onRoleChange(leader: number, role: string): void {
    const wasActive = this.isActive;
    if (leader !== 0 && leader !== this.#leader) this.#observer?.leaderChanged(leader);
    this.#leader = leader;
    this.#role = role;
    if (this.isActive && !wasActive) {
      this.#sessions.activated(this.#sm.image);
      this.#duties.activated();
      this.#logger.info({ term: this.#raft.status.term }, 'became the active controller');
    }
    if (!this.isActive && wasActive) {
      this.#logger.info({ leader }, 'no longer the active controller');
      this.#raft.abandonProposals('leadership lost');
    }
  }

  #hint(): ControllerLeaderHint {
    const leader = this.#config.voters.find((v) => v.nodeId === this.#leader);
    return { leaderId: leader?.nodeId ?? null, leaderAddress: null };
  }

  #fail(error: unknown): void {
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#logger.error({ err: reason }, 'controller cannot continue');
    this.#failed(reason);
    void this.stop();
  }
}
