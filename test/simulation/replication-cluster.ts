/**
 * The replication model: a controller, N brokers hosting one partition
 * (replicas 1..N) with the real broker replication code, an acks=all
 * producer and a consumer, over a seeded network and one simulated clock.
 *
 * Every step moves the clock by `msPerStep`, fires the brokers' due timers
 * (earliest first, ties by broker id), delivers the due messages, ticks the
 * brokers' sessions and the controller, then lets the broker code run until
 * it waits for I/O, a timer or a message again (one turn of the event loop:
 * with no real I/O and no real timers anywhere, that order is a function of
 * the seed). With `exactlyOnce`, an idempotent producer, a transactional
 * producer with its (model) coordinator and a read_committed consumer run
 * beside the plain producer (sim-clients.ts). Invariants are checked every
 * few steps. Faults are methods the scripted scenarios and the random
 * schedule call: crash (kill -9), power loss, controlled stop, restart,
 * pause/resume, isolate a broker, cut one link, heal.
 *
 * Owned by one test run; the same seed and the same calls replay exactly.
 * A failure of the broker code (an assert, an error it logs) is recorded as
 * a `crashed` violation.
 */
import { assert, ManualClock } from '@runnel/common';
import { Scheduler } from '@runnel/testkit';
import { calmLinks, type LinkFaults, MessageNetwork } from './message-network.ts';
import { ReplicationChecker, type ReplicaView } from './replication-checker.ts';
import { runnelRules, type SimRules } from './replication-rules.ts';
import { SimBroker } from './sim-broker.ts';
import { belowHighWatermark } from './sim-broker-clients.ts';
import { clientNodes, SimClients } from './sim-clients.ts';
import { SimController } from './sim-controller.ts';
import { controllerNode, producerNode, type SimMessage } from './sim-messages.ts';
import { defaultTiming, type SimBrokerTiming } from './sim-timing.ts';

export interface ReplicationClusterOptions {
  readonly seed: number;
  readonly brokerCount: number;
  readonly minIsr: number;
  readonly rules?: SimRules;
  readonly links?: LinkFaults;
  readonly timing?: Partial<SimBrokerTiming>;
  readonly sessionSteps?: number;
  /** Faults beyond Kafka's promise (acked records may be lost); logs must still agree. */
  readonly lossAllowed?: boolean;
  /** A power loss keeps a random prefix of each file's unsynced tail (the OS wrote some back), not none. */
  readonly tornPowerLoss?: boolean;
  readonly checkEverySteps?: number;
  readonly traceLinesMax?: number;
  /** Run the idempotent and transactional producers, their coordinator and a read_committed consumer too. */
  readonly exactlyOnce?: boolean;
  /** The exactly-once clients' transaction version (KIP-890 part 2 at 2); 1 unless set. */
  readonly transactionVersion?: 1 | 2;
}

const deliveriesPerStepMax = 200;
const timersPerStepMax = 10_000;

/** One turn of the event loop: the broker code runs until it waits on a timer, a message or (simulated) I/O. */
function settleTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ReplicationCluster {
  readonly scheduler: Scheduler;
  readonly clock = new ManualClock();
  readonly network: MessageNetwork<SimMessage>;
  readonly controller: SimController;
  readonly checker: ReplicationChecker;
  readonly brokers = new Map<number, SimBroker>();
  readonly rules: SimRules;
  readonly clients: SimClients | null;
  readonly stats = {
    produced: 0,
    acked: 0,
    refused: 0,
    reads: 0,
    truncations: 0,
    faults: 0,
    powerLosses: 0,
    /** Clean stops asked of a broker not registered yet: they leave it unclean (see stopCleanly). */
    stopsBeforeRegistering: 0,
  };
  readonly #checkEverySteps: number;
  readonly #msPerStep: number;
  readonly #tornPowerLoss: boolean;
  /** Brokers whose last stop was clean: they register with previousShutdownClean. */
  readonly #cleanStops = new Set<number>();
  #nextId = 1;
  #nextValue = 1;
  #imageChanged = false;

  private constructor(options: ReplicationClusterOptions) {
    this.scheduler = new Scheduler(options.seed, options.traceLinesMax ?? 60);
    this.network = new MessageNetwork(this.scheduler, options.links ?? calmLinks);
    this.checker = new ReplicationChecker(options.lossAllowed ?? false);
    this.rules = options.rules ?? runnelRules;
    this.#checkEverySteps = options.checkEverySteps ?? 1;
    this.#tornPowerLoss = options.tornPowerLoss ?? false;
    const ids = Array.from({ length: options.brokerCount }, (_, i) => i + 1);
    this.controller = new SimController({
      brokerIds: ids,
      minIsr: options.minIsr,
      sessionSteps: options.sessionSteps ?? 30,
      rules: this.rules,
      onImage: (image, why) => {
        const p = image.partition('t', 0);
        this.#imageChanged = true;
        if (p === undefined) return;
        this.checker.onLeader(p.leader, p.leaderEpoch, 'controller');
        this.note(`controller: ${why} -> leader ${p.leader} e${p.leaderEpoch} isr [${p.isr}] elr [${p.elr}]`);
      },
    });
    const timing = { ...defaultTiming, ...options.timing };
    this.#msPerStep = timing.msPerStep;
    const hooks = {
      send: (from: number, to: number, message: SimMessage) => this.network.send(from, to, message),
      step: () => this.scheduler.step,
      note: (line: string) => this.note(line),
      nextId: () => this.#nextId++,
      onBug: (broker: number, detail: string) => this.checker.fail('crashed', `broker ${broker}: ${detail}`),
      onTruncation: () => {
        this.stats.truncations += 1;
      },
    };
    for (const id of ids) this.brokers.set(id, new SimBroker(id, this.clock, this.rules.replication, timing, hooks));
    const clientHooks = {
      leader: () => this.controller.partition.leader,
      send: (from: number, to: number, message: SimMessage) => this.network.send(from, to, message),
      nextId: () => this.#nextId++,
      note: (line: string) => this.note(line),
    };
    this.clients = options.exactlyOnce
      ? new SimClients(this.checker, timing, this.scheduler.random, options.transactionVersion ?? 1, clientHooks)
      : null;
  }

  /** A cluster whose brokers are up and registered, with the first metadata on its way. */
  static async start(options: ReplicationClusterOptions): Promise<ReplicationCluster> {
    const cluster = new ReplicationCluster(options);
    for (const b of cluster.brokers.values()) {
      const epoch = cluster.controller.brokerEpoch(b.id);
      assert(epoch !== undefined);
      await b.start(true, epoch);
    }
    cluster.#publish();
    return cluster;
  }

  broker(id: number): SimBroker {
    const broker = this.brokers.get(id);
    assert(broker !== undefined, `no broker ${id}`);
    return broker;
  }

  note(line: string): void {
    this.scheduler.note(line);
  }

  // ---- running ----------------------------------------------------------------

  async step(): Promise<void> {
    this.scheduler.advanceStep();
    this.checker.step = this.scheduler.step;
    this.clock.advance(this.#msPerStep);
    this.#fireTimers();
    for (let i = 0; i < deliveriesPerStepMax; i++) {
      const envelope = this.network.takeDue((to) => to === controllerNode || to >= producerNode || !this.#paused(to));
      if (envelope === null) break;
      this.#deliver(envelope.from, envelope.to, envelope.message);
    }
    for (const broker of this.brokers.values()) broker.tick();
    this.clients?.tick(this.scheduler.step);
    this.controller.tick(this.scheduler.step);
    if (this.#imageChanged) this.#publish();
    await settleTurn();
    this.#observeLeaders();
    if (this.scheduler.step % this.#checkEverySteps === 0) this.check();
  }

  async run(steps: number): Promise<void> {
    for (let i = 0; i < steps; i++) await this.step();
  }

  /** Steps until `done` holds (checked after each step); false if `stepsMax` ran out first. */
  async runUntil(done: () => boolean, stepsMax: number): Promise<boolean> {
    for (let i = 0; i < stepsMax; i++) {
      if (done()) return true;
      await this.step();
    }
    return done();
  }

  check(): void {
    const p = this.controller.partition;
    const isr = p.isr.map((id) => this.#view(id));
    const lb = this.brokers.get(p.leader);
    const leading = lb?.serving === true && lb.role === 'leader' && lb.leaderEpoch === p.leaderEpoch;
    this.checker.checkReplicas(isr, leading ? { view: this.#view(lb.id), highWatermark: lb.highWatermark } : null);
    for (const b of this.brokers.values()) {
      if (b.serving) this.checker.producers.onReplicaLso(b.id, b.lastStableOffset, b.highWatermark);
    }
  }

  /** Every replica serving, in the ISR, with the leader's log, and the leader's HWM at its log end. */
  converged(): boolean {
    const p = this.controller.partition;
    const leader = this.brokers.get(p.leader);
    if (leader === undefined || !leader.serving || leader.role !== 'leader') return false;
    if (leader.leaderEpoch !== p.leaderEpoch || p.isr.length !== this.brokers.size) return false;
    if (leader.highWatermark !== leader.logEndOffset || !(this.clients?.idle ?? true)) return false;
    const ours = leader.records();
    for (const b of this.brokers.values()) {
      if (!b.serving || b.logEndOffset !== leader.logEndOffset || b.lastStableOffset !== b.highWatermark) return false;
      const theirs = b.records();
      if (theirs.length !== ours.length) return false;
      for (let o = 0; o < ours.length; o++) {
        if (ours[o]?.value !== theirs[o]?.value || ours[o]?.epoch !== theirs[o]?.epoch) return false;
      }
    }
    return true;
  }

  /**
   * The liveness phase: faults stop, everything heals and restarts, and the
   * replicas must converge within `stepsMax`; then the final checks run.
   */
  async settle(stepsMax: number): Promise<void> {
    this.note('settle: heal, resume, restart, calm network');
    this.network.heal();
    this.network.setFaults(calmLinks);
    for (const b of this.brokers.values()) {
      if (!b.up) await this.restart(b.id);
      b.paused = false;
    }
    // One more record, so the last leader epoch has written something every replica must copy.
    this.produce(1);
    this.clients?.idempotent.produce(1);
    const settled = await this.runUntil(() => this.converged() || this.checker.violation !== null, stepsMax);
    if (this.checker.violation !== null) return;
    if (!settled) {
      const p = this.controller.partition;
      const logs = [...this.brokers.values()].map(
        (b) => `b${b.id}:LEO ${b.logEndOffset} HWM ${b.highWatermark} LSO ${b.lastStableOffset}`,
      );
      const hanging =
        this.clients?.idle === true && [...this.brokers.values()].some((b) => b.lastStableOffset < b.highWatermark);
      this.checker.fail(
        hanging ? 'hanging-transaction' : 'no-convergence',
        `after ${stepsMax} calm steps: leader ${p.leader} e${p.leaderEpoch} isr [${p.isr}] elr [${p.elr}]; ${logs.join(', ')}`,
      );
      return;
    }
    const leader = this.broker(this.controller.partition.leader);
    this.checker.checkFinal(this.#view(leader.id));
    await this.clients?.checkFinal(leader, [...this.brokers.values()]);
  }

  // ---- clients ------------------------------------------------------------------

  /** Sends an acks=all produce of `count` new values to the leader the controller names. */
  produce(count = 1): void {
    const leader = this.controller.partition.leader;
    if (leader < 0) return;
    const values = Array.from({ length: count }, () => `v${this.#nextValue++}`);
    this.stats.produced += values.length;
    this.network.send(producerNode, leader, { type: 'produce', produceId: this.#nextId++, values });
  }

  /** A consumer reads the newest committed records from a broker that believes it leads. */
  async read(brokerId: number): Promise<void> {
    const b = this.broker(brokerId);
    const read = await b.fetch(b.highWatermark > 5n ? b.highWatermark - 5n : 0n, 'read_uncommitted');
    for (const { offset, value } of belowHighWatermark(read)) {
      this.checker.onRead(brokerId, offset, value);
      this.stats.reads += 1;
    }
    // The read_committed consumer polls the same broker from its own position.
    if (this.clients !== null) await this.clients.consumer.poll(b);
  }

  // ---- faults -------------------------------------------------------------------

  crash(id: number): void {
    this.#fault(id, 'crashes (kill -9)');
    this.broker(id).crash(null);
    this.network.dropTo(id);
  }

  powerLoss(id: number): void {
    const b = this.broker(id);
    this.#fault(id, `loses power (LEO ${b.logEndOffset})`);
    this.stats.powerLosses += 1;
    b.crash({ random: this.#tornPowerLoss ? this.scheduler.random : null });
    this.network.dropTo(id);
  }

  /**
   * Controlled shutdown: the controller moves leadership and ISR membership
   * away first. A broker that has not registered yet cannot stop cleanly: a
   * real one is still inside Broker.start (it awaits its registration) when
   * the SIGTERM comes, so the process dies without the clean-shutdown
   * marker and its next start reports unclean (the run before it may have
   * lost records the controller never heard about).
   */
  async stopCleanly(id: number): Promise<void> {
    const registered = this.broker(id).serving;
    if (!registered) this.stats.stopsBeforeRegistering += 1;
    this.#fault(id, registered ? 'stops cleanly' : 'stops before registering (unclean)');
    this.controller.shutDown(id);
    await this.broker(id).stopCleanly();
    this.network.dropTo(id);
  }

  async restart(id: number): Promise<void> {
    const b = this.broker(id);
    assert(!b.up, `broker ${id} is running`);
    const clean = this.#cleanStops.delete(id);
    this.note(`b${id} restarts (${clean ? 'clean' : 'unclean'}) with LEO ${b.logEndOffset}`);
    await b.start(clean);
  }

  pause(id: number): void {
    this.#fault(id, 'paused');
    this.broker(id).paused = true;
  }

  resume(id: number): void {
    this.note(`b${id} resumed`);
    this.broker(id).paused = false;
  }

  /** Cuts `id` off from everyone (controller, brokers, clients). */
  isolate(id: number): void {
    this.#fault(id, 'isolated');
    this.network.isolate(id, [controllerNode, producerNode, ...clientNodes, ...this.brokers.keys()]);
  }

  cutLink(a: number, b: number): void {
    this.stats.faults += 1;
    this.note(`link ${a}-${b} cut`);
    this.network.cut(a, b);
  }

  heal(): void {
    this.note('network healed');
    this.network.heal();
  }

  async flush(id: number): Promise<void> {
    await this.broker(id).flush();
  }

  #fault(id: number, what: string): void {
    this.stats.faults += 1;
    if (what === 'stops cleanly') this.#cleanStops.add(id);
    else if (what !== 'paused' && what !== 'isolated') this.#cleanStops.delete(id);
    this.note(`b${id} ${what}`);
  }

  #paused(id: number): boolean {
    return this.brokers.get(id)?.paused ?? false;
  }

  #view(id: number): ReplicaView {
    const b = this.broker(id);
    return { id, serving: b.serving, records: b.records() };
  }

  /** Fires every due timer of every running process, earliest first (ties: lower broker id). */
  #fireTimers(): void {
    const now = this.clock.monotonicMs();
    for (let fired = 0; fired < timersPerStepMax; fired++) {
      let next: SimBroker | null = null;
      let earliestMs = Number.POSITIVE_INFINITY;
      for (const b of this.brokers.values()) {
        const due = b.nextTimerDueMs();
        if (due !== null && due <= now && due < earliestMs) {
          next = b;
          earliestMs = due;
        }
      }
      if (next === null) return;
      next.fireTimer();
    }
    assert(false, `more than ${timersPerStepMax} timers due in one step`);
  }

  /** Leaders as the brokers see themselves: one per epoch, and a leader's HWM never moves back. */
  #observeLeaders(): void {
    for (const b of this.brokers.values()) {
      if (!b.serving || b.role !== 'leader') continue;
      this.checker.onLeader(b.id, b.leaderEpoch, `broker ${b.id}`);
      this.checker.onLeaderHighWatermark(b.id, b.leaderEpoch, b.highWatermark);
      this.checker.producers.onLeaderLso(b.id, b.leaderEpoch, b.lastStableOffset);
    }
  }

  #deliver(from: number, to: number, message: SimMessage): void {
    if (this.clients !== null && to > producerNode) {
      const reply = this.clients.deliver(from, to, message, this.scheduler.step);
      if (reply !== null) this.network.send(to, from, reply);
      return;
    }
    if (to === producerNode) {
      if (message.type !== 'produce-response') return;
      if (message.outcome === 'done') {
        this.stats.acked += message.values.length;
        this.checker.onAck(message.baseOffset, message.values);
      } else {
        this.stats.refused += 1;
      }
      return;
    }
    if (to === controllerNode) {
      const reply = this.controller.receive(from, message, this.scheduler.step);
      if (reply !== null) this.network.send(controllerNode, from, reply);
      // A registration or a heartbeat is answered with the latest metadata too.
      if (message.type === 'register' || message.type === 'heartbeat') this.#sendMetadata(from);
      return;
    }
    const broker = this.brokers.get(to);
    if (broker !== undefined && message.type === 'produce') this.clients?.onProduceArriving(from, broker, message);
    broker?.receive(from, message);
  }

  #publish(): void {
    this.#imageChanged = false;
    for (const id of this.brokers.keys()) this.#sendMetadata(id);
  }

  #sendMetadata(to: number): void {
    this.network.send(controllerNode, to, { type: 'metadata', image: this.controller.image });
  }
}
