/**
 * Write cycles for the transactional checker: the write-order graph has an
 * edge T → U when, on some partition of the final read, a record of T
 * comes right before a record of U (consecutive records suffice: order
 * along a partition is transitive). A strongly connected set of two or more
 * transactions is a cycle: each wrote before another on some partition.
 * Pure; Tarjan's algorithm, iterative so a long run cannot overflow the stack.
 */
import type { TxnRead } from './txn-history.ts';

function graph(finalRead: readonly TxnRead[], txnOf: (id: number) => string | undefined): Map<string, Set<string>> {
  const byPartition = new Map<string, TxnRead[]>();
  for (const r of finalRead) {
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  const edges = new Map<string, Set<string>>();
  for (const list of byPartition.values()) {
    list.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    let previous: string | undefined;
    for (const r of list) {
      const txn = txnOf(r.id);
      if (txn === undefined) continue;
      if (!edges.has(txn)) edges.set(txn, new Set());
      if (previous !== undefined && previous !== txn) edges.get(previous)?.add(txn);
      previous = txn;
    }
  }
  return edges;
}

/** Every strongly connected set of two or more transactions, each sorted, in a stable order. */
export function writeCycles(finalRead: readonly TxnRead[], txnOf: (id: number) => string | undefined): string[][] {
  const edges = graph(finalRead, txnOf);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    // Each frame: a node and the iterator over its successors still to visit.
    const frames: { node: string; successors: Iterator<string> }[] = [];
    const open = (node: string): void => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, successors: (edges.get(node) ?? new Set<string>()).values() });
    };
    open(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame === undefined) break;
      const step = frame.successors.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(w) ?? 0));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (;;) {
          const w = stack.pop();
          if (w === undefined) break;
          onStack.delete(w);
          component.push(w);
          if (w === frame.node) break;
        }
        if (component.length > 1) out.push(component.sort());
      }
    }
  }
  return out.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
