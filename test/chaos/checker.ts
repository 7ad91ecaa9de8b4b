/**
 * The chaos checker: a pure function from a run's history to the anomalies
 * in it, in the spirit of Jepsen's Kafka queue checkers (lost, unseen,
 * duplicate, inconsistent offsets), written for Runnel's history format.
 *
 * The pass criteria are 0 lost writes, 0 inconsistent offsets, 0 acked
 * offset mismatches and 0 vanished reads. Duplicates are reported but
 * allowed: without an idempotent producer a retried send may land twice.
 * For an idempotent workload (`{ idempotent: true }`) duplicates fail the
 * run too, and so does a producer session whose records a partition holds
 * out of send order.
 */
import type { History, ReadRecord } from './history.ts';

export interface Position {
  partition: number;
  offset: bigint;
}

export interface CheckCounts {
  attempts: number;
  acked: number;
  failed: number;
  unknown: number;
  /** Records read by consumers during the run. */
  reads: number;
  /** Records in the final read. */
  finalRecords: number;
  /** Sends that failed or timed out whose value is in the final read anyway (allowed: the write may have landed). */
  unackedPresent: number;
}

export interface CheckResult {
  counts: CheckCounts;
  /** Acknowledged values absent from the final read. */
  lost: { value: number; acked: Position }[];
  /** Values seen at more than one (partition, offset), by consumers or the final read. */
  duplicates: { value: number; positions: Position[] }[];
  /** (partition, offset) pairs at which different values were acknowledged or read. */
  inconsistentOffsets: { partition: number; offset: bigint; values: number[] }[];
  /** Values a consumer read that are absent from the final read. */
  vanished: { value: number; readAt: Position; acked: boolean }[];
  /** Values present in the final read, but not at the offset their send was acknowledged with. */
  ackedOffsetMismatches: { value: number; acked: Position; found: Position[] }[];
  /** Values in the final read that no send attempt produced: a corrupt or foreign record. */
  unexpected: { value: number; at: Position }[];
  /**
   * Two values of one producer session on one partition whose final-read
   * offsets are in the opposite order to their sends (`first` was sent first).
   */
  reordered: {
    producer: string;
    partition: number;
    first: Position & { value: number };
    second: Position & { value: number };
  }[];
  /** Whether duplicates and reorderings fail the run (the producers were idempotent). */
  idempotent: boolean;
}

export interface CheckOptions {
  /** The producers were idempotent: a value at two positions, or a session's values out of order, is a violation. */
  idempotent?: boolean;
}

const key = (partition: number, offset: bigint): string => `${partition}:${offset}`;

function positionsByValue(records: readonly ReadRecord[]): Map<number, Map<string, Position>> {
  const byValue = new Map<number, Map<string, Position>>();
  for (const r of records) {
    let positions = byValue.get(r.value);
    if (positions === undefined) {
      positions = new Map();
      byValue.set(r.value, positions);
    }
    positions.set(key(r.partition, r.offset), { partition: r.partition, offset: r.offset });
  }
  return byValue;
}

function inconsistentOffsets(history: History): CheckResult['inconsistentOffsets'] {
  const valuesAt = new Map<string, { partition: number; offset: bigint; values: Set<number> }>();
  const note = (partition: number, offset: bigint, value: number): void => {
    const k = key(partition, offset);
    let entry = valuesAt.get(k);
    if (entry === undefined) {
      entry = { partition, offset, values: new Set() };
      valuesAt.set(k, entry);
    }
    entry.values.add(value);
  };
  // An acknowledgement is an observation too: the leader said "your value is at this offset".
  for (const s of history.sends) {
    if (s.outcome.kind === 'acked') note(s.outcome.partition, s.outcome.offset, s.value);
  }
  for (const r of history.reads) note(r.partition, r.offset, r.value);
  for (const r of history.finalRead) note(r.partition, r.offset, r.value);
  return [...valuesAt.values()]
    .filter((e) => e.values.size > 1)
    .map((e) => ({ partition: e.partition, offset: e.offset, values: [...e.values].sort((a, b) => a - b) }));
}

/**
 * Per (producer session, partition), the final-read position of each value
 * in send order must increase. A session sends one record at a time and
 * awaits its outcome, so a later send can never legitimately land first;
 * a value at two positions is judged by its first one (the duplicate is
 * reported on its own).
 */
function reorderings(history: History): CheckResult['reordered'] {
  const firstOffset = new Map<number, Position>();
  for (const r of history.finalRead) {
    const seen = firstOffset.get(r.value);
    if (
      seen === undefined ||
      r.partition < seen.partition ||
      (r.partition === seen.partition && r.offset < seen.offset)
    )
      firstOffset.set(r.value, { partition: r.partition, offset: r.offset });
  }
  const last = new Map<string, Position & { value: number }>();
  const out: CheckResult['reordered'] = [];
  for (const s of history.sends) {
    const at = firstOffset.get(s.value);
    if (s.producer === undefined || at === undefined) continue;
    const k = `${s.producer}/${at.partition}`;
    const previous = last.get(k);
    const current = { ...at, value: s.value };
    if (previous !== undefined && previous.offset >= at.offset) {
      out.push({ producer: s.producer, partition: at.partition, first: previous, second: current });
    }
    last.set(k, current);
  }
  return out;
}

export function checkHistory(history: History, options: CheckOptions = {}): CheckResult {
  const final = positionsByValue(history.finalRead);
  const everywhere = positionsByValue([...history.reads, ...history.finalRead]);
  const sentValues = new Set(history.sends.map((s) => s.value));
  const ackedValues = new Set<number>();
  const counts: CheckCounts = {
    attempts: history.sends.length,
    acked: 0,
    failed: 0,
    unknown: 0,
    reads: history.reads.length,
    finalRecords: history.finalRead.length,
    unackedPresent: 0,
  };
  const lost: CheckResult['lost'] = [];
  const mismatches: CheckResult['ackedOffsetMismatches'] = [];
  for (const s of history.sends) {
    const found = final.get(s.value);
    if (s.outcome.kind !== 'acked') {
      if (s.outcome.kind === 'failed') counts.failed++;
      else counts.unknown++;
      if (found !== undefined) counts.unackedPresent++;
      continue;
    }
    counts.acked++;
    ackedValues.add(s.value);
    const acked = { partition: s.outcome.partition, offset: s.outcome.offset };
    if (found === undefined) lost.push({ value: s.value, acked });
    else if (!found.has(key(acked.partition, acked.offset))) {
      mismatches.push({ value: s.value, acked, found: [...found.values()] });
    }
  }
  const vanished: CheckResult['vanished'] = [];
  const reported = new Set<number>();
  for (const r of history.reads) {
    if (final.has(r.value) || reported.has(r.value)) continue;
    reported.add(r.value);
    vanished.push({
      value: r.value,
      readAt: { partition: r.partition, offset: r.offset },
      acked: ackedValues.has(r.value),
    });
  }
  const duplicates = [...everywhere.entries()]
    .filter(([, positions]) => positions.size > 1)
    .map(([value, positions]) => ({ value, positions: [...positions.values()] }));
  const unexpected = history.finalRead
    .filter((r) => !sentValues.has(r.value))
    .map((r) => ({ value: r.value, at: { partition: r.partition, offset: r.offset } }));
  return {
    counts,
    lost,
    duplicates,
    inconsistentOffsets: inconsistentOffsets(history),
    vanished,
    ackedOffsetMismatches: mismatches,
    unexpected,
    reordered: reorderings(history),
    idempotent: options.idempotent === true,
  };
}

/** Why the run fails the pass criteria; empty when it passes. */
export function violations(result: CheckResult): string[] {
  const out: string[] = [];
  if (result.lost.length > 0) out.push(`${result.lost.length} acknowledged writes lost`);
  if (result.inconsistentOffsets.length > 0) out.push(`${result.inconsistentOffsets.length} inconsistent offsets`);
  if (result.ackedOffsetMismatches.length > 0)
    out.push(`${result.ackedOffsetMismatches.length} values found away from their acknowledged offset`);
  if (result.vanished.length > 0) out.push(`${result.vanished.length} values read by a consumer then vanished`);
  if (result.unexpected.length > 0) out.push(`${result.unexpected.length} values in the log that nobody sent`);
  if (result.idempotent && result.duplicates.length > 0)
    out.push(`${result.duplicates.length} values written twice by idempotent producers`);
  if (result.idempotent && result.reordered.length > 0)
    out.push(`${result.reordered.length} values out of their producer's send order`);
  return out;
}

const showMax = 10;

function sample<T>(items: readonly T[], show: (item: T) => string): string {
  const shown = items.slice(0, showMax).map(show).join(', ');
  return items.length > showMax ? `${shown}, ... (${items.length - showMax} more)` : shown;
}

const at = (p: Position): string => `${p.partition}@${p.offset}`;

/** A human-readable report: counts, then a sample of every anomaly kind that occurred. */
export function describeResult(result: CheckResult): string {
  const c = result.counts;
  const lines = [
    `attempts ${c.attempts}, acked ${c.acked}, failed ${c.failed}, unknown ${c.unknown}, ` +
      `consumer reads ${c.reads}, final records ${c.finalRecords}, unacked-but-present ${c.unackedPresent}`,
    `lost ${result.lost.length}, inconsistent offsets ${result.inconsistentOffsets.length}, ` +
      `acked-offset mismatches ${result.ackedOffsetMismatches.length}, vanished ${result.vanished.length}, ` +
      `duplicates ${result.duplicates.length}${result.idempotent ? '' : ' (allowed)'}, unexpected ${result.unexpected.length}` +
      (result.idempotent ? `, reordered ${result.reordered.length}` : ''),
  ];
  if (result.lost.length > 0) lines.push(`  lost: ${sample(result.lost, (l) => `${l.value} (acked ${at(l.acked)})`)}`);
  if (result.inconsistentOffsets.length > 0)
    lines.push(
      `  inconsistent: ${sample(result.inconsistentOffsets, (i) => `${i.partition}@${i.offset}=[${i.values.join(',')}]`)}`,
    );
  if (result.ackedOffsetMismatches.length > 0)
    lines.push(
      `  mismatched: ${sample(result.ackedOffsetMismatches, (m) => `${m.value} acked ${at(m.acked)} found ${m.found.map(at).join('/')}`)}`,
    );
  if (result.vanished.length > 0)
    lines.push(
      `  vanished: ${sample(result.vanished, (v) => `${v.value} read ${at(v.readAt)}${v.acked ? ' (acked)' : ''}`)}`,
    );
  if (result.duplicates.length > 0)
    lines.push(`  duplicates: ${sample(result.duplicates, (d) => `${d.value} at ${d.positions.map(at).join('/')}`)}`);
  if (result.unexpected.length > 0)
    lines.push(`  unexpected: ${sample(result.unexpected, (u) => `${u.value} at ${at(u.at)}`)}`);
  if (result.idempotent && result.reordered.length > 0)
    lines.push(
      `  reordered: ${sample(result.reordered, (r) => `${r.producer}: ${r.first.value} at ${at(r.first)} sent before ${r.second.value} at ${at(r.second)}`)}`,
    );
  return lines.join('\n');
}
