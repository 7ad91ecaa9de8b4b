/**
 * The transactional chaos checker: a pure function from a TxnHistory
 * (txn-history.ts) to the anomalies in it, after the analyses Jepsen ran on
 * Kafka-compatible transactions, written for Runnel's history format.
 *
 * Every anomaly below fails the run except write cycles: Kafka orders a
 * partition by append time, not commit time, so two concurrent transactions
 * of different producers may legitimately precede each other on different
 * partitions. They are reported for what they are. Within one producer,
 * whose transactions run one after another, any inversion is a failure
 * (`producerOrder`): it is what a delayed or duplicated Produce of an old
 * transaction landing in a later one looks like.
 */

import { type CopierResult, copierAnomalies } from './txn-copier-checker.ts';
import type { TxnHistory, TxnOp, TxnRead, TxnWrite } from './txn-history.ts';
import { writeCycles } from './txn-write-cycles.ts';

export interface TxnPosition {
  partition: string;
  offset: bigint;
}

export interface TxnCounts {
  committed: number;
  aborted: number;
  unknown: number;
  /** Unknown-outcome transactions every write of which is in the final read (they committed after all). */
  unknownVisible: number;
  writes: number;
  reads: number;
  finalRecords: number;
}

export interface TxnCheckResult extends CopierResult {
  counts: TxnCounts;
  /** A record of an aborted transaction returned to a read_committed reader (or in the final read). */
  abortedReads: { id: number; txn: string; reader: string; at: TxnPosition }[];
  /** Writes of committed transactions absent from the final read. */
  lostWrites: { id: number; txn: string }[];
  /** Records of committed or unknown transactions a reader returned that the final read no longer holds. */
  vanished: { id: number; txn: string | null; reader: string; at: TxnPosition }[];
  /** Write ids seen at more than one position. */
  duplicatedWrites: { id: number; positions: TxnPosition[] }[];
  /** Positions at which different write ids were acknowledged or read. */
  inconsistentOffsets: { at: TxnPosition; ids: number[] }[];
  /** Writes present in the final read, but not at the offset their Produce was acknowledged with. */
  ackedOffsetMismatches: { id: number; acked: TxnPosition; found: TxnPosition[] }[];
  /** Committed or unknown transactions of which the final read holds some writes but not all. */
  tornTransactions: { txn: string; present: number[]; missing: number[] }[];
  /**
   * A reader saw one write of a transaction and read across the position of
   * another without seeing it: a skipped read (also reported) that split a transaction.
   */
  tornReads: { reader: string; txn: string; seen: number; missed: number; at: TxnPosition }[];
  /** A reader returned an offset not above the previous one it returned on that partition. */
  nonMonotonicReads: { reader: string; partition: string; previous: bigint; offset: bigint }[];
  /** A reader went from offset a to b on a partition while the final read holds a record between them. */
  skippedReads: {
    reader: string;
    partition: string;
    from: bigint;
    to: bigint;
    skipped: TxnPosition & { id: number };
  }[];
  /** Two writes of one producer (`earlier` sent first) in the opposite order on a partition. */
  producerOrder: {
    producer: string;
    partition: string;
    earlier: { id: number; offset: bigint };
    later: { id: number; offset: bigint };
  }[];
  /** Ids in the final read that no transaction wrote. */
  unexpected: { id: number; at: TxnPosition }[];
  /** Strongly connected sets of transactions in the write-order graph (reported, allowed: see the header). */
  writeCycles: string[][];
}

const key = (partition: string, offset: bigint): string => `${partition}@${offset}`;

interface Located {
  txn: TxnOp;
  write: TxnWrite;
}

function positionsOf(records: readonly TxnRead[]): Map<number, Map<string, TxnPosition>> {
  const byId = new Map<number, Map<string, TxnPosition>>();
  for (const r of records) {
    const positions = byId.get(r.id) ?? new Map<string, TxnPosition>();
    positions.set(key(r.partition, r.offset), { partition: r.partition, offset: r.offset });
    byId.set(r.id, positions);
  }
  return byId;
}

function inconsistentOffsets(history: TxnHistory): TxnCheckResult['inconsistentOffsets'] {
  const idsAt = new Map<string, { at: TxnPosition; ids: Set<number> }>();
  const note = (partition: string, offset: bigint, id: number): void => {
    const entry = idsAt.get(key(partition, offset)) ?? { at: { partition, offset }, ids: new Set<number>() };
    entry.ids.add(id);
    idsAt.set(key(partition, offset), entry);
  };
  for (const t of history.txns) {
    for (const w of t.writes) if (w.ackedOffset !== undefined) note(w.partition, w.ackedOffset, w.id);
  }
  for (const r of [...history.reads, ...history.finalRead]) note(r.partition, r.offset, r.id);
  return [...idsAt.values()]
    .filter((e) => e.ids.size > 1)
    .map((e) => ({ at: e.at, ids: [...e.ids].sort((a, b) => a - b) }));
}

/** Reads grouped by reader session and partition, in the order returned. */
function sessions(reads: readonly TxnRead[]): Map<string, TxnRead[]> {
  const out = new Map<string, TxnRead[]>();
  for (const r of reads) {
    const k = `${r.reader}\u0000${r.partition}`;
    const list = out.get(k) ?? [];
    list.push(r);
    out.set(k, list);
  }
  return out;
}

/** The sorted offsets of each partition's final read, for "is anything between a and b" questions. */
function finalOffsets(finalRead: readonly TxnRead[]): Map<string, TxnRead[]> {
  const out = new Map<string, TxnRead[]>();
  for (const r of finalRead) {
    const list = out.get(r.partition) ?? [];
    list.push(r);
    out.set(r.partition, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  return out;
}

/** The first record of `sorted` strictly between `from` and `to`, by binary search. */
function firstBetween(sorted: readonly TxnRead[], from: bigint, to: bigint): TxnRead | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = sorted[mid];
    if (r !== undefined && r.offset <= from) lo = mid + 1;
    else hi = mid;
  }
  const candidate = sorted[lo];
  return candidate !== undefined && candidate.offset < to ? candidate : undefined;
}

function readerAnomalies(
  history: TxnHistory,
  writes: ReadonlyMap<number, Located>,
  final: ReadonlyMap<number, Map<string, TxnPosition>>,
): Pick<TxnCheckResult, 'tornReads' | 'nonMonotonicReads' | 'skippedReads'> {
  const nonMonotonicReads: TxnCheckResult['nonMonotonicReads'] = [];
  const skippedReads: TxnCheckResult['skippedReads'] = [];
  const byPartition = finalOffsets(history.finalRead);
  /** reader → partition → [lowest, highest] offset it returned; and the ids it returned. */
  const covered = new Map<string, Map<string, [bigint, bigint]>>();
  const seen = new Map<string, Set<number>>();
  for (const list of sessions(history.reads).values()) {
    const first = list[0];
    if (first === undefined) continue;
    let low = first.offset;
    let high = first.offset;
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1];
      const r = list[i];
      if (previous === undefined || r === undefined) continue;
      if (r.offset <= previous.offset) {
        nonMonotonicReads.push({
          reader: r.reader,
          partition: r.partition,
          previous: previous.offset,
          offset: r.offset,
        });
        continue;
      }
      const skipped = firstBetween(byPartition.get(r.partition) ?? [], previous.offset, r.offset);
      if (skipped !== undefined) {
        skippedReads.push({
          reader: r.reader,
          partition: r.partition,
          from: previous.offset,
          to: r.offset,
          skipped: { partition: skipped.partition, offset: skipped.offset, id: skipped.id },
        });
      }
      if (r.offset < low) low = r.offset;
      if (r.offset > high) high = r.offset;
    }
    const ranges = covered.get(first.reader) ?? new Map<string, [bigint, bigint]>();
    ranges.set(first.partition, [low, high]);
    covered.set(first.reader, ranges);
    const ids = seen.get(first.reader) ?? new Set<number>();
    for (const r of list) ids.add(r.id);
    seen.set(first.reader, ids);
  }
  const tornReads: TxnCheckResult['tornReads'] = [];
  for (const [reader, ids] of seen) {
    const ranges = covered.get(reader) ?? new Map<string, [bigint, bigint]>();
    const checked = new Set<string>();
    for (const id of ids) {
      const txn = writes.get(id)?.txn;
      if (txn === undefined || checked.has(txn.txn)) continue;
      checked.add(txn.txn);
      for (const w of txn.writes) {
        if (ids.has(w.id)) continue;
        for (const at of final.get(w.id)?.values() ?? []) {
          const range = ranges.get(at.partition);
          if (range !== undefined && range[0] <= at.offset && at.offset <= range[1]) {
            tornReads.push({ reader, txn: txn.txn, seen: id, missed: w.id, at });
          }
        }
      }
    }
  }
  return { tornReads, nonMonotonicReads, skippedReads };
}

function producerOrder(
  history: TxnHistory,
  firstFinal: ReadonlyMap<number, TxnPosition>,
): TxnCheckResult['producerOrder'] {
  const last = new Map<string, { id: number; offset: bigint }>();
  const out: TxnCheckResult['producerOrder'] = [];
  for (const t of history.txns) {
    for (const w of t.writes) {
      const at = firstFinal.get(w.id);
      if (at === undefined) continue;
      const k = `${t.producer}\u0000${at.partition}`;
      const previous = last.get(k);
      if (previous !== undefined && previous.offset >= at.offset) {
        out.push({
          producer: t.producer,
          partition: at.partition,
          earlier: previous,
          later: { id: w.id, offset: at.offset },
        });
      }
      last.set(k, { id: w.id, offset: at.offset });
    }
  }
  return out;
}

export function checkTxnHistory(history: TxnHistory): TxnCheckResult {
  const writes = new Map<number, Located>();
  for (const txn of history.txns) for (const write of txn.writes) writes.set(write.id, { txn, write });
  const final = positionsOf(history.finalRead);
  const everywhere = positionsOf([...history.reads, ...history.finalRead]);
  const firstFinal = new Map<number, TxnPosition>();
  for (const [id, positions] of final) {
    const [first] = [...positions.values()].sort((a, b) => (a.offset < b.offset ? -1 : 1));
    if (first !== undefined) firstFinal.set(id, first);
  }
  const counts: TxnCounts = {
    committed: 0,
    aborted: 0,
    unknown: 0,
    unknownVisible: 0,
    writes: writes.size,
    reads: history.reads.length,
    finalRecords: history.finalRead.length,
  };
  const lostWrites: TxnCheckResult['lostWrites'] = [];
  const tornTransactions: TxnCheckResult['tornTransactions'] = [];
  for (const t of history.txns) {
    counts[t.outcome]++;
    const present = t.writes.filter((w) => final.has(w.id)).map((w) => w.id);
    const missing = t.writes.filter((w) => !final.has(w.id)).map((w) => w.id);
    if (t.outcome === 'committed') for (const id of missing) lostWrites.push({ id, txn: t.txn });
    if (t.outcome !== 'aborted' && present.length > 0 && missing.length > 0) {
      tornTransactions.push({ txn: t.txn, present, missing });
    }
    if (t.outcome === 'unknown' && missing.length === 0 && present.length > 0) counts.unknownVisible++;
  }
  const abortedReads: TxnCheckResult['abortedReads'] = [];
  const reported = new Set<number>();
  for (const r of [...history.reads, ...history.finalRead]) {
    const txn = writes.get(r.id)?.txn;
    if (txn?.outcome !== 'aborted' || reported.has(r.id)) continue;
    reported.add(r.id);
    abortedReads.push({ id: r.id, txn: txn.txn, reader: r.reader, at: { partition: r.partition, offset: r.offset } });
  }
  const vanished: TxnCheckResult['vanished'] = [];
  for (const r of history.reads) {
    const txn = writes.get(r.id)?.txn;
    if (txn?.outcome === 'aborted' || final.has(r.id) || reported.has(r.id)) continue;
    reported.add(r.id);
    vanished.push({
      id: r.id,
      txn: txn?.txn ?? null,
      reader: r.reader,
      at: { partition: r.partition, offset: r.offset },
    });
  }
  const ackedOffsetMismatches: TxnCheckResult['ackedOffsetMismatches'] = [];
  for (const { write } of writes.values()) {
    const found = final.get(write.id);
    if (write.ackedOffset === undefined || found === undefined) continue;
    if (!found.has(key(write.partition, write.ackedOffset))) {
      ackedOffsetMismatches.push({
        id: write.id,
        acked: { partition: write.partition, offset: write.ackedOffset },
        found: [...found.values()],
      });
    }
  }
  return {
    counts,
    abortedReads,
    lostWrites,
    vanished,
    duplicatedWrites: [...everywhere.entries()]
      .filter(([, positions]) => positions.size > 1)
      .map(([id, positions]) => ({ id, positions: [...positions.values()] })),
    inconsistentOffsets: inconsistentOffsets(history),
    ackedOffsetMismatches,
    tornTransactions,
    ...readerAnomalies(history, writes, final),
    producerOrder: producerOrder(history, firstFinal),
    unexpected: history.finalRead
      .filter((r) => !writes.has(r.id))
      .map((r) => ({ id: r.id, at: { partition: r.partition, offset: r.offset } })),
    writeCycles: writeCycles(history.finalRead, (id) => writes.get(id)?.txn.txn),
    ...copierAnomalies(history, firstFinal),
  };
}

/** The anomaly lists that fail a run, with their names; write cycles are left out on purpose (see the header). */
const failing = [
  ['abortedReads', 'aborted reads'],
  ['lostWrites', 'lost writes'],
  ['vanished', 'vanished reads'],
  ['duplicatedWrites', 'duplicated writes'],
  ['inconsistentOffsets', 'inconsistent offsets'],
  ['ackedOffsetMismatches', 'acked-offset mismatches'],
  ['tornTransactions', 'torn transactions'],
  ['tornReads', 'torn reads'],
  ['nonMonotonicReads', 'non-monotonic reads'],
  ['skippedReads', 'skipped reads'],
  ['producerOrder', 'producer-order inversions'],
  ['unexpected', 'unexpected records'],
  ['lostCopies', 'lost copies'],
  ['duplicatedCopies', 'duplicated copies'],
  ['uncommittedCopies', 'copies of uncommitted input'],
] as const satisfies readonly (readonly [keyof TxnCheckResult, string])[];

/** Why the run fails; empty when it passes. */
export function txnViolations(result: TxnCheckResult): string[] {
  return failing
    .filter(([field]) => result[field].length > 0)
    .map(([field, name]) => `${result[field].length} ${name}`);
}

const showMax = 5;

/** Counts, every anomaly kind's count, and a JSON sample of each kind that occurred. */
export function describeTxnResult(result: TxnCheckResult): string {
  const c = result.counts;
  const lines = [
    `txns committed ${c.committed}, aborted ${c.aborted}, unknown ${c.unknown} (${c.unknownVisible} visible), ` +
      `writes ${c.writes}, consumer reads ${c.reads}, final records ${c.finalRecords}`,
    `${failing.map(([field, name]) => `${name} ${result[field].length}`).join(', ')}, write cycles ${result.writeCycles.length} (allowed)`,
  ];
  const json = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  for (const [field, name] of failing) {
    const items: readonly unknown[] = result[field];
    if (items.length > 0) lines.push(`  ${name}: ${items.slice(0, showMax).map(json).join(' ')}`);
  }
  if (result.writeCycles.length > 0)
    lines.push(`  write cycles: ${result.writeCycles.slice(0, showMax).map(json).join(' ')}`);
  return lines.join('\n');
}
