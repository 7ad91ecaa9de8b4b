/**
 * The invariants of the replication simulation, fed by the cluster and free
 * of replication code:
 * - `acked-record-lost`: a record acknowledged to an acks=all producer is at
 *   its offset on every running ISR member and, at the end, on the leader;
 * - `isr-logs-differ`: below the leader's HWM every ISR member holds the
 *   leader's records (same offset, same value and epoch);
 * - `hwm-moved-back`: a leader's HWM never moves back within its epoch;
 * - `two-leaders-one-epoch`: one leader per leader epoch, as the controller
 *   elects and as brokers act;
 * - `read-vanished`: a record a consumer read below a leader's HWM is never
 *   replaced or dropped;
 * - `no-convergence`: once faults stop, every replica rejoins the ISR with
 *   the leader's log;
 * - `crashed`: the broker code failed (an assert, an error it logged, a
 *   rejected promise).
 * - the idempotent and transactional producers' invariants
 *   (producer-checker.ts), checked on the same logs.
 * The first violation is kept. `lossAllowed` turns off the acked/read checks
 * for scenarios whose faults exceed what Kafka promises to survive (they
 * still must keep the logs identical).
 *
 * Logs are read from the replicas' disks (DiskLogView), never from what
 * the broker code reports. Owned by one ReplicationCluster.
 */
import type { SimRecord } from './disk-log-view.ts';
import { ProducerChecker, type ProducerInvariant } from './producer-checker.ts';
import { exactlyOncePrefixes } from './sim-clients.ts';

export type ReplicationInvariant =
  | ProducerInvariant
  | 'acked-record-lost'
  | 'isr-logs-differ'
  | 'hwm-moved-back'
  | 'two-leaders-one-epoch'
  | 'read-vanished'
  | 'no-convergence'
  | 'crashed';

export interface ReplicationViolation {
  readonly invariant: ReplicationInvariant;
  readonly detail: string;
  readonly step: number;
}

/** What the checker reads of a replica. */
export interface ReplicaView {
  readonly id: number;
  readonly serving: boolean;
  /** The replica's log as its disk holds it, by offset. */
  readonly records: readonly (SimRecord | undefined)[];
}

export class ReplicationChecker {
  readonly #acked = new Map<number, string>();
  readonly #seen = new Map<number, string>();
  readonly #leaderOfEpoch = new Map<number, number>();
  readonly #leaderHwm = new Map<string, bigint>();
  readonly #lossAllowed: boolean;
  readonly producers = new ProducerChecker(exactlyOncePrefixes, (invariant, detail) => this.fail(invariant, detail));
  #violation: ReplicationViolation | null = null;
  step = 0;

  constructor(lossAllowed: boolean) {
    this.#lossAllowed = lossAllowed;
  }

  get violation(): ReplicationViolation | null {
    return this.#violation;
  }

  get ackedCount(): number {
    return this.#acked.size;
  }

  get seenCount(): number {
    return this.#seen.size;
  }

  fail(invariant: ReplicationInvariant, detail: string): void {
    if (this.#violation === null) this.#violation = { invariant, detail, step: this.step };
  }

  onAck(baseOffset: bigint, values: readonly string[]): void {
    values.forEach((value, i) => {
      const offset = Number(baseOffset) + i;
      const before = this.#acked.get(offset);
      if (before !== undefined && before !== value && !this.#lossAllowed) {
        this.fail('acked-record-lost', `offset ${offset} acked as ${before}, then acked again as ${value}`);
      }
      this.#acked.set(offset, value);
    });
  }

  onRead(broker: number, offset: number, value: string): void {
    const before = this.#seen.get(offset);
    if (before !== undefined && before !== value && !this.#lossAllowed) {
      this.fail('read-vanished', `offset ${offset} read as ${before}, later as ${value} from broker ${broker}`);
    }
    this.#seen.set(offset, value);
  }

  /** `broker` leads (or the controller elected it for) `leaderEpoch`. */
  onLeader(broker: number, leaderEpoch: number, source: string): void {
    if (broker < 0) return;
    const known = this.#leaderOfEpoch.get(leaderEpoch);
    if (known === undefined) this.#leaderOfEpoch.set(leaderEpoch, broker);
    else if (known !== broker) {
      this.fail('two-leaders-one-epoch', `epoch ${leaderEpoch} led by ${known} and by ${broker} (${source})`);
    }
  }

  onLeaderHighWatermark(broker: number, leaderEpoch: number, hwm: bigint): void {
    const key = `${broker}:${leaderEpoch}`;
    const before = this.#leaderHwm.get(key);
    if (before !== undefined && hwm < before) {
      this.fail('hwm-moved-back', `broker ${broker} epoch ${leaderEpoch}: HWM ${before} -> ${hwm}`);
    }
    this.#leaderHwm.set(key, hwm);
  }

  /** While running: acked records on every running ISR member, ISR logs equal to the leader's below its HWM. */
  checkReplicas(isr: readonly ReplicaView[], leader: { view: ReplicaView; highWatermark: bigint } | null): void {
    if (!this.#lossAllowed) {
      for (const member of isr) {
        if (member.serving)
          this.#checkHolds(member.records, `ISR member ${member.id}`, this.#acked, 'acked-record-lost');
      }
    }
    if (leader === null) return;
    const ours = leader.view.records;
    for (const member of isr) {
      if (member.serving)
        this.producers.checkLog(member.records, Number(leader.highWatermark), `ISR member ${member.id}`);
    }
    for (const member of isr) {
      if (!member.serving || member.id === leader.view.id) continue;
      const theirs = member.records;
      const upTo = Math.min(Number(leader.highWatermark), theirs.length, ours.length);
      for (let o = 0; o < upTo; o++) {
        const a = ours[o];
        const b = theirs[o];
        if (a?.value !== b?.value || a?.epoch !== b?.epoch) {
          this.fail(
            'isr-logs-differ',
            `offset ${o} below HWM ${leader.highWatermark}: leader ${leader.view.id} has ${show(a)}, ISR member ${member.id} has ${show(b)}`,
          );
          return;
        }
      }
    }
  }

  /** After the faults: the final leader holds every acked and every read record. */
  checkFinal(leader: ReplicaView): void {
    this.producers.checkLog(leader.records, leader.records.length, `final leader ${leader.id}`);
    if (this.#lossAllowed) return;
    this.#checkHolds(leader.records, `final leader ${leader.id}`, this.#acked, 'acked-record-lost');
    this.#checkHolds(leader.records, `final leader ${leader.id}`, this.#seen, 'read-vanished');
  }

  #checkHolds(
    records: readonly (SimRecord | undefined)[],
    who: string,
    expected: ReadonlyMap<number, string>,
    invariant: ReplicationInvariant,
  ): void {
    for (const [offset, value] of expected) {
      const record = records[offset];
      if (record?.value !== value) {
        this.fail(invariant, `${who} has ${show(record)} at offset ${offset}, expected ${value}`);
        return;
      }
    }
  }
}

function show(record: { value: string; epoch: number } | undefined): string {
  return record === undefined ? 'nothing' : `${record.value}@e${record.epoch}`;
}
