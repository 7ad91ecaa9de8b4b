/**
 * The read-process-write copier's exactly-once checks, part of the
 * transactional checker (txn-checker.ts). A copier transaction writes one
 * output record per input record it consumed (`source` = the input write id)
 * and commits the input offsets in the same transaction, so after healing,
 * with the group's committed offset C of an input partition:
 * every input record below C has exactly one copy in the final read, and no
 * copy in the final read comes from an input record at or beyond C.
 */
import type { TxnHistory } from './txn-history.ts';

export interface CopierResult {
  /** Input records below the committed offset with no copy in the final read. */
  lostCopies: { source: number; at: { partition: string; offset: bigint } }[];
  /** Input records with more than one copy in the final read (the output ids of every copy). */
  duplicatedCopies: { source: number; copies: number[] }[];
  /** Copies in the final read of input records the group never committed past: output and offsets not atomic. */
  uncommittedCopies: { source: number; copy: number; committed: bigint | null }[];
}

export function copierAnomalies(
  history: TxnHistory,
  firstFinal: ReadonlyMap<number, { partition: string; offset: bigint }>,
): CopierResult {
  const committed = new Map(history.committedOffsets.map((c) => [c.partition, c.offset]));
  const copies = new Map<number, number[]>();
  for (const r of history.finalRead) {
    if (r.source === undefined) continue;
    const list = copies.get(r.source) ?? [];
    if (!list.includes(r.id)) list.push(r.id);
    copies.set(r.source, list);
  }
  const lostCopies: CopierResult['lostCopies'] = [];
  for (const r of history.finalRead) {
    const c = committed.get(r.partition);
    if (c !== undefined && r.offset < c && !copies.has(r.id)) {
      lostCopies.push({ source: r.id, at: { partition: r.partition, offset: r.offset } });
    }
  }
  const duplicatedCopies: CopierResult['duplicatedCopies'] = [];
  const uncommittedCopies: CopierResult['uncommittedCopies'] = [];
  for (const [source, ids] of copies) {
    if (ids.length > 1) duplicatedCopies.push({ source, copies: ids });
    const at = firstFinal.get(source);
    const c = at === undefined ? undefined : committed.get(at.partition);
    if (at === undefined || c === undefined || at.offset >= c) {
      for (const copy of ids) uncommittedCopies.push({ source, copy, committed: c ?? null });
    }
  }
  return { lostCopies, duplicatedCopies, uncommittedCopies };
}
