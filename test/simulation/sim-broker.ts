/**
 * One broker of the replication simulation, hosting the one partition with
 * the real broker code: a PartitionLog on a simulated disk (recovery
 * included), a Partition, and a ReplicaManager with its fetchers and leader
 * fetch handling, all on the simulation's clock and timers and talking over
 * its network (SimBrokerNet).
 *
 * The disk (a FaultyFileSystem) and the high-watermark checkpoint survive
 * restarts; the process (timers, file handles, streams) does not. What the
 * simulation supplies itself is the glue a real broker gets from
 * PartitionManager and ControllerSession: register and heartbeat, turn each
 * committed image into ReplicaManager.applyState (in order, latest only, as
 * PartitionManager does), and the request handlers' part for clients
 * (sim-broker-clients.ts: Produce, WriteTxnMarkers, Fetch).
 *
 * Owned by ReplicationCluster, which delivers messages, fires timers and
 * ticks it. A process that is down or paused does nothing. An error the
 * broker code logs, or a promise of it that rejects, goes to `onBug`.
 */
import type { PartitionState, ReplicationRules } from '@runnel/broker';
import { Partition, ReplicaManager, samePartitionState } from '@runnel/broker';
import type { ManualClock, Random } from '@runnel/common';
import { MetadataImage } from '@runnel/metadata';
import { defaultLogConfig, FaultyFileSystem, PartitionLog, type ProducerEntry } from '@runnel/storage';
import { Registry } from 'prom-client';
import { DiskLogView, type SimRecord } from './disk-log-view.ts';
import {
  type ClientGlue,
  type ConsumerRead,
  clientGlue,
  type IsolationLevel,
  serveProduce,
  serveRead,
  serveTxnMarker,
} from './sim-broker-clients.ts';
import { SimBrokerNet } from './sim-broker-net.ts';
import { topicId, topicMinIsr, topicName } from './sim-controller.ts';
import { errorLevel, type SimLogEvent, simLogger } from './sim-logger.ts';
import { controllerNode, type SimMessage } from './sim-messages.ts';
import { SimProcess } from './sim-process.ts';
import type { SimBrokerTiming } from './sim-timing.ts';

export interface SimBrokerHooks {
  send(from: number, to: number, message: SimMessage): void;
  step(): number;
  note(line: string): void;
  nextId(): number;
  onBug(brokerId: number, detail: string): void;
  onTruncation(): void;
}

const logDir = `/data/${topicName}-0`;

/** Log lines that report a follower cutting its log (counted by the run). */
const truncationMessages = new Set([
  'follower truncating to the end of the common epoch',
  'follower dropping records of epochs the leader does not have',
  'follower log reset to the leader',
]);

interface BrokerProcess {
  readonly sim: SimProcess;
  readonly net: SimBrokerNet;
  readonly incarnationId: string;
  readonly previousShutdownClean: boolean;
  readonly log: PartitionLog;
  readonly partition: Partition;
  readonly glue: ClientGlue;
  /** Produces waiting for the coordinator's KIP-890 verdict, by request id. */
  readonly verifying: Map<number, (errorCode: number | null) => void>;
  manager: ReplicaManager | null;
  registerSentStep: number;
  /** null until the controller answered the registration. */
  brokerEpoch: bigint | null;
  lastHeartbeatStep: number;
  /** The latest committed image received; reconciled in order, latest only. */
  image: MetadataImage;
  applied: PartitionState | null;
  reconciling: Promise<void>;
}

export class SimBroker {
  readonly id: number;
  /** The HWM checkpoint file: written when told to and at a clean stop. */
  hwmCheckpoint = 0n;
  #disk = new FaultyFileSystem();
  #proc: BrokerProcess | null = null;
  #incarnation = 0;
  readonly #view = new DiskLogView();
  readonly #clock: ManualClock;
  readonly #rules: ReplicationRules;
  readonly #timing: SimBrokerTiming;
  readonly #hooks: SimBrokerHooks;

  constructor(id: number, clock: ManualClock, rules: ReplicationRules, timing: SimBrokerTiming, hooks: SimBrokerHooks) {
    this.id = id;
    this.#clock = clock;
    this.#rules = rules;
    this.#timing = timing;
    this.#hooks = hooks;
  }

  get up(): boolean {
    return this.#proc !== null;
  }

  get paused(): boolean {
    return this.#proc?.sim.paused ?? false;
  }

  set paused(value: boolean) {
    if (this.#proc !== null) this.#proc.sim.paused = value;
  }

  /** Up and registered: it acts on metadata and serves replication. */
  get serving(): boolean {
    return this.#proc !== null && this.#proc.brokerEpoch !== null;
  }

  get role(): 'leader' | 'follower' | 'none' {
    return this.#proc?.partition.role ?? 'none';
  }

  get highWatermark(): bigint {
    return this.#proc?.partition.highWatermark ?? 0n;
  }

  /** The leader epoch this process believes in, or -1. */
  get leaderEpoch(): number {
    return this.#proc?.partition.leaderEpoch ?? -1;
  }

  /** The last stable offset of the running process (its HWM held back by open transactions); 0 when down. */
  get lastStableOffset(): bigint {
    return this.#proc?.partition.lastStableOffset ?? 0n;
  }

  /** What the running process's log remembers of a producer (rebuilt from its batches on every replica). */
  producerState(producerId: bigint): ProducerEntry | undefined {
    return this.#proc?.log.producer(producerId);
  }

  /** The log end as the running process sees it (the disk's when down). */
  get logEndOffset(): bigint {
    return this.#proc?.partition.logEndOffset ?? BigInt(this.records().length);
  }

  /** The records on disk, by offset (see DiskLogView). */
  records(): readonly (SimRecord | undefined)[] {
    return this.#view.records(this.#disk, logDir);
  }

  record(offset: bigint): SimRecord | undefined {
    return this.records()[Number(offset)];
  }

  // ---- process lifecycle -------------------------------------------------

  /**
   * A new process: opens the log (recovering it), starts replication, and
   * registers with the controller, unless `registeredEpoch` says the
   * controller already knows it (the bootstrap).
   */
  async start(previousShutdownClean: boolean, registeredEpoch: bigint | null = null): Promise<void> {
    const incarnationId = `b${this.id}-${this.#incarnation++}`;
    const sim = new SimProcess(this.#clock, this.#disk);
    const logger = simLogger((event) => {
      if (sim.alive) this.#onLog(event);
    });
    const log = await PartitionLog.open({
      dir: logDir,
      config: { ...defaultLogConfig, segmentBytes: this.#timing.segmentBytes },
      fs: sim.fs,
      clock: this.#clock,
      logger,
    });
    const partition = new Partition({
      topic: topicName,
      index: 0,
      topicId,
      log,
      nodeId: this.id,
      state: { leader: -1, leaderEpoch: -1, partitionEpoch: -1, replicas: [], isr: [], addingReplicas: [] },
      highWatermark: this.hwmCheckpoint,
      clock: this.#clock,
      timers: sim.timers,
      rules: this.#rules,
    });
    const net = new SimBrokerNet(
      {
        send: (to, message) => {
          if (sim.alive) this.#hooks.send(this.id, to, message);
        },
        nextId: () => this.#hooks.nextId(),
        onBug: (error) => this.#bug(sim, 'replica fetch handler failed', error),
      },
      sim.timers,
      this.#timing.requestTimeoutSteps * this.#timing.msPerStep,
    );
    const { glue, verifying } = clientGlue({
      sim,
      log,
      partition,
      clock: this.#clock,
      timing: this.#timing,
      minIsr: () => topicMinIsr(proc.image),
      send: (to, message) => this.#hooks.send(this.id, to, message),
      nextId: () => this.#hooks.nextId(),
      bug: (what, error) => this.#bug(sim, what, error),
    });
    const proc: BrokerProcess = {
      sim,
      net,
      incarnationId,
      previousShutdownClean,
      log,
      partition,
      glue,
      verifying,
      manager: null,
      registerSentStep: this.#hooks.step(),
      brokerEpoch: registeredEpoch,
      lastHeartbeatStep: -1_000_000,
      image: MetadataImage.empty,
      applied: null,
      reconciling: Promise.resolve(),
    };
    const t = this.#timing;
    proc.manager = await ReplicaManager.start({
      config: {
        nodeId: this.id,
        host: `broker-${this.id}`,
        port: 9093,
        lagTimeMaxMs: t.lagTimeMaxMs,
        fetchWaitMaxMs: t.fetchWaitMaxMs,
        fetchResponseBytesMax: t.fetchResponseBytesMax,
        fetchBackoffMs: t.fetchBackoffMs,
        fetchTimeoutMs: t.fetchTimeoutMs,
        throttledRateBytesPerSec: 0,
      },
      channel: net.controller,
      logger,
      clock: this.#clock,
      timers: sim.timers,
      transport: net.transport,
      rules: this.#rules,
      registry: new Registry(),
      partitions: () => [partition],
      lookup: (id, index) => (id === topicId && index === 0 ? partition : undefined),
      image: () => proc.image,
      brokerEpoch: () => proc.brokerEpoch ?? -1n,
      minInsyncReplicas: () => topicMinIsr(proc.image),
    });
    this.#proc = proc;
    if (registeredEpoch === null) this.#register(proc);
  }

  /** kill -9: the process is gone; written data stays (page cache), unless the machine lost power. */
  crash(powerLoss: { random: Random | null } | null): void {
    this.#proc?.sim.kill();
    this.#proc = null;
    if (powerLoss !== null) {
      this.#disk = this.#disk.crash(powerLoss.random === null ? {} : { random: powerLoss.random });
    }
  }

  /** Controlled stop: replication stops, the HWM is checkpointed, the log closes cleanly. */
  async stopCleanly(): Promise<void> {
    const proc = this.#proc;
    if (proc === null) return;
    await proc.manager?.close();
    this.hwmCheckpoint = proc.partition.highWatermark;
    proc.partition.markClosed();
    await proc.log.close();
    proc.sim.kill();
    this.#proc = null;
  }

  /** fsync of the log (flush.messages reached, or an operator's flush). */
  async flush(): Promise<void> {
    await this.#proc?.log.flush();
  }

  checkpointHighWatermark(): void {
    if (this.#proc !== null) this.hwmCheckpoint = this.#proc.partition.highWatermark;
  }

  // ---- time -------------------------------------------------------------------

  /** When this process's next timer is due; null when it has none or cannot run. */
  nextTimerDueMs(): number | null {
    const proc = this.#proc;
    if (proc === null || proc.sim.paused) return null;
    return proc.sim.timers.nextDueMs();
  }

  fireTimer(): void {
    this.#proc?.sim.timers.fireNext();
  }

  /** Registration retries and heartbeats (ControllerSession's part). */
  tick(): void {
    const proc = this.#proc;
    if (proc === null || proc.sim.paused) return;
    const step = this.#hooks.step();
    if (proc.brokerEpoch === null) {
      // Registration lost: ask again (the controller answers a repeat with the same epoch).
      if (step - proc.registerSentStep > this.#timing.requestTimeoutSteps) this.#register(proc);
      return;
    }
    if (step - proc.lastHeartbeatStep >= this.#timing.heartbeatEverySteps) {
      proc.lastHeartbeatStep = step;
      this.#hooks.send(this.id, controllerNode, {
        type: 'heartbeat',
        brokerEpoch: proc.brokerEpoch,
        metadataOffset: proc.image.lastOffset,
      });
    }
  }

  // ---- messages -------------------------------------------------------------

  receive(from: number, message: SimMessage): void {
    const proc = this.#proc;
    if (proc === null) return;
    if (message.type === 'register-response') {
      if (message.incarnationId === proc.incarnationId && proc.brokerEpoch === null) {
        proc.brokerEpoch = message.brokerEpoch;
        proc.lastHeartbeatStep = -1_000_000;
      }
      return;
    }
    if (proc.brokerEpoch === null) return;
    if (proc.net.receive(from, message)) return;
    if (message.type === 'metadata') this.#onMetadata(proc, message.image);
    else if (message.type === 'produce') serveProduce(proc.glue, from, message);
    else if (message.type === 'txn-marker') serveTxnMarker(proc.glue, from, message);
    else if (message.type === 'verify-response') proc.verifying.get(message.requestId)?.(message.errorCode);
  }

  /** A consumer's Fetch from `fetchOffset` at this broker if it serves as leader; null if it does not or the offset is out of range. */
  async fetch(fetchOffset: bigint, isolation: IsolationLevel): Promise<ConsumerRead | null> {
    const proc = this.#leading();
    return proc === null ? null : serveRead(proc.glue, fetchOffset, isolation);
  }

  #leading(): BrokerProcess | null {
    const proc = this.#proc;
    if (proc === null || proc.brokerEpoch === null || proc.sim.paused || proc.partition.role !== 'leader') return null;
    return proc;
  }

  #register(proc: BrokerProcess): void {
    proc.registerSentStep = this.#hooks.step();
    this.#hooks.send(this.id, controllerNode, {
      type: 'register',
      incarnationId: proc.incarnationId,
      previousShutdownClean: proc.previousShutdownClean,
    });
  }

  #onMetadata(proc: BrokerProcess, image: MetadataImage): void {
    if (image.lastOffset <= proc.image.lastOffset) return;
    proc.image = image;
    proc.reconciling = proc.reconciling.then(
      () => this.#reconcile(proc),
      () => {},
    );
  }

  /** PartitionManager's part: the latest image's state for the partition, through ReplicaManager. */
  async #reconcile(proc: BrokerProcess): Promise<void> {
    const p = proc.image.partition(topicName, 0);
    if (p === undefined || proc.manager === null || !proc.sim.alive) return;
    const state: PartitionState = {
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      replicas: p.replicas,
      isr: p.isr,
      addingReplicas: p.addingReplicas,
    };
    // Leaders always re-apply: a changed min.insync.replicas reaches their tracker this way.
    if (proc.partition.role !== 'leader' && proc.applied !== null && samePartitionState(proc.applied, state)) return;
    proc.applied = state;
    try {
      await proc.manager.applyState(proc.partition, state);
    } catch (error) {
      this.#bug(proc.sim, 'applying metadata failed', error);
    }
  }

  #onLog(event: SimLogEvent): void {
    if (event.level >= errorLevel) {
      this.#hooks.onBug(this.id, `${event.message} ${event.fields}`);
      return;
    }
    if (truncationMessages.has(event.message)) this.#hooks.onTruncation();
    this.#hooks.note(`b${this.id} ${event.message} ${event.fields}`);
  }

  #bug(sim: SimProcess, what: string, error: unknown): void {
    if (!sim.alive) return;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#hooks.onBug(this.id, `${what}: ${detail}`);
  }
}
