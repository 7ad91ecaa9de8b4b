/**
 * No circle of relative imports among the files of one package's `src/`:
 * inside a package, as between packages, dependencies point one way, so any
 * file can be read and tested with only what is below it.
 *
 * `import type` counts. A type-only import is erased at run time, so it can
 * never cause an initialisation-order bug, but that is not what the rule is
 * for: a circle of types still means neither file can be understood, changed
 * or moved without the other, which is the coupling layering exists to rule
 * out (Kafka's checked import rules and Redpanda's one-way includes make no
 * exception for declarations either). The circle issue 10 names — groups ↔
 * handlers in the broker — was closed by a type-only import.
 */
import { join, relative, resolve } from 'node:path';
import { importSpecifiers, readPackages, sourceFiles } from './workspace.ts';

/** Enough to see what to break; a package with more circles than this has a folder-level problem. */
const cyclesReportedMax = 50;

/** One violation per elementary circle, as the chain of files from the alphabetically first back to it. */
export function checkFileCycles(rootDir: string): string[] {
  const violations: string[] = [];
  for (const pkg of readPackages(rootDir)) {
    const srcDir = join(pkg.dir, 'src');
    const files = sourceFiles(srcDir);
    const index = new Map(files.map((file, i) => [file, i]));
    const adjacency = files.map((file) => {
      const targets = new Set<number>();
      for (const specifier of importSpecifiers(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolveRelative(file, specifier, index);
        if (target !== undefined) targets.add(target);
      }
      return [...targets].sort((a, b) => a - b);
    });
    const where = relative(rootDir, srcDir);
    const cycles = elementaryCycles(adjacency, cyclesReportedMax);
    for (const cycle of cycles) {
      const chain = cycle.map((i) => relative(srcDir, files[i] ?? ''));
      violations.push(`${where}: import circle ${chain.join(' -> ')}`);
    }
    if (cycles.length === cyclesReportedMax) violations.push(`${where}: more import circles not listed`);
  }
  return violations;
}

/** The file a relative specifier names, if it is one of `files` (a `.js` specifier may name its `.ts`). */
function resolveRelative(from: string, specifier: string, files: ReadonlyMap<string, number>): number | undefined {
  const base = resolve(from, '..', specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  for (const candidate of candidates) {
    const i = files.get(candidate);
    if (i !== undefined) return i;
  }
  return undefined;
}

/**
 * Every elementary circle of a directed graph (Johnson's algorithm), each as
 * its nodes from the smallest, ending with that node again; at most
 * `cyclesMax`. Nodes are indexes into `adjacency`.
 */
export function elementaryCycles(adjacency: readonly (readonly number[])[], cyclesMax: number): number[][] {
  const reverse: number[][] = adjacency.map(() => []);
  adjacency.forEach((targets, from) => {
    for (const to of targets) reverse[to]?.push(from);
  });
  const cycles: number[][] = [];
  for (let start = 0; start < adjacency.length && cycles.length < cyclesMax; start++) {
    // Circles whose smallest node is `start` lie in start's strongly connected
    // component of the graph without the smaller nodes.
    const component = intersect(reach(start, adjacency, start), reach(start, reverse, start));
    const successors = (v: number): number[] => (adjacency[v] ?? []).filter((w) => component.has(w));
    if (successors(start).length === 0) continue;
    const blocked = new Set<number>();
    const blockedBy = new Map<number, Set<number>>();
    const path: number[] = [];
    const unblock = (v: number): void => {
      blocked.delete(v);
      const waiting = blockedBy.get(v);
      blockedBy.delete(v);
      for (const w of waiting ?? []) if (blocked.has(w)) unblock(w);
    };
    const circuit = (v: number): boolean => {
      let closed = false;
      path.push(v);
      blocked.add(v);
      for (const w of successors(v)) {
        if (cycles.length >= cyclesMax) break;
        if (w === start) {
          cycles.push([...path, start]);
          closed = true;
        } else if (!blocked.has(w) && circuit(w)) {
          closed = true;
        }
      }
      if (closed) unblock(v);
      else for (const w of successors(v)) blockedBy.set(w, (blockedBy.get(w) ?? new Set()).add(v));
      path.pop();
      return closed;
    };
    circuit(start);
  }
  return cycles;
}

/** The nodes reachable from `from` through nodes no smaller than `min`. */
function reach(from: number, adjacency: readonly (readonly number[])[], min: number): Set<number> {
  const seen = new Set([from]);
  const todo = [from];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    for (const w of adjacency[v] ?? []) {
      if (w >= min && !seen.has(w)) {
        seen.add(w);
        todo.push(w);
      }
    }
  }
  return seen;
}

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  return new Set([...a].filter((v) => b.has(v)));
}
