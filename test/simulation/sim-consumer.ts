/**
 * A read_committed consumer in the simulation, as Kafka's consumers read
 * (the Java client's CompletedFetch, librdkafka's msgset reader): it
 * fetches from its position with isolation read_committed, and of the
 * batches returned skips every control batch and every transactional batch
 * of a producer whose aborted transaction has begun (from the fetch's
 * aborted transactions list, at or before the batch's last offset) and not
 * yet met its ABORT marker. Its position moves past every batch returned.
 * Like a KIP-320 client it does not fetch from a leader of an older epoch
 * than one it already fetched from (that leader would answer
 * FENCED_LEADER_EPOCH); a leader it learns of late may still be a stale one.
 *
 * What it delivers goes to ProducerChecker.onDelivered; an offset out of
 * range at its position (a leader no longer holding what it already read
 * below an LSO) is `read-uncommitted`'s cousin and reported the same way.
 *
 * Owned by ReplicationCluster (the running consumer) or a final check (a
 * fresh one reading the whole settled log).
 */
import type { DeliveredLog, ProducerChecker } from './producer-checker.ts';
import type { SimBroker } from './sim-broker.ts';

export class ReadCommittedConsumer {
  readonly delivered: DeliveredLog = { values: [], lastN: new Map() };
  readonly #checker: ProducerChecker;
  readonly #name: string;
  position = 0n;
  /** The newest leader epoch it fetched under. */
  leaderEpoch = -1;
  fetches = 0;
  skippedAborted = 0;

  constructor(name: string, checker: ProducerChecker) {
    this.#name = name;
    this.#checker = checker;
  }

  /** One Fetch at `broker` (which must serve as leader); false when it does not answer. */
  async poll(broker: SimBroker): Promise<boolean> {
    // KIP-320: the fetch names the newest leader epoch the consumer knows; an older leader answers FENCED_LEADER_EPOCH.
    if (broker.leaderEpoch < this.leaderEpoch) return false;
    const epoch = broker.leaderEpoch;
    const read = await broker.fetch(this.position, 'read_committed');
    if (read === null) {
      // Not leading (nothing asked), or the position is out of range at a broker that leads.
      if (broker.role === 'leader' && broker.serving && !broker.paused && this.position > broker.logEndOffset) {
        this.#checker.fail(
          'read-uncommitted',
          `${this.#name}: position ${this.position} beyond leader ${broker.id}'s log end ${broker.logEndOffset}`,
        );
      }
      return false;
    }
    this.fetches += 1;
    this.leaderEpoch = Math.max(this.leaderEpoch, epoch);
    const pending = [...(read.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    const aborting = new Set<bigint>();
    const who = `${this.#name} (broker ${broker.id}, LSO ${read.lastStableOffset})`;
    for (const batch of read.batches) {
      if (BigInt(batch.lastOffset) >= read.lastStableOffset) {
        this.#checker.fail(
          'read-uncommitted',
          `${who}: batch ${batch.baseOffset}..${batch.lastOffset} at or past the LSO`,
        );
      }
      while (pending.length > 0 && (pending[0]?.firstOffset ?? 0n) <= BigInt(batch.lastOffset)) {
        const next = pending.shift();
        if (next !== undefined) aborting.add(next.producerId);
      }
      this.position = BigInt(batch.lastOffset) + 1n;
      if (batch.marker !== null) {
        if (batch.marker === 'abort') aborting.delete(batch.producerId);
        continue;
      }
      if (batch.transactional && aborting.has(batch.producerId)) {
        this.skippedAborted += batch.records.length;
        continue;
      }
      for (const r of batch.records) this.#checker.onDelivered(this.delivered, r.value, r.offset, who);
    }
    return true;
  }
}
