/**
 * One broker of the replication simulation, hosting the one partition. Its
 * disk (a SimLog and the high-watermark checkpoint) survives restarts; its
 * process state (role, ReplicaTracker, high watermark, fetch in flight,
 * acks=all waiters) does not.
 *
 * It mirrors the real broker's wiring step by step, with the real pure
 * rules: Partition.applyState (a tracker per leader epoch, ISR commits),
 * appendAsLeader / waitForAcks, the leader's fetch answer
 * (leader-fetch-handler.ts: epoch fencing, KIP-320 diverging epoch, range
 * checks, tracker update, then records) and the follower's handling of it
 * (replica-fetcher.ts: stale answers skipped, out-of-range reset,
 * truncation to the end of the common epoch, follower append keeping
 * offsets and epochs, epoch regressions cut, then the leader's HWM).
 *
 * Owned by ReplicationCluster, which delivers its messages and ticks it. A
 * process that is down or paused does nothing; broken invariants inside the
 * real rules assert, and the run reports the exception.
 */
import type { IsrProposal } from '@runnel/broker';
import { ReplicaTracker } from '@runnel/broker';
import type { PartitionImage } from '@runnel/metadata';
import { type AckWaiter, type BrokerProcess, newProcess, type ReplicaRole } from './broker-process.ts';
import { answerFetch, applyFetchResponse, type FetchRequest, type FetchResponse } from './replica-fetch.ts';
import type { ReplicationRules } from './replication-rules.ts';
import { topicId } from './sim-controller.ts';
import { SimLog } from './sim-log.ts';
import type { ProduceOutcome, SimMessage } from './sim-messages.ts';
import { controllerNode } from './sim-messages.ts';

export interface SimBrokerTiming {
  readonly msPerStep: number;
  readonly lagTimeMaxMs: number;
  readonly heartbeatEverySteps: number;
  /** A fetch or AlterPartition unanswered this long is given up on (the real clients time out). */
  readonly requestTimeoutSteps: number;
  /** Steps an acks=all produce waits for the HWM before failing with timed_out. */
  readonly ackTimeoutSteps: number;
  /** Steps a follower waits after an empty answer (the leader's long poll) or an error. */
  readonly fetchBackoffSteps: number;
  /** Batches per fetch answer. */
  readonly fetchBatchesMax: number;
}

/** What the broker reports to the cluster (and its checker). */
export interface SimBrokerHooks {
  send(from: number, to: number, message: SimMessage): void;
  step(): number;
  note(line: string): void;
  nextId(): number;
  onLeaderHighWatermark(brokerId: number, leaderEpoch: number, hwm: bigint): void;
  onTruncate(): void;
}

export class SimBroker {
  readonly id: number;
  readonly log = new SimLog();
  /** The HWM checkpoint file: written periodically and at clean shutdown. */
  hwmCheckpoint = 0n;
  #proc: BrokerProcess | null;
  #incarnation = 0;
  readonly #rules: ReplicationRules;
  readonly #timing: SimBrokerTiming;
  readonly #hooks: SimBrokerHooks;

  constructor(
    id: number,
    brokerEpoch: bigint,
    rules: ReplicationRules,
    timing: SimBrokerTiming,
    hooks: SimBrokerHooks,
  ) {
    this.id = id;
    this.#rules = rules;
    this.#timing = timing;
    this.#hooks = hooks;
    this.#proc = newProcess(`b${id}-0`, 0n);
    this.#proc.brokerEpoch = brokerEpoch;
  }

  get up(): boolean {
    return this.#proc !== null;
  }

  get paused(): boolean {
    return this.#proc?.paused ?? false;
  }

  set paused(value: boolean) {
    if (this.#proc !== null) this.#proc.paused = value;
  }

  /** Up and registered: it acts on metadata and serves replication. */
  get serving(): boolean {
    return this.#proc !== null && this.#proc.brokerEpoch !== null;
  }

  get role(): ReplicaRole {
    return this.#proc?.role ?? 'none';
  }

  get highWatermark(): bigint {
    return this.#proc?.hwm ?? 0n;
  }

  get tracker(): ReplicaTracker | null {
    return this.#proc?.tracker ?? null;
  }

  /** The leader epoch this process believes in, or -1. */
  get leaderEpoch(): number {
    return this.#proc?.state?.leaderEpoch ?? -1;
  }

  #now(): number {
    return this.#hooks.step() * this.#timing.msPerStep;
  }

  #send(to: number, message: SimMessage): void {
    this.#hooks.send(this.id, to, message);
  }

  // ---- process lifecycle -------------------------------------------------

  /** kill -9: the process is gone; written data stays (page cache), unless `powerLoss`. */
  crash(powerLoss: boolean): void {
    this.#proc = null;
    if (powerLoss) {
      this.log.loseUnflushed();
      if (this.hwmCheckpoint > this.log.logEndOffset) this.hwmCheckpoint = this.log.logEndOffset;
    }
  }

  /** Controlled stop: everything flushed, the HWM checkpointed. */
  stopCleanly(): void {
    this.log.flush();
    this.checkpointHighWatermark();
    this.#proc = null;
  }

  /** A new process; it registers with the controller before doing anything else. */
  start(previousShutdownClean: boolean): void {
    this.#incarnation += 1;
    const incarnationId = `b${this.id}-${this.#incarnation}`;
    const hwm = lowerOf(this.hwmCheckpoint, this.log.logEndOffset);
    this.#proc = newProcess(incarnationId, hwm, this.#hooks.step(), previousShutdownClean);
    this.#send(controllerNode, { type: 'register', incarnationId, previousShutdownClean });
  }

  flush(): void {
    if (this.#proc !== null) this.log.flush();
  }

  checkpointHighWatermark(): void {
    if (this.#proc !== null) this.hwmCheckpoint = this.#proc.hwm;
  }

  // ---- ticking --------------------------------------------------------------

  tick(): void {
    const proc = this.#proc;
    if (proc === null || proc.paused) return;
    const step = this.#hooks.step();
    if (proc.brokerEpoch === null) {
      // Registration lost: ask again (the controller answers a repeat with the same epoch).
      if (step - proc.registerSentStep > this.#timing.requestTimeoutSteps) {
        proc.registerSentStep = step;
        this.#send(controllerNode, {
          type: 'register',
          incarnationId: proc.incarnationId,
          previousShutdownClean: proc.previousShutdownClean,
        });
      }
      return;
    }
    if (step - proc.lastHeartbeatStep >= this.#timing.heartbeatEverySteps) {
      proc.lastHeartbeatStep = step;
      this.#send(controllerNode, {
        type: 'heartbeat',
        brokerEpoch: proc.brokerEpoch,
        metadataOffset: proc.metadataOffset,
      });
    }
    if (proc.role === 'leader') this.#leaderTick(proc, step);
    if (proc.role === 'follower') this.#followerTick(proc, step);
  }

  #leaderTick(proc: BrokerProcess, step: number): void {
    if (proc.isrRequest !== null && step - proc.isrRequest.sentStep > this.#timing.requestTimeoutSteps) {
      // The controller channel gave up: the proposal is recomputed.
      if (proc.tracker?.leaderEpoch === proc.isrRequest.leaderEpoch) proc.tracker.onIsrRejected();
      proc.isrRequest = null;
    }
    this.#proposeIsrChange(proc);
    for (const waiter of [...proc.ackWaiters]) {
      if (step - waiter.sinceStep > this.#timing.ackTimeoutSteps) this.#finishAck(proc, waiter, 'timed_out');
    }
  }

  #followerTick(proc: BrokerProcess, step: number): void {
    const state = proc.state;
    if (state === null || step < proc.fetchNotBeforeStep) return;
    if (proc.fetch !== null && step - proc.fetch.sentStep <= this.#timing.requestTimeoutSteps) return;
    const fetchId = this.#hooks.nextId();
    proc.fetch = { fetchId, fetchOffset: this.log.logEndOffset, leaderEpoch: state.leaderEpoch, sentStep: step };
    this.#send(state.leader, {
      type: 'fetch',
      fetchId,
      fetchOffset: this.log.logEndOffset,
      lastFetchedEpoch: this.log.latestEpoch,
      currentLeaderEpoch: state.leaderEpoch,
      brokerEpoch: proc.brokerEpoch ?? -1n,
    });
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
    switch (message.type) {
      case 'metadata':
        this.#onMetadata(proc, message.offset, message.partition, message.minIsr);
        return;
      case 'fetch':
        this.#send(from, this.#answerFetch(proc, from, message));
        return;
      case 'fetch-response':
        this.#onFetchResponse(proc, message);
        return;
      case 'alter-partition-response':
        this.#onIsrAnswer(proc, message.requestId, message.answer);
        return;
      case 'produce':
        this.#onProduce(proc, from, message.produceId, message.values);
        return;
      default:
        return;
    }
  }

  /** Partition.applyState, driven by metadata in log order. */
  #onMetadata(proc: BrokerProcess, offset: bigint, p: PartitionImage, minIsr: number): void {
    if (offset <= proc.metadataOffset) return;
    proc.metadataOffset = offset;
    const before = proc.state;
    proc.state = p;
    proc.minIsr = minIsr;
    const role: ReplicaRole =
      p.leader === this.id ? 'leader' : p.leader >= 0 && p.replicas.includes(this.id) ? 'follower' : 'none';
    const sameLeadership =
      before !== null && role === proc.role && p.leader === before.leader && p.leaderEpoch === before.leaderEpoch;
    if (sameLeadership && proc.tracker !== null) {
      const committed = proc.tracker.onIsrCommitted(p.isr, p.partitionEpoch);
      const frozen = proc.tracker.setMinInsyncReplicas(minIsr);
      if (committed.highWatermarkChanged || frozen.highWatermarkChanged) this.#setHighWatermark(proc);
      this.#checkAcks(proc);
      return;
    }
    if (sameLeadership) return;
    proc.role = role;
    proc.fetch = null;
    proc.followerBrokerEpochs.clear();
    proc.isrRequest = null;
    this.#failAcks(proc);
    if (role === 'leader') {
      const hwm = lowerOf(proc.hwm, this.log.logEndOffset);
      proc.tracker = new ReplicaTracker({
        leaderId: this.id,
        replicas: p.replicas,
        isr: p.isr.includes(this.id) ? p.isr : [this.id],
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        highWatermark: hwm,
        logEndOffset: this.log.logEndOffset,
        lagTimeMaxMs: this.#timing.lagTimeMaxMs,
        nowMs: this.#now(),
        minInsyncReplicas: minIsr,
      });
      this.#hooks.note(`b${this.id} leads epoch ${p.leaderEpoch} at LEO ${this.log.logEndOffset} HWM ${hwm}`);
      this.#setHighWatermark(proc);
      this.#proposeIsrChange(proc);
      return;
    }
    proc.tracker = null;
    if (role === 'follower') {
      const cut = this.#rules.truncateOnFollow(proc.hwm);
      if (cut !== null) this.#truncate(proc, cut, 'starts following');
      proc.fetchNotBeforeStep = 0;
    }
  }

  /** leader-fetch-handler.ts: answer, then let the tracker's progress move the HWM and the ISR. */
  #answerFetch(proc: BrokerProcess, followerId: number, req: FetchRequest): FetchResponse {
    return answerFetch({
      proc,
      log: this.log,
      rules: this.#rules,
      followerId,
      req,
      nowMs: this.#now(),
      batchesMax: this.#timing.fetchBatchesMax,
      onProgress: (highWatermarkChanged) => {
        proc.followerBrokerEpochs.set(followerId, req.brokerEpoch);
        if (highWatermarkChanged) {
          this.#setHighWatermark(proc);
          this.#checkAcks(proc);
        }
        this.#proposeIsrChange(proc);
      },
    });
  }

  /** replica-fetcher.ts #apply: answers to an older fetch, role, epoch or log end are skipped. */
  #onFetchResponse(proc: BrokerProcess, r: FetchResponse): void {
    const asked = proc.fetch;
    if (asked === null || asked.fetchId !== r.fetchId) return;
    proc.fetch = null;
    if (proc.role !== 'follower' || proc.state?.leaderEpoch !== asked.leaderEpoch) return;
    if (this.log.logEndOffset !== asked.fetchOffset) return;
    const next = applyFetchResponse(this.log, this.#rules, r, proc.hwm);
    if (next.kind === 'truncate') this.#truncate(proc, next.to, next.why);
    if (next.kind === 'backoff' || next.kind === 'caught-up') {
      proc.fetchNotBeforeStep = this.#hooks.step() + this.#timing.fetchBackoffSteps;
    }
    if (next.kind === 'refused') this.#hooks.note(`b${this.id} follower append refused: ${next.why}`);
    if (next.kind === 'appended' || next.kind === 'caught-up') {
      // As follower the HWM is the leader's, capped at what this log holds, never moving back.
      const hw = lowerOf(next.leaderHighWatermark, this.log.logEndOffset);
      if (hw > proc.hwm) proc.hwm = hw;
    }
  }

  #truncate(proc: BrokerProcess, to: bigint, why: string): void {
    if (to >= this.log.logEndOffset) return;
    this.#hooks.note(`b${this.id} truncates ${this.log.logEndOffset} -> ${to} (${why})`);
    this.#hooks.onTruncate();
    this.log.truncateTo(to);
    if (proc.hwm > this.log.logEndOffset) proc.hwm = this.log.logEndOffset;
  }

  #proposeIsrChange(proc: BrokerProcess): void {
    const tracker = proc.tracker;
    if (tracker === null || proc.state === null) return;
    const proposal: IsrProposal | null = tracker.isrChange(this.#now());
    if (proposal === null) return;
    const requestId = this.#hooks.nextId();
    proc.isrRequest = { requestId, leaderEpoch: proposal.leaderEpoch, sentStep: this.#hooks.step() };
    this.#hooks.note(`b${this.id} proposes ISR ${proposal.reason} to [${proposal.isr.join(',')}]`);
    const brokerEpochs = new Map<number, bigint>();
    for (const id of proposal.isr) {
      const epoch = id === this.id ? proc.brokerEpoch : proc.followerBrokerEpochs.get(id);
      if (epoch !== undefined && epoch !== null) brokerEpochs.set(id, epoch);
    }
    this.#send(controllerNode, {
      type: 'alter-partition',
      requestId,
      brokerEpochs,
      request: {
        leaderId: this.id,
        topicId,
        partition: 0,
        leaderEpoch: proposal.leaderEpoch,
        partitionEpoch: proposal.partitionEpoch,
        addedBrokerEpochs: proposal.addedBrokerEpochs,
        isr: proposal.isr,
      },
    });
  }

  /** Partition.onIsrAnswer. */
  #onIsrAnswer(
    proc: BrokerProcess,
    requestId: number,
    answer: { readonly isr: readonly number[]; readonly partitionEpoch: number } | null,
  ): void {
    const request = proc.isrRequest;
    if (request === null || request.requestId !== requestId) return;
    proc.isrRequest = null;
    const tracker = proc.tracker;
    if (tracker === null || tracker.leaderEpoch !== request.leaderEpoch) return;
    if (answer === null) {
      tracker.onIsrRejected();
      return;
    }
    if (tracker.onIsrCommitted(answer.isr, answer.partitionEpoch).highWatermarkChanged) this.#setHighWatermark(proc);
    this.#checkAcks(proc);
  }

  /** The produce handler with acks=all: min ISR check, appendAsLeader, waitForAcks. */
  #onProduce(proc: BrokerProcess, client: number, produceId: number, values: readonly string[]): void {
    const tracker = proc.tracker;
    const epoch = proc.state?.leaderEpoch ?? -1;
    const refusal: ProduceOutcome | null =
      proc.role !== 'leader' || tracker === null
        ? 'not_leader'
        : tracker.hasMinIsr(proc.minIsr)
          ? null
          : 'not_enough_replicas';
    if (refusal !== null || tracker === null) {
      this.#send(client, {
        type: 'produce-response',
        produceId,
        outcome: refusal ?? 'not_leader',
        baseOffset: -1n,
        values,
      });
      return;
    }
    const batch = this.log.appendAsLeader(values, epoch);
    if (tracker.onLeaderAppend(batch.lastOffset + 1n, this.#now()).highWatermarkChanged) this.#setHighWatermark(proc);
    proc.ackWaiters.add({ client, produceId, batch, sinceStep: this.#hooks.step() });
    this.#checkAcks(proc);
  }

  #setHighWatermark(proc: BrokerProcess): void {
    const tracker = proc.tracker;
    if (tracker === null) return;
    if (tracker.highWatermark > proc.hwm) proc.hwm = tracker.highWatermark;
    this.#hooks.onLeaderHighWatermark(this.id, tracker.leaderEpoch, proc.hwm);
  }

  #checkAcks(proc: BrokerProcess): void {
    const tracker = proc.tracker;
    if (tracker === null) return;
    for (const waiter of [...proc.ackWaiters]) {
      const state = tracker.ackState(waiter.batch.lastOffset, proc.minIsr);
      if (state !== 'wait') this.#finishAck(proc, waiter, state);
    }
  }

  #failAcks(proc: BrokerProcess): void {
    for (const waiter of [...proc.ackWaiters]) this.#finishAck(proc, waiter, 'not_leader');
  }

  #finishAck(proc: BrokerProcess, waiter: AckWaiter, outcome: ProduceOutcome): void {
    proc.ackWaiters.delete(waiter);
    this.#send(waiter.client, {
      type: 'produce-response',
      produceId: waiter.produceId,
      outcome,
      baseOffset: waiter.batch.baseOffset,
      values: waiter.batch.values,
    });
  }
}

function lowerOf(a: bigint, b: bigint): bigint {
  if (b < a) return b;
  return a;
}
