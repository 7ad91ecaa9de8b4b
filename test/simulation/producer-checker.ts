/**
 * The invariants of the idempotent and transactional producers, fed by the
 * cluster and free of broker code (ReplicationChecker owns one and reports
 * its violations):
 * - `producer-refused`: the log refused the current attempt of a batch as
 *   out of order, of an invalid producer epoch or in an invalid transaction
 *   state, or fenced the coordinator's marker; none is due in these
 *   schedules (one batch in flight, one epoch, coordinator epochs only grow);
 * - `duplicate-record`: a producer's value twice in a log below the HWM
 *   (ISR members as the disks hold them, the final leader's whole log):
 *   resends across leader changes, crashes and power loss stay exactly once;
 * - `producer-order`: a producer's values out of send order in a log;
 * - `read-uncommitted`: a read_committed read delivered a record of an
 *   aborted or still open transaction, or one of a producer twice or out
 *   of order;
 * - `lso-above-hwm` / `lso-moved-back`: a replica's last stable offset above
 *   its HWM; a leader's LSO moving back within its epoch;
 * - `hanging-transaction`: once every transaction ended and faults stopped,
 *   a replica's LSO stays below its HWM;
 * - `read-committed-wrong`: a read_committed consumer reading the whole
 *   settled log gets anything but every acked idempotent value and every
 *   committed transaction's values, once each, in send order;
 * - `producer-state-differs`: a replica's producer table (rebuilt from the
 *   batches it copied or recovered) differs from the final leader's;
 * - `zombie-accepted`: an acked batch of an earlier producer epoch, sent
 *   again late (a zombie), was appended as new rather than refused or
 *   answered as a duplicate.
 */
import type { SimRecord } from './disk-log-view.ts';
import { parseProducerValue } from './sim-producer.ts';

export type ProducerInvariant =
  | 'producer-refused'
  | 'duplicate-record'
  | 'producer-order'
  | 'read-uncommitted'
  | 'lso-above-hwm'
  | 'lso-moved-back'
  | 'hanging-transaction'
  | 'read-committed-wrong'
  | 'producer-state-differs'
  | 'zombie-accepted';

/** A read_committed consumer's memory: what it delivered, for the order and duplicate checks. */
export interface DeliveredLog {
  readonly values: string[];
  readonly lastN: Map<string, number>;
}

export class ProducerChecker {
  /** The prefixes of the checked producers' values (the plain producer's are not idempotent). */
  readonly #prefixes: ReadonlySet<string>;
  readonly #fail: (invariant: ProducerInvariant, detail: string) => void;
  readonly #decisions = new Map<number, 'commit' | 'abort'>();
  readonly #acked: string[] = [];
  readonly #leaderLso = new Map<string, bigint>();

  constructor(prefixes: ReadonlySet<string>, fail: (invariant: ProducerInvariant, detail: string) => void) {
    this.#prefixes = prefixes;
    this.#fail = fail;
  }

  fail(invariant: ProducerInvariant, detail: string): void {
    this.#fail(invariant, detail);
  }

  onDecided(txn: number, decision: 'commit' | 'abort'): void {
    this.#decisions.set(txn, decision);
  }

  onAcked(values: readonly string[]): void {
    this.#acked.push(...values);
  }

  /** No producer value twice, and each producer's values in send order, in `records` below `upTo`. */
  checkLog(records: readonly (SimRecord | undefined)[], upTo: number, who: string): void {
    const seen = new Map<string, number>();
    const lastN = new Map<string, number>();
    const end = Math.min(upTo, records.length);
    for (let offset = 0; offset < end; offset++) {
      const value = records[offset]?.value;
      const parsed = value === undefined ? null : parseProducerValue(value);
      if (value === undefined || parsed === null || !this.#prefixes.has(parsed.prefix)) continue;
      const first = seen.get(value);
      if (first !== undefined) {
        this.#fail('duplicate-record', `${who}: ${value} at offsets ${first} and ${offset} (below ${upTo})`);
        return;
      }
      seen.set(value, offset);
      const before = lastN.get(parsed.prefix) ?? 0;
      if (parsed.n <= before) {
        this.#fail('producer-order', `${who}: ${value} at offset ${offset} after value number ${before}`);
        return;
      }
      lastN.set(parsed.prefix, parsed.n);
    }
  }

  /** Every replica: LSO at most its HWM. */
  onReplicaLso(broker: number, lastStableOffset: bigint, highWatermark: bigint): void {
    if (lastStableOffset > highWatermark) {
      this.#fail('lso-above-hwm', `broker ${broker}: LSO ${lastStableOffset} above HWM ${highWatermark}`);
    }
  }

  /** A leader's LSO, as consumers are given it, never moves back within its epoch. */
  onLeaderLso(broker: number, leaderEpoch: number, lastStableOffset: bigint): void {
    const key = `${broker}:${leaderEpoch}`;
    const before = this.#leaderLso.get(key);
    if (before !== undefined && lastStableOffset < before) {
      this.#fail('lso-moved-back', `broker ${broker} epoch ${leaderEpoch}: LSO ${before} -> ${lastStableOffset}`);
    }
    this.#leaderLso.set(key, lastStableOffset);
  }

  /** A value a read_committed consumer was given: committed, new to it, in its producer's order. */
  onDelivered(log: DeliveredLog, value: string, offset: number, who: string): void {
    const parsed = parseProducerValue(value);
    log.values.push(value);
    if (parsed === null || !this.#prefixes.has(parsed.prefix)) return;
    if (parsed.txn !== null) {
      const decision = this.#decisions.get(parsed.txn);
      if (decision !== 'commit') {
        const state = decision === undefined ? 'open' : 'aborted';
        this.#fail(
          'read-uncommitted',
          `${who} read ${value} at offset ${offset} of ${state} transaction ${parsed.txn}`,
        );
        return;
      }
    }
    const before = log.lastN.get(parsed.prefix) ?? 0;
    if (parsed.n <= before) {
      this.#fail('read-uncommitted', `${who} read ${value} at offset ${offset} after value number ${before}`);
    }
    log.lastN.set(parsed.prefix, parsed.n);
  }

  /** The whole settled log read as read_committed: exactly the acked idempotent and committed values, in order. */
  checkFinalRead(delivered: readonly string[]): void {
    const expected = this.#acked.filter((value) => {
      const txn = parseProducerValue(value)?.txn ?? null;
      return txn === null || this.#decisions.get(txn) === 'commit';
    });
    const got = delivered.filter((value) => this.#prefixes.has(parseProducerValue(value)?.prefix ?? ''));
    const byProducer = (values: readonly string[]) =>
      [...this.#prefixes].map((p) => values.filter((v) => parseProducerValue(v)?.prefix === p).join(','));
    const [want, have] = [byProducer(expected), byProducer(got)];
    for (let i = 0; i < want.length; i++) {
      if (want[i] !== have[i]) {
        this.#fail('read-committed-wrong', `expected [${clip(want[i])}], read [${clip(have[i])}]`);
        return;
      }
    }
  }
}

function clip(values: string | undefined): string {
  const s = values ?? '';
  return s.length > 300 ? `${s.slice(0, 150)} ... ${s.slice(-150)}` : s;
}
