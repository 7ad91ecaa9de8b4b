/**
 * The transactional workload's driver (`--workload txn`, and the short run
 * in chaos-txn-short.test.ts; see README "Transactional workload").
 *
 * - Appenders: transactional producers (`transactionalId`
 *   `chaos-append-<i>`; kafkajs with transaction version 1, or Runnel's
 *   transaction version 2 producer: `producers`, txn-producers.ts), each
 *   running one transaction at a time that appends fresh write ids to random partitions
 *   of the input topic, then commits, or aborts one in `abortEvery` at random.
 * - Copiers: read-process-write. Copier i owns the input partitions
 *   p ≡ i (mod copiers), reads them read_committed from the group's
 *   committed offsets, and in one transaction writes one output record per
 *   input record (to the same partition number) and commits the offsets
 *   past them with sendOffsets. No group membership: ownership is fixed, so
 *   no rebalance can hand a partition to two copiers.
 * - Readers: one read_committed reader per partition of both topics.
 *
 * Outcomes: a transaction whose commit was never asked for is aborted,
 * whatever failed; one whose commit threw is unknown. After any failure the
 * producer is dropped and a new one with the same transactional id takes
 * over (its InitProducerId fences the old epoch and ends the open
 * transaction). Owned by the transactional runner: start(), stop(), then
 * finalRead(); history() hands the checker a copy.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { KafkaClient } from '@runnel/client';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../harness/wait.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { TxnHistory, TxnOp, TxnRead, TxnWrite } from './txn-history.ts';
import { openSession, type TxnProducerKind, type TxnSession } from './txn-producers.ts';
import { fetchCommitted } from './txn-reader.ts';
import { decodeTxnValue, encodeTxnValue } from './txn-values.ts';

export interface TxnWorkloadOptions {
  bootstrap: () => string;
  inputTopic: string;
  outputTopic: string;
  partitions: number;
  appenders: number;
  copiers: number;
  random: SeededRandom;
  /** One transaction in n, drawn at random, is aborted on purpose (default 5). */
  abortEvery?: number;
  /** Writes per append transaction (default 3). */
  writesPerTxn?: number;
  transactionTimeoutMs?: number;
  /**
   * Which producers run the transactions: all kafkajs (transaction version
   * 1), all Runnel's version 2 producer, or 'mixed' (even-numbered
   * appenders and copiers version 2, odd ones kafkajs). Default 'mixed'.
   */
  producers?: TxnProducerKind | 'mixed';
}

export const copierGroup = 'chaos-copier';

/** A transaction as the driver builds it: its writes are appended as they are sent. */
type OpenTxn = TxnOp & { writes: TxnWrite[] };
const name = (topic: string, partition: number): string => `${topic}/${partition}`;

export class TxnWorkload {
  readonly #o: TxnWorkloadOptions;
  readonly #kafka: Kafka;
  readonly #loops: Promise<void>[] = [];
  readonly #txns: TxnOp[] = [];
  readonly #reads: TxnRead[] = [];
  readonly #finalRead: TxnRead[] = [];
  #committedOffsets: { partition: string; offset: bigint }[] = [];
  #client: KafkaClient | null = null;
  #stopped = false;
  #nextId = 0;
  #committed = 0;

  constructor(options: TxnWorkloadOptions) {
    this.#o = options;
    this.#kafka = new Kafka({
      brokers: options.bootstrap().split(','),
      clientId: 'chaos-txn',
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      requestTimeout: 7000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  /** Every transactional id the producers use (the coordinator fault's targets). */
  get transactionalIds(): string[] {
    const o = this.#o;
    return [
      ...Array.from({ length: o.appenders }, (_, i) => `chaos-append-${i}`),
      ...Array.from({ length: o.copiers }, (_, i) => `chaos-copy-${i}`),
    ];
  }

  /** Transactions committed so far: the runner's sign that the workload flows. */
  get progress(): number {
    return this.#committed;
  }

  async start(): Promise<void> {
    const o = this.#o;
    this.#client = await KafkaClient.connect({
      bootstrap: o.bootstrap(),
      clientId: 'chaos-txn-reader',
      requestTimeoutMs: 3000,
      allowAutoTopicCreation: false,
    });
    for (let i = 0; i < o.appenders; i++)
      this.#loops.push(this.#run(`chaos-append-${i}`, this.#kindOf(i), (tx, op) => this.#append(tx, op)));
    for (let i = 0; i < o.copiers; i++) {
      const owned = [...Array(o.partitions).keys()].filter((p) => p % o.copiers === i);
      this.#loops.push(this.#copy(`chaos-copy-${i}`, this.#kindOf(i), owned));
    }
    for (const topic of [o.inputTopic, o.outputTopic]) {
      for (let p = 0; p < o.partitions; p++) this.#loops.push(this.#readLoop(this.#client, topic, p));
    }
  }

  /** Ends every loop after its current transaction. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  history(): TxnHistory {
    return {
      // A copier's round that found nothing to copy wrote nothing and was aborted locally: not a transaction.
      txns: this.#txns
        .filter((t) => t.writes.length > 0 || t.offsets !== undefined)
        .map((t) => ({ ...t, writes: t.writes.map((w) => ({ ...w })) })),
      reads: [...this.#reads],
      finalRead: [...this.#finalRead],
      committedOffsets: [...this.#committedOffsets],
    };
  }

  #kindOf(index: number): TxnProducerKind {
    const producers = this.#o.producers ?? 'mixed';
    if (producers !== 'mixed') return producers;
    return index % 2 === 0 ? 'tv2' : 'kafkajs';
  }

  #session(transactionalId: string, kind: TxnProducerKind): Promise<TxnSession | null> {
    return openSession(kind, {
      transactionalId,
      transactionTimeoutMs: this.#o.transactionTimeoutMs ?? 10_000,
      bootstrap: this.#o.bootstrap,
      kafka: this.#kafka,
    });
  }

  /** One producer's loop of transactions: `body` sends; the loop decides commit or abort and records the outcome. */
  async #run(
    transactionalId: string,
    kind: TxnProducerKind,
    body: (tx: TxnSession, op: OpenTxn) => Promise<boolean>,
    onEnd: (op: TxnOp, producerKept: boolean) => void = () => {},
  ): Promise<void> {
    let producer: TxnSession | null = null;
    let count = 0;
    while (!this.#stopped) {
      producer ??= await this.#session(transactionalId, kind);
      if (producer === null) {
        await pause(200);
        continue;
      }
      const op: OpenTxn = {
        txn: `${transactionalId}#${count++}`,
        producer: transactionalId,
        writes: [],
        outcome: 'aborted',
        startMs: Date.now(),
      };
      const ended = await this.#transaction(producer, op, body);
      onEnd(op, ended);
      if (!ended) {
        await producer.close();
        producer = null;
        await pause(100);
      }
    }
    await producer?.close();
  }

  /** Runs one transaction; false when the producer must be replaced. Records the op once it wrote anything. */
  async #transaction(
    tx: TxnSession,
    op: OpenTxn,
    body: (tx: TxnSession, op: OpenTxn) => Promise<boolean>,
  ): Promise<boolean> {
    let commitAsked = false;
    let begun = false;
    try {
      await tx.begin();
      begun = true;
      this.#txns.push(op);
      const worthCommitting = await body(tx, op);
      const abortEvery = this.#o.abortEvery ?? 5;
      if (!worthCommitting || this.#o.random.between(1, abortEvery) === 1) {
        await tx.abort();
        op.outcome = 'aborted';
        op.endMs = Date.now();
        return true;
      }
      commitAsked = true;
      await tx.commit();
      op.outcome = 'committed';
      op.endMs = Date.now();
      this.#committed++;
      return true;
    } catch (error) {
      // Without EndTxn(commit) nothing can commit it; after one, the answer was lost.
      op.outcome = commitAsked ? 'unknown' : 'aborted';
      op.endMs = Date.now();
      op.error = error instanceof Error ? error.message : String(error);
      if (!commitAsked && begun) await tx.abort().catch(() => {});
      return false;
    }
  }

  async #append(tx: TxnSession, op: OpenTxn): Promise<boolean> {
    const o = this.#o;
    for (let k = 0; k < (o.writesPerTxn ?? 3); k++) {
      const partition = o.random.between(0, o.partitions - 1);
      await this.#send(
        tx,
        op,
        { id: this.#nextId++, partition: name(o.inputTopic, partition) },
        partition,
        o.inputTopic,
      );
    }
    return true;
  }

  /** Records the write before sending: a send that fails may still have landed. */
  async #send(tx: TxnSession, op: OpenTxn, write: TxnWrite, partition: number, topic: string): Promise<void> {
    const recorded: TxnWrite = { ...write };
    op.writes.push(recorded);
    const offset = await tx.send(topic, partition, Buffer.from(encodeTxnValue(write.id, write.source)));
    if (offset !== undefined) recorded.ackedOffset = offset;
  }

  async #copy(transactionalId: string, kind: TxnProducerKind, owned: readonly number[]): Promise<void> {
    const o = this.#o;
    const admin = this.#kafka.admin();
    await admin.connect().catch(() => {});
    /** Next input offset per owned partition; null until loaded for the current producer. */
    let positions: Map<number, bigint> | null = null;
    const body = async (tx: TxnSession, op: OpenTxn): Promise<boolean> => {
      // After InitProducerId (a new producer's first transaction) the group's offsets are stable.
      positions ??= await this.#committedPositions(admin, owned);
      const client = this.#client;
      if (client === null) return false;
      const advanced: { partition: number; offset: bigint }[] = [];
      for (const p of owned) {
        const fetched = await fetchCommitted(client, o.inputTopic, p, positions.get(p) ?? 0n, 50);
        for (const r of fetched.records) {
          const copy = { id: this.#nextId++, partition: name(o.outputTopic, p), source: decodeTxnValue(r.value).id };
          await this.#send(tx, op, copy, p, o.outputTopic);
        }
        const last = fetched.records[fetched.records.length - 1];
        if (last !== undefined) advanced.push({ partition: p, offset: last.offset + 1n });
      }
      if (advanced.length === 0) return false;
      op.offsets = advanced.map((a) => ({ partition: name(o.inputTopic, a.partition), offset: a.offset }));
      await tx.sendOffsets(copierGroup, o.inputTopic, advanced);
      return true;
    };
    const onEnd = (op: TxnOp, producerKept: boolean): void => {
      // A dropped producer reloads: its last transaction's offsets may or may not have committed.
      if (!producerKept) positions = null;
      else if (op.outcome === 'committed' && positions !== null) {
        for (const a of op.offsets ?? []) positions.set(Number(a.partition.split('/').pop()), a.offset);
      }
    };
    await this.#run(transactionalId, kind, body, onEnd).finally(() => admin.disconnect().catch(() => {}));
  }

  async #committedPositions(admin: ReturnType<Kafka['admin']>, owned: readonly number[]): Promise<Map<number, bigint>> {
    const [topic] = await admin.fetchOffsets({ groupId: copierGroup, topics: [this.#o.inputTopic] });
    const out = new Map<number, bigint>();
    for (const p of topic?.partitions ?? []) {
      if (owned.includes(p.partition)) out.set(p.partition, BigInt(p.offset) < 0n ? 0n : BigInt(p.offset));
    }
    return out;
  }

  async #readLoop(client: KafkaClient, topic: string, partition: number): Promise<void> {
    let position = 0n;
    const reader = `read-${topic}-${partition}`;
    while (!this.#stopped) {
      try {
        const fetched = await fetchCommitted(client, topic, partition, position);
        for (const r of fetched.records) this.#reads.push(this.#record(reader, topic, partition, r.offset, r.value));
        position = fetched.next;
      } catch {
        // Leader moves and broken connections: the next fetch asks again, from the same position.
        await pause(100);
      }
    }
  }

  #record(reader: string, topic: string, partition: number, offset: bigint, value: Buffer | null): TxnRead {
    const decoded = decodeTxnValue(value);
    return {
      reader,
      partition: name(topic, partition),
      offset,
      id: decoded.id,
      ...(decoded.source === undefined ? {} : { source: decoded.source }),
    };
  }

  /**
   * Reads every partition of both topics read_committed from 0 once no
   * transaction is open on it (last stable offset = high watermark), then
   * the copier group's committed offsets.
   */
  async finalRead(timeoutMs = 120_000): Promise<void> {
    const o = this.#o;
    const client = await KafkaClient.connect({
      bootstrap: o.bootstrap(),
      requestTimeoutMs: 5000,
      allowAutoTopicCreation: false,
    });
    const admin = this.#kafka.admin();
    try {
      for (const topic of [o.inputTopic, o.outputTopic]) {
        for (let p = 0; p < o.partitions; p++) {
          const records = await waitFor(() => this.#readWhole(client, topic, p).catch(() => undefined), {
            timeoutMs,
            intervalMs: 500,
            what: `a stable final read of ${topic}-${p}`,
          });
          this.#finalRead.push(...records);
        }
      }
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId: copierGroup, topics: [o.inputTopic] });
      this.#committedOffsets = (offsets?.partitions ?? [])
        .filter((p) => BigInt(p.offset) >= 0n)
        .map((p) => ({ partition: name(o.inputTopic, p.partition), offset: BigInt(p.offset) }));
    } finally {
      await admin.disconnect().catch(() => {});
      client.close();
    }
  }

  /** The whole partition, or undefined while a transaction is still open on it. */
  async #readWhole(client: KafkaClient, topic: string, partition: number): Promise<TxnRead[] | undefined> {
    const records: TxnRead[] = [];
    let position = 0n;
    for (;;) {
      const fetched = await fetchCommitted(client, topic, partition, position, 0);
      if (fetched.lastStableOffset < fetched.highWatermark) return undefined;
      for (const r of fetched.records) records.push(this.#record('final', topic, partition, r.offset, r.value));
      if (fetched.next >= fetched.highWatermark || fetched.next === position) return records;
      position = fetched.next;
    }
  }
}
