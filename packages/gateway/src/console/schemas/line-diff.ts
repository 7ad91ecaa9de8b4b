/**
 * A line diff between two schema texts, for the console's schemas page:
 * the longest common subsequence of lines, after the common head and tail
 * are set aside. Its table is bounded (`cellsMax`); two texts whose
 * differing middles are larger than that are shown as the whole middle
 * removed and added (`exact: false`) rather than spending unbounded memory.
 * Schemas are JSON for Avro and JSON Schema, usually on one line, so
 * `diffableSchema` pretty-prints them first: a one-line diff says nothing.
 */

import type { DiffLine } from '../message-schema-api-types.ts';

export type { DiffLine } from '../message-schema-api-types.ts';

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** False when the texts were too far apart to align within the bound: the middle is shown replaced whole. */
  exact: boolean;
}

export const diffCellsMax = 4_000_000;

export function lineDiff(fromText: string, toText: string, cellsMax: number = diffCellsMax): LineDiff {
  const a = splitLines(fromText);
  const b = splitLines(toText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const exact = (midA.length + 1) * (midB.length + 1) <= cellsMax;
  const middle = exact ? lcsOps(midA, midB) : [...midA.map(() => 'remove' as const), ...midB.map(() => 'add' as const)];

  const lines: DiffLine[] = [];
  let fromLine = 1;
  let toLine = 1;
  const same = (text: string) => lines.push({ op: 'same', text, fromLine: fromLine++, toLine: toLine++ });
  for (const text of a.slice(0, head)) same(text);
  let i = 0;
  let j = 0;
  for (const op of middle) {
    if (op === 'same') {
      same(midA[i++] ?? '');
      j++;
    } else if (op === 'remove') {
      lines.push({ op, text: midA[i++] ?? '', fromLine: fromLine++, toLine: null });
    } else {
      lines.push({ op, text: midB[j++] ?? '', fromLine: null, toLine: toLine++ });
    }
  }
  for (const text of a.slice(a.length - tail)) same(text);
  return {
    lines,
    added: lines.filter((l) => l.op === 'add').length,
    removed: lines.filter((l) => l.op === 'remove').length,
    exact,
  };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  // A final line break ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script turning `a` into `b` through their longest common subsequence; removals before additions. */
function lcsOps(a: readonly string[], b: readonly string[]): Array<'same' | 'add' | 'remove'> {
  const width = b.length + 1;
  // suffix[i * width + j]: the LCS length of a[i..] and b[j..], at most min(|a|, |b|).
  const cells = (a.length + 1) * width;
  const suffix = Math.min(a.length, b.length) < 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      suffix[i * width + j] =
        a[i] === b[j]
          ? (suffix[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(suffix[(i + 1) * width + j] ?? 0, suffix[i * width + j + 1] ?? 0);
    }
  }
  const ops: Array<'same' | 'add' | 'remove'> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push('same');
      i++;
      j++;
    } else if ((suffix[(i + 1) * width + j] ?? 0) >= (suffix[i * width + j + 1] ?? 0)) {
      ops.push('remove');
      i++;
    } else {
      ops.push('add');
      j++;
    }
  }
  while (i++ < a.length) ops.push('remove');
  while (j++ < b.length) ops.push('add');
  return ops;
}

/** A schema's text as the diff shows it: Avro and JSON Schema pretty-printed (two spaces), Protobuf as written. */
export function diffableSchema(schemaType: string, schema: string): string {
  if (schemaType === 'PROTOBUF') return schema;
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}
