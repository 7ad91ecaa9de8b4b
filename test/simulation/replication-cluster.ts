/**
 * The replication model: a controller, N brokers hosting one partition
 * (replicas 1..N), an acks=all producer and a consumer, over a seeded
 * network. Every step delivers the due messages, ticks the brokers and the
 * controller, and (every few steps) checks the invariants. Faults are
 * methods the scripted scenarios and the random schedule call: crash
 * (kill -9), power loss, controlled stop, restart, pause/resume, isolate a
 * broker, cut one link, heal.
 *
 * Owned by one test run; the same seed and the same calls replay exactly.
 * An exception from the real rules (an assert) is recorded as a `crashed`
 * violation by the caller (runSchedule, or the scenario test failing).
 */
import { assert } from '@runnel/common';
import { Scheduler } from '@runnel/testkit';
import { calmLinks, type LinkFaults, MessageNetwork } from './message-network.ts';
import { ReplicationChecker, type ReplicaView } from './replication-checker.ts';
import type { ReplicationRules } from './replication-rules.ts';
import { runnelRules } from './replication-rules.ts';
import { SimBroker, type SimBrokerTiming } from './sim-broker.ts';
import { SimController } from './sim-controller.ts';
import type { SimMessage } from './sim-messages.ts';
import { controllerNode, producerNode } from './sim-messages.ts';

export interface ReplicationClusterOptions {
  readonly seed: number;
  readonly brokerCount: number;
  readonly minIsr: number;
  readonly rules?: ReplicationRules;
  readonly links?: LinkFaults;
  readonly timing?: Partial<SimBrokerTiming>;
  readonly sessionSteps?: number;
  /** Faults beyond Kafka's promise (acked records may be lost); logs must still agree. */
  readonly lossAllowed?: boolean;
  readonly checkEverySteps?: number;
  readonly traceLinesMax?: number;
}

export const defaultTiming: SimBrokerTiming = {
  msPerStep: 10,
  lagTimeMaxMs: 200,
  heartbeatEverySteps: 5,
  requestTimeoutSteps: 15,
  ackTimeoutSteps: 60,
  fetchBackoffSteps: 2,
  fetchBatchesMax: 4,
};

const deliveriesPerStepMax = 200;

export class ReplicationCluster {
  readonly scheduler: Scheduler;
  readonly network: MessageNetwork<SimMessage>;
  readonly controller: SimController;
  readonly checker: ReplicationChecker;
  readonly brokers = new Map<number, SimBroker>();
  readonly rules: ReplicationRules;
  readonly stats = { produced: 0, acked: 0, refused: 0, reads: 0, truncations: 0, faults: 0, powerLosses: 0 };
  readonly #checkEverySteps: number;
  /** Brokers whose last stop was clean: they register with previousShutdownClean. */
  readonly #cleanStops = new Set<number>();
  #nextId = 1;
  #nextValue = 1;
  #imageChanged = false;

  constructor(options: ReplicationClusterOptions) {
    this.scheduler = new Scheduler(options.seed, options.traceLinesMax ?? 60);
    this.network = new MessageNetwork(this.scheduler, options.links ?? calmLinks);
    this.checker = new ReplicationChecker(options.lossAllowed ?? false);
    this.rules = options.rules ?? runnelRules;
    this.#checkEverySteps = options.checkEverySteps ?? 1;
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
    const hooks = {
      send: (from: number, to: number, message: SimMessage) => this.network.send(from, to, message),
      step: () => this.scheduler.step,
      note: (line: string) => this.note(line),
      nextId: () => this.#nextId++,
      onLeaderHighWatermark: (broker: number, epoch: number, hwm: bigint) => {
        this.checker.onLeader(broker, epoch, `broker ${broker}`);
        this.checker.onLeaderHighWatermark(broker, epoch, hwm);
      },
      onTruncate: () => {
        this.stats.truncations += 1;
      },
    };
    for (const id of ids) {
      const epoch = this.controller.brokerEpoch(id);
      assert(epoch !== undefined);
      this.brokers.set(id, new SimBroker(id, epoch, this.rules, timing, hooks));
    }
    this.#publish();
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

  step(): void {
    this.scheduler.advanceStep();
    this.checker.step = this.scheduler.step;
    for (let i = 0; i < deliveriesPerStepMax; i++) {
      const envelope = this.network.takeDue((to) => to === controllerNode || to === producerNode || !this.#paused(to));
      if (envelope === null) break;
      this.#deliver(envelope.from, envelope.to, envelope.message);
    }
    for (const broker of this.brokers.values()) broker.tick();
    this.controller.tick(this.scheduler.step);
    if (this.#imageChanged) this.#publish();
    if (this.scheduler.step % this.#checkEverySteps === 0) this.check();
  }

  run(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Steps until `done` holds (checked after each step); false if `stepsMax` ran out first. */
  runUntil(done: () => boolean, stepsMax: number): boolean {
    for (let i = 0; i < stepsMax; i++) {
      if (done()) return true;
      this.step();
    }
    return done();
  }

  check(): void {
    const p = this.controller.partition;
    const isr = p.isr.map((id) => this.#view(id));
    const lb = this.brokers.get(p.leader);
    const leading = lb?.serving === true && lb.role === 'leader' && lb.leaderEpoch === p.leaderEpoch;
    this.checker.checkReplicas(isr, leading ? { view: this.#view(lb.id), highWatermark: lb.highWatermark } : null);
  }

  /** Every replica serving, in the ISR, with the leader's log, and the leader's HWM at its log end. */
  converged(): boolean {
    const p = this.controller.partition;
    const leader = this.brokers.get(p.leader);
    if (leader === undefined || !leader.serving || leader.role !== 'leader') return false;
    if (leader.leaderEpoch !== p.leaderEpoch || p.isr.length !== this.brokers.size) return false;
    if (leader.highWatermark !== leader.log.logEndOffset) return false;
    const ours = leader.log.records();
    for (const b of this.brokers.values()) {
      if (!b.serving || b.log.logEndOffset !== leader.log.logEndOffset) return false;
      const theirs = b.log.records();
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
  settle(stepsMax: number): void {
    this.note('settle: heal, resume, restart, calm network');
    this.network.heal();
    this.network.setFaults(calmLinks);
    for (const b of this.brokers.values()) {
      if (!b.up) this.restart(b.id);
      b.paused = false;
    }
    // One more record, so the last leader epoch has written something every replica must copy.
    this.produce(1);
    const settled = this.runUntil(() => this.converged(), stepsMax);
    if (!settled) {
      const p = this.controller.partition;
      const logs = [...this.brokers.values()].map((b) => `b${b.id}:LEO ${b.log.logEndOffset} HWM ${b.highWatermark}`);
      this.checker.fail(
        'no-convergence',
        `after ${stepsMax} calm steps: leader ${p.leader} e${p.leaderEpoch} isr [${p.isr}] elr [${p.elr}]; ${logs.join(', ')}`,
      );
      return;
    }
    this.checker.checkFinal(this.#view(this.controller.partition.leader));
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
  read(brokerId: number): void {
    const b = this.broker(brokerId);
    if (!b.serving || b.paused || b.role !== 'leader') return;
    const hwm = Number(b.highWatermark);
    const records = b.log.records();
    for (let o = Math.max(0, hwm - 5); o < hwm; o++) {
      const record = records[o];
      assert(record !== undefined, 'HWM above the log end');
      this.checker.onRead(b.id, o, record.value);
      this.stats.reads += 1;
    }
  }

  // ---- faults -------------------------------------------------------------------

  crash(id: number): void {
    this.#fault(id, 'crashes (kill -9)');
    this.broker(id).crash(false);
    this.network.dropTo(id);
  }

  powerLoss(id: number): void {
    const b = this.broker(id);
    this.#fault(id, `loses power (LEO ${b.log.logEndOffset}, flushed ${b.log.flushedEnd})`);
    this.stats.powerLosses += 1;
    b.crash(true);
    this.network.dropTo(id);
  }

  /** Controlled shutdown: the controller moves leadership and ISR membership away first. */
  stopCleanly(id: number): void {
    this.#fault(id, 'stops cleanly');
    this.controller.shutDown(id);
    this.broker(id).stopCleanly();
    this.network.dropTo(id);
  }

  restart(id: number): void {
    const b = this.broker(id);
    assert(!b.up, `broker ${id} is running`);
    const clean = this.#cleanStops.delete(id);
    this.note(`b${id} restarts (${clean ? 'clean' : 'unclean'}) with LEO ${b.log.logEndOffset}`);
    b.start(clean);
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
    this.network.isolate(id, [controllerNode, producerNode, ...this.brokers.keys()]);
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

  flush(id: number): void {
    this.broker(id).flush();
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
    return { id, serving: b.serving, log: b.log };
  }

  #deliver(from: number, to: number, message: SimMessage): void {
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
      this.#controllerReceive(from, message);
      return;
    }
    this.brokers.get(to)?.receive(from, message);
  }

  #controllerReceive(from: number, message: SimMessage): void {
    const step = this.scheduler.step;
    switch (message.type) {
      case 'register': {
        const brokerEpoch = this.controller.register(from, message.incarnationId, message.previousShutdownClean, step);
        this.network.send(controllerNode, from, {
          type: 'register-response',
          incarnationId: message.incarnationId,
          brokerEpoch,
        });
        this.#sendMetadata(from);
        return;
      }
      case 'heartbeat':
        this.controller.heartbeat(from, message.brokerEpoch, message.metadataOffset, step);
        this.#sendMetadata(from);
        return;
      case 'alter-partition': {
        const answer = this.controller.alterPartition(message.request, message.brokerEpochs);
        this.network.send(controllerNode, from, {
          type: 'alter-partition-response',
          requestId: message.requestId,
          answer,
        });
        return;
      }
      default:
        return;
    }
  }

  #publish(): void {
    this.#imageChanged = false;
    for (const id of this.brokers.keys()) this.#sendMetadata(id);
  }

  #sendMetadata(to: number): void {
    const image = this.controller.image;
    this.network.send(controllerNode, to, {
      type: 'metadata',
      offset: image.lastOffset,
      partition: this.controller.partition,
      minIsr: this.#minIsr,
    });
  }

  get #minIsr(): number {
    return Number(this.controller.image.configOverrides('topic', 't').get('min.insync.replicas') ?? '1');
  }
}
