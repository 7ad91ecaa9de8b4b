/**
 * A read_committed consumer in the simulation, as Kafka's consumers read
 * (the Java client's CompletedFetch, librdkafka's msgset reader): it
 * fetches from its position with isolation read_committed, and of the
 * batches returned skips every control batch and every transactional batch
 * of a producer whose aborted transaction has begun (from the fetch's
 * aborted transactions list, at or before the batch's last offset) and not
 * yet met its ABORT marker. Its position moves past every batch returned.
 *
 * What it delivers goes to ProducerChecker.onDelivered; an offset out of
 * range at its position (a leader no longer holding what it already read
 * below an LSO) is `read-uncommitted`'s cousin and reported the same way.
 *
 * Owned by ReplicationCluster (the running consumer) or a final check (a
 * fresh one reading the whole settled log).
 */
import type { ProducerChecker, DeliveredLog } from './producer-checker.ts';
import type { SimBroker } from './sim-broker.ts';

export class ReadCommittedConsumer {
  readonly delivered: DeliveredLog = { values: [], lastN: new Map() };
  readonly #checker: ProducerChecker;
  readonly #name: string;
  position = 0n;
  fetches = 0;
  skippedAborted = 0;

  constructor(name: string, checker: ProducerChecker) {
    this.#name = name;
    this.#checker = checker;
  }

  /** One Fetch at `broker` (which must serve as leader); false when it does not answer. */
  async poll(broker: SimBroker): Promise<boolean> {
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
    if (process.env.DBG) console.log('FETCH', broker.id, this.position, read.lastStableOffset, read.highWatermark, JSON.stringify(read.abortedTransactions, (_k, v) => typeof v === 'bigint' ? Number(v) : v), read.batches.map((b) => `${b.baseOffset}-${b.lastOffset}:${b.producerId}${b.transactional ? 't' : ''}${b.marker ?? ''}:${b.records.map((r) => r.value).join(',')}`).join(' | '));
    const pending = [...(read.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    const aborting = new Set<bigint>();
    const who = `${this.#name} (broker ${broker.id}, LSO ${read.lastStableOffset})`;
    for (const batch of read.batches) {
      if (BigInt(batch.lastOffset) >= read.lastStableOffset) {
        this.#checker.fail('read-uncommitted', `${who}: batch ${batch.baseOffset}..${batch.lastOffset} at or past the LSO`);
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
