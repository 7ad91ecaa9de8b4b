/**
 * One member of the controller quorum: drives the Raft core (ticks,
 * messages, Ready processing), applies committed entries to the metadata
 * state machine, and — when it is the Raft leader, the active controller —
 * runs the control logic and serves brokers. Followers answer brokers'
 * admin calls with NOT_CONTROLLER (naming the leader) but stream committed
 * metadata like the leader does.
 *
 * Ready processing follows the Raft contract: persist (synced when the core
 * says so) before sending, apply after, then advance. Admin operations are
 * computed in arrival order, each against the image left by the ones before
 * it; those that queue up while an entry is being committed share the next
 * entry; each answers once its records are committed and applied here.
 *
 * Owned by the controller process (or a test), which must stop() it. A
 * failed write to the Raft store leaves the node unable to continue safely:
 * it logs, stops serving, and `failed` resolves so the process can exit and
 * restart from what reached the disk.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { Clock, Logger, Result } from '@runnel/common';
import { err, ok, Random, silentLogger, systemClock } from '@runnel/common';
import type { ConfigMap, CreateTopicRequest, MetadataImage, MetadataRecord } from '@runnel/metadata';
import { replayBatch } from '@runnel/metadata';
import type { ConfState, Entry, Message } from '@runnel/raft';
import { decodeConfChange, RawNode } from '@runnel/raft';
import type { ControllerAnswer, ControllerLeaderHint, ControllerServiceHandler } from '@runnel/rpc';
import { answer, ControllerServiceServer, notController, RaftTransportClient, RaftTransportServer } from '@runnel/rpc';
import type { ControllerConfig } from '../controller-config.ts';
import { alterConfigs } from '../logic/alter-configs.ts';
import { alterPartition } from '../logic/alter-partition.ts';
import { balanceDuties, balanceSettings } from '../logic/balance-duties.ts';
import { electOfflineLeaders } from '../logic/broker-fencing.ts';
import { brokerHeartbeat, expireSessions } from '../logic/broker-heartbeat.ts';
import { BrokerSessions } from '../logic/broker-sessions.ts';
import { createPartitions } from '../logic/create-partitions.ts';
import type { TopicDefaults } from '../logic/create-topics.ts';
import { createTopics } from '../logic/create-topics.ts';
import { brokerStatuses, decommissionBroker } from '../logic/decommission.ts';
import { deleteTopics } from '../logic/delete-topics.ts';
import { leaderDuties } from '../logic/leader-duties.ts';
import { preferredLeaderElections } from '../logic/preferred-leaders.ts';
import { alterPartitionReassignments, listPartitionReassignments } from '../logic/reassignment.ts';
import { registerBrokerWithElr } from '../logic/register-broker.ts';
import { RaftLogStore } from '../raft/raft-log-store.ts';
import { encodeMetadataEntry } from './entry-codec.ts';
import { MetadataStateMachine } from './metadata-state-machine.ts';
import { checkNodeIdentity } from './node-identity.ts';

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

type Pending = { resolve: (offset: bigint) => void; reject: (error: Error) => void };

class NotControllerError extends Error {}

const proposalTimeoutMs = 10_000;
/** Admin operations folded into one Raft entry at most. */
const opsPerEntryMax = 256;

interface QueuedOp {
  readonly operation: string;
  readonly compute: (image: MetadataImage) => { records: MetadataRecord[]; value: unknown };
  readonly resolve: (answer: ControllerAnswer<unknown>) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedMs: number;
}

export class QuorumController {
  readonly nodeId: number;
  readonly #config: ControllerConfig;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #defaults: TopicDefaults;
  readonly #brokerConfig: ConfigMap;
  /** Monotonic ms of the last leadership check (offline elections, rebalancing); reset on becoming active. */
  #leaderCheckMs = 0;
  /** Monotonic ms of the last balance duty; reset on becoming active; -Infinity runs it on the next tick. */
  #balanceCheckMs = 0;
  readonly #idGenerator: () => string;
  readonly #store: RaftLogStore;
  readonly #node: RawNode;
  readonly #sm = new MetadataStateMachine();
  readonly #sessions: BrokerSessions;
  readonly #pending = new Map<number, Pending>();
  readonly #observer: QuorumObserver | null;
  /** The metadataOffset of each broker's last heartbeat to this node while active. */
  readonly #brokerOffsets = new Map<number, bigint>();
  #sequence = 0;
  #transport: RaftTransportClient | null = null;
  #raftServer: RaftTransportServer | null = null;
  #serviceServer: ControllerServiceServer | null = null;
  #tickTimer: NodeJS.Timeout | null = null;
  #processing = false;
  /** The drain in flight; stop() waits for it, since a Ready being persisted is sent next. */
  #draining: Promise<void> = Promise.resolve();
  #again = false;
  #leader = 0;
  #role = 'follower';
  #opTail: Promise<unknown> = Promise.resolve();
  readonly #opQueue: QueuedOp[] = [];
  #opsRunning = false;
  #confState: ConfState;
  #snapshotOffset = -1n;
  #appliedIndex: number;
  #stopped = false;
  #failed: (reason: string) => void = () => undefined;
  /** Resolves with a reason when the node cannot go on (a failed store write); the process should exit. */
  readonly failed: Promise<string>;

  private constructor(options: QuorumControllerOptions, store: RaftLogStore) {
    this.#config = options.config;
    this.nodeId = options.config.nodeId;
    this.#logger = (options.logger ?? silentLogger()).child({ controller: this.nodeId });
    this.#clock = options.clock ?? systemClock;
    this.#defaults = options.brokerDefaults ?? { numPartitions: 1, defaultReplicationFactor: 1 };
    this.#brokerConfig = options.brokerConfig ?? {};
    this.#idGenerator = options.idGenerator ?? (() => crypto.randomUUID());
    this.#observer = options.observer ?? null;
    this.#store = store;
    this.#sessions = new BrokerSessions(options.config.brokerSessionTimeoutMs);
    this.failed = new Promise((resolve) => {
      this.#failed = resolve;
    });
    const snapshot = store.snapshot();
    if (snapshot.metadata.index > 0) this.#sm.restore(snapshot.data);
    this.#snapshotOffset = this.#sm.lastOffset;
    this.#appliedIndex = snapshot.metadata.index;
    this.#confState = store.initialState().confState;
    this.#node = new RawNode({
      id: this.nodeId,
      storage: store,
      electionTicks: options.config.electionTicks,
      heartbeatTicks: options.config.heartbeatTicks,
      preVote: true,
      checkQuorum: true,
      inflightMessagesMax: 256,
      messageBytesMax: 1024 * 1024,
      applied: snapshot.metadata.index,
      random: new Random(randomInt(2 ** 31)),
    });
  }

  static async start(options: QuorumControllerOptions): Promise<QuorumController> {
    const { config } = options;
    const store = await RaftLogStore.open({
      dir: join(config.dataDir, 'raft'),
      logger: options.logger ?? silentLogger(),
    });
    const initial = store.initialState();
    const empty = store.lastIndex() === 0 && store.snapshot().metadata.index === 0 && initial.hardState.term === 0;
    const identity = await checkNodeIdentity(config.dataDir, config.nodeId, empty);
    if (!identity.ok) {
      await store.close();
      throw new NodeIdentityError(identity.message ?? identity.error);
    }
    if (store.lastIndex() === 0 && initial.confState.voters.length === 0) {
      // First start of this node: the quorum is the configured voters (a static quorum, as KRaft's).
      await store.saveConfState({ voters: config.voters.map((v) => v.nodeId), learners: [] });
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

  get raftStatus(): ReturnType<RawNode['status']> {
    return this.#node.status();
  }

  /** Each broker's last reported metadata offset; only the active controller hears heartbeats. */
  get brokerMetadataOffsets(): ReadonlyMap<number, bigint> {
    return this.#brokerOffsets;
  }

  async #listen(servicePort: number): Promise<void> {
    const self = this.#config.voters.find((v) => v.nodeId === this.nodeId);
    if (self === undefined) throw new Error(`node ${this.nodeId} is not a voter`);
    const raft = await RaftTransportServer.start({
      host: this.#config.listenHost,
      port: self.port,
      logger: this.#logger,
      onMessage: (m) => this.#onMessage(m),
    });
    if (!raft.ok)
      throw new Error(
        `cannot listen for Raft on ${this.#config.listenHost}:${self.port}: ${raft.message ?? raft.error}`,
      );
    this.#raftServer = raft.value;
    const peers = new Map(
      this.#config.voters
        .filter((v) => v.nodeId !== this.nodeId)
        .map((v) => [v.nodeId, `${v.host}:${v.port}`] as const),
    );
    this.#transport = new RaftTransportClient({
      peers,
      logger: this.#logger,
      onSendFailure: (peer) => this.#node.reportUnreachable(peer),
    });
    const service = await ControllerServiceServer.start({
      handler: this.handler(),
      host: this.#config.listenHost,
      port: servicePort,
      logger: this.#logger,
    });
    if (!service.ok)
      throw new Error(`cannot listen for brokers on port ${servicePort}: ${service.message ?? service.error}`);
    this.#serviceServer = service.value;
    this.#tickTimer = setInterval(() => this.#onTick(), this.#config.tickMs);
    this.#logger.info(
      { raftPort: raft.value.port, servicePort: service.value.port, voters: this.#config.voters.map((v) => v.nodeId) },
      'controller listening',
    );
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#tickTimer !== null) clearInterval(this.#tickTimer);
    for (const p of this.#pending.values()) p.reject(new NotControllerError('controller stopping'));
    this.#pending.clear();
    await this.#serviceServer?.close();
    await this.#raftServer?.close();
    // #drain's loop ends after the Ready in flight, which may still send: only then close the transport.
    await this.#draining;
    this.#transport?.close();
    await this.#opTail.catch(() => undefined);
    await this.#store.close();
    this.#logger.info('controller stopped');
  }

  // --- Raft driving -------------------------------------------------------

  #onTick(): void {
    if (this.#stopped) return;
    this.#node.tick();
    if (this.isActive) {
      this.#expireSessions();
      this.#checkLeaders();
      this.#checkBalance();
    }
    this.#kick();
  }

  #onMessage(message: Message): void {
    if (this.#stopped) return;
    this.#node.step(message);
    this.#kick();
  }

  #kick(): void {
    if (this.#processing) {
      this.#again = true;
      return;
    }
    this.#processing = true;
    this.#draining = this.#drain().then(
      () => {
        this.#processing = false;
      },
      (error: unknown) => this.#fail(error),
    );
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      while (!this.#stopped && this.#node.hasReady()) {
        const ready = this.#node.ready();
        await this.#store.persist(ready);
        if (ready.snapshot !== null && ready.snapshot.metadata.index > this.#appliedIndex) {
          this.#sm.restore(ready.snapshot.data);
          this.#appliedIndex = ready.snapshot.metadata.index;
          this.#confState = ready.snapshot.metadata.confState;
          this.#snapshotOffset = this.#sm.lastOffset;
        }
        if (ready.messages.length > 0) {
          this.#transport?.send(ready.messages);
          // The transport streams them in order; a lost snapshot shows up as the follower rejecting appends again.
          for (const m of ready.messages) if (m.type === 'snapshot') this.#node.reportSnapshot(m.to, 'finished');
        }
        for (const entry of ready.committedEntries) await this.#apply(entry);
        this.#node.advance(ready);
        if (ready.softState !== null) this.#onRoleChange(ready.softState.leader, ready.softState.role);
        await this.#maybeSnapshot();
      }
    } while (this.#again && !this.#stopped);
  }

  async #apply(entry: Entry): Promise<void> {
    if (entry.index <= this.#appliedIndex) return;
    this.#appliedIndex = entry.index;
    if (entry.type === 'conf-change') {
      this.#confState = this.#node.applyConfChange(decodeConfChange(entry.data));
      await this.#store.saveConfState(this.#confState);
      return;
    }
    const applied = this.#sm.apply(entry.data);
    if (applied === null || applied.proposer !== this.nodeId) return;
    const pending = this.#pending.get(applied.sequence);
    if (pending !== undefined) {
      this.#pending.delete(applied.sequence);
      pending.resolve(applied.lastOffset);
    }
  }

  #onRoleChange(leader: number, role: string): void {
    const wasActive = this.isActive;
    if (leader !== 0 && leader !== this.#leader) this.#observer?.leaderChanged(leader);
    this.#leader = leader;
    this.#role = role;
    if (this.isActive && !wasActive) {
      // A new active controller gives every broker a fresh session rather than fencing on stale clocks.
      this.#sessions.resetAll(this.#sm.image.brokers(), this.#clock.monotonicMs());
      this.#brokerOffsets.clear();
      this.#leaderCheckMs = this.#clock.monotonicMs();
      this.#balanceCheckMs = this.#clock.monotonicMs();
      this.#logger.info({ term: this.#node.status().term }, 'became the active controller');
    }
    if (!this.isActive && wasActive) {
      this.#logger.info({ leader }, 'no longer the active controller');
      for (const p of this.#pending.values()) p.reject(new NotControllerError('leadership lost'));
      this.#pending.clear();
    }
  }

  async #maybeSnapshot(): Promise<void> {
    if (this.#sm.lastOffset - this.#snapshotOffset < BigInt(this.#config.snapshotIntervalRecords)) return;
    const index = this.#appliedIndex;
    await this.#store.createSnapshot(index, this.#confState, this.#sm.snapshot());
    // Keep some entries behind the snapshot so a slightly lagging peer catches up from the log.
    const keep = 1000;
    if (index - keep > this.#store.firstIndex()) await this.#store.compact(index - keep);
    this.#sm.compact();
    this.#snapshotOffset = this.#sm.lastOffset;
    this.#logger.info({ index, offset: String(this.#snapshotOffset) }, 'metadata snapshot taken');
  }

  #fail(error: unknown): void {
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#logger.error({ err: reason }, 'controller cannot continue');
    this.#processing = false;
    this.#failed(reason);
    void this.stop();
  }

  // --- Proposals and admin operations -------------------------------------

  /** Proposes records; resolves with the metadata offset of the last one once committed and applied here. */
  #propose(records: readonly MetadataRecord[]): Promise<bigint> {
    const sequence = ++this.#sequence;
    const result = this.#node.propose(encodeMetadataEntry({ proposer: this.nodeId, sequence, records }));
    if (!result.ok) return Promise.reject(new NotControllerError(result.error));
    const committed = new Promise<bigint>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(sequence);
        reject(new NotControllerError('commit timed out'));
      }, proposalTimeoutMs);
      this.#pending.set(sequence, {
        resolve: (offset) => {
          clearTimeout(timer);
          resolve(offset);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    this.#kick();
    return committed;
  }

  #hint(): ControllerLeaderHint {
    const leader = this.#config.voters.find((v) => v.nodeId === this.#leader);
    return { leaderId: leader?.nodeId ?? null, leaderAddress: null };
  }

  /** Runs `compute` against the latest image as the active controller, commits its records, answers. */
  #admin<T>(
    operation: string,
    compute: (image: MetadataImage) => { records: MetadataRecord[]; value: T },
  ): Promise<ControllerAnswer<T>> {
    return new Promise<ControllerAnswer<T>>((resolve, reject) => {
      this.#opQueue.push({
        operation,
        queuedMs: this.#clock.monotonicMs(),
        compute: compute as (image: MetadataImage) => { records: MetadataRecord[]; value: unknown },
        resolve: resolve as (answer: ControllerAnswer<unknown>) => void,
        reject,
      });
      if (!this.#opsRunning) {
        this.#opsRunning = true;
        this.#opTail = this.#runOps().finally(() => {
          this.#opsRunning = false;
        });
      }
    });
  }

  /**
   * Runs queued admin operations in batches: every operation queued while
   * the previous entry was being committed is computed in order against a
   * draft image (the applied image plus the records of the operations
   * before it in the batch), and all their records go into one Raft entry.
   * One entry is in flight at a time, so the draft always starts from what
   * is applied, and each operation's records get the offsets the state
   * machine will give them.
   */
  async #runOps(): Promise<void> {
    while (this.#opQueue.length > 0) {
      const batch = this.#opQueue.splice(0, opsPerEntryMax);
      if (!this.isActive || this.#stopped) {
        for (const op of batch) op.resolve(notController(this.#hint()));
        continue;
      }
      let draft = this.#sm.image;
      const records: MetadataRecord[] = [];
      const outcomes: { op: QueuedOp; value: unknown; lastOffset: bigint }[] = [];
      for (const op of batch) {
        try {
          const out = op.compute(draft);
          if (out.records.length > 0) {
            draft = replayBatch(draft, out.records, draft.lastOffset + BigInt(out.records.length));
            records.push(...out.records);
          }
          outcomes.push({ op, value: out.value, lastOffset: draft.lastOffset });
        } catch (error) {
          op.reject(error);
        }
      }
      if (records.length === 0) {
        for (const o of outcomes) o.op.resolve(answer(o.value, o.lastOffset));
        continue;
      }
      try {
        await this.#propose(records);
        for (const o of outcomes) {
          this.#observer?.committed(o.op.operation, (this.#clock.monotonicMs() - o.op.queuedMs) / 1000);
          o.op.resolve(answer(o.value, o.lastOffset));
        }
      } catch (error) {
        const reply = notController(this.#hint());
        for (const o of outcomes) {
          if (error instanceof NotControllerError) o.op.resolve(reply);
          else o.op.reject(error);
        }
      }
    }
  }

  #expireSessions(): void {
    const now = this.#clock.monotonicMs();
    if (this.#sessions.expired(now).length === 0) return;
    void this.#admin('expire_sessions', (image) => {
      const { records, fenced } = expireSessions(
        image,
        this.#sessions,
        now,
        (img, recs) => replayBatch(img, recs, img.lastOffset + BigInt(recs.length)),
        this.#brokerConfig,
      );
      if (fenced.length > 0) this.#logger.warn({ brokers: fenced }, 'broker sessions expired: fencing');
      return { records, value: null };
    });
  }

  /** Every leader.imbalance.check.interval: elect offline partitions that can, then rebalance leaders. */
  #checkLeaders(): void {
    const now = this.#clock.monotonicMs();
    if (now - this.#leaderCheckMs < this.#config.leaderImbalanceCheckIntervalMs) return;
    this.#leaderCheckMs = now;
    void this.#admin('leader_rebalance', (image) => {
      const records = leaderDuties(image, this.#brokerConfig);
      if (records.length > 0) this.#logger.info({ partitions: records.length }, 'leadership check moved leaders');
      return { records, value: null };
    });
  }

  /** Every balance interval: drain decommissioning brokers, even out replicas and leaders (logic/balance-duties.ts). */
  #checkBalance(): void {
    const now = this.#clock.monotonicMs();
    if (now - this.#balanceCheckMs < this.#config.balanceIntervalMs) return;
    this.#balanceCheckMs = now;
    void this.#admin('balance', (image) => {
      const settings = balanceSettings(image, this.#brokerConfig, this.#config.balanceMovesMax);
      const { records, reassigned, elected } = balanceDuties(image, settings);
      if (records.length > 0) this.#logger.info({ reassigned, elected }, 'balancing brokers');
      return { records, value: null };
    });
  }

  // --- The broker-facing service ------------------------------------------

  handler(): ControllerServiceHandler {
    return {
      registerBroker: (req) =>
        this.#admin(
          'register_broker',
          (
            image,
          ): { records: MetadataRecord[]; value: Result<{ brokerEpoch: bigint }, 'duplicate_broker_registration'> } => {
            const live = new Map<number, string>();
            const now = this.#clock.monotonicMs();
            for (const b of image.brokers()) {
              const s = this.#sessions.get(b.brokerId);
              if (s !== undefined && !this.#sessions.expired(now).includes(b.brokerId))
                live.set(b.brokerId, s.incarnationId);
            }
            // A registered broker starts fenced; its heartbeats unfence it once it has caught up with metadata.
            const { records, result } = registerBrokerWithElr(image, req, live, {
              fenced: true,
              brokerConfig: this.#brokerConfig,
            });
            if (!result.ok) return { records: [], value: result };
            if (!req.previousShutdownClean) this.#logger.warn({ broker: req.brokerId }, 'broker restarted uncleanly');
            this.#sessions.touch(req.brokerId, req.incarnationId, result.value.brokerEpoch, now);
            return { records, value: result };
          },
        ),
      brokerHeartbeat: (req) =>
        this.#admin('broker_heartbeat', (image) => {
          this.#brokerOffsets.set(req.brokerId, req.metadataOffset);
          const { records, result } = brokerHeartbeat(
            image,
            this.#sessions,
            {
              brokerId: req.brokerId,
              brokerEpoch: req.brokerEpoch,
              metadataOffset: req.metadataOffset,
              wantShutDown: req.wantsShutdown,
            },
            this.#clock.monotonicMs(),
            this.#brokerConfig,
          );
          const value: Result<
            { isFenced: boolean; isCaughtUp: boolean; shouldShutDown: boolean },
            'unknown_broker' | 'stale_broker_epoch'
          > = result.ok
            ? ok({
                isFenced: result.value.fenced,
                isCaughtUp: result.value.caughtUp,
                shouldShutDown: result.value.shouldShutDown,
              })
            : err(result.error, result.message);
          return { records, value };
        }),
      fetchMetadata: (afterOffset, sink) => {
        let offset = afterOffset;
        let stopped = false;
        const pump = (): void => {
          if (stopped) return;
          const next = this.#sm.catchUp(offset);
          if (next.kind === 'snapshot') {
            sink.snapshot(next.records, next.lastOffset);
            offset = next.lastOffset;
            pump();
            return;
          }
          for (const batch of next.batches) {
            sink.batch(batch);
            offset = batch.lastOffset;
          }
        };
        const unsubscribe = this.#sm.onChange(pump);
        pump();
        return {
          status: 'ok',
          stop: () => {
            stopped = true;
            unsubscribe();
          },
        };
      },
      createTopics: (topics: readonly CreateTopicRequest[], options) =>
        this.#admin('create_topics', (image) => {
          const outcome = createTopics(image, topics, this.#defaults, this.#idGenerator);
          return { records: options.validateOnly ? [] : outcome.records, value: outcome.results };
        }),
      deleteTopics: (names) =>
        this.#admin('delete_topics', (image) => {
          const outcome = deleteTopics(image, names);
          return { records: outcome.records, value: outcome.results };
        }),
      createPartitions: (topics, options) =>
        this.#admin('create_partitions', (image) => {
          const outcome = createPartitions(image, topics);
          return { records: options.validateOnly ? [] : outcome.records, value: outcome.results };
        }),
      incrementalAlterConfigs: (resources, options) =>
        this.#admin('incremental_alter_configs', (image) => {
          const { records: changes, results } = alterConfigs(image, resources);
          // A topic may now allow unclean election (or need fewer in sync): its offline partitions elect at once.
          const changed = replayBatch(image, changes, image.lastOffset + BigInt(changes.length));
          const records = changes.length === 0 ? [] : [...changes, ...electOfflineLeaders(changed, this.#brokerConfig)];
          return {
            records: options.validateOnly ? [] : records,
            value: resources.map((r, i) => ({
              resourceType: r.resourceType,
              resourceName: r.resourceName,
              result: results[i] ?? ok(null),
            })),
          };
        }),
      alterPartition: (req) =>
        this.#admin('alter_partition', (image) => {
          const { records, result } = alterPartition(image, req, this.#brokerConfig);
          return { records, value: result };
        }),
      alterPartitionReassignments: (reassignments) =>
        this.#admin('alter_partition_reassignments', (image) => {
          const { records, results } = alterPartitionReassignments(image, reassignments);
          return { records, value: results };
        }),
      // Queued like a write so the answer reflects every operation accepted before it.
      listPartitionReassignments: (query) =>
        this.#admin('list_partition_reassignments', (image) => ({
          records: [],
          value: listPartitionReassignments(image, query),
        })),
      electLeaders: (partitions) =>
        this.#admin('elect_leaders', (image) => {
          const { records, results } = preferredLeaderElections(image, { partitions });
          return { records, value: results };
        }),
      describeBrokers: () =>
        this.#admin('describe_brokers', (image) => ({ records: [], value: brokerStatuses(image) })),
      decommissionBroker: (brokerId, options) =>
        this.#admin('decommission_broker', (image) => {
          const { records, result } = decommissionBroker(image, brokerId, options);
          if (result.ok && !options.cancel) {
            this.#logger.info({ broker: brokerId, state: result.value.state }, 'broker decommission started');
            // Draining starts on the next tick rather than a whole interval later.
            this.#balanceCheckMs = Number.NEGATIVE_INFINITY;
          }
          return { records, value: result };
        }),
      describeCluster: async () => {
        if (!this.isActive) return notController(this.#hint());
        const image = this.#sm.image;
        return answer({
          clusterId: clusterIdOf(this.#config),
          controllerId: this.nodeId,
          brokers: image.brokers().map((b) => ({
            brokerId: b.brokerId,
            brokerEpoch: b.brokerEpoch,
            listeners: b.listeners,
            rack: b.rack,
            fenced: b.fenced,
          })),
          metadataOffset: image.lastOffset,
        });
      },
    };
  }
}

/** A stable cluster id derived from the quorum's voters (every controller computes the same one). */
function clusterIdOf(config: ControllerConfig): string {
  const text = config.voters.map((v) => `${v.nodeId}@${v.host}:${v.port}`).join(',');
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619);
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519);
  }
  return Buffer.from([h1 >>> 24, h1 >>> 16, h1 >>> 8, h1, h2 >>> 24, h2 >>> 16, h2 >>> 8, h2].map((b) => b & 0xff))
    .toString('base64url')
    .padEnd(22, 'A');
}
