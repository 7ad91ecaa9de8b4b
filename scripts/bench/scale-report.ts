/**
 * The printed result of `npm run bench -- --scale`: one Markdown table, a
 * row per measurement, with the mock's number and the ratio where the mock
 * has a comparable one, the target where there is one, and the
 * 1-minute load average when the row was measured (the machine is shared).
 * Pure formatting of what scale.ts measured.
 */
import { loadavg } from 'node:os';

export interface ScaleRow {
  section: string;
  measurement: string;
  runnel: string;
  mock: string;
  ratio: string;
  target: string;
  load: string;
}

export const fixed = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);

export const mbps = (x: number | undefined): string => `${fixed(x)} MB/s`;
export const mib = (x: number | null): string => `${fixed(x, 0)} MiB`;

/** The 1-minute load average now. */
export function loadNow(): string {
  return fixed(loadavg()[0], 2);
}

export function loadAverages(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

/** A row measured now; empty cells read as a dash. */
export function scaleRow(section: string, measurement: string, cells: Partial<ScaleRow>): ScaleRow {
  return {
    section,
    measurement,
    runnel: cells.runnel ?? '—',
    mock: cells.mock ?? '—',
    ratio: cells.ratio ?? '—',
    target: cells.target ?? '',
    load: cells.load ?? loadNow(),
  };
}

export function formatScaleReport(header: readonly string[], rows: readonly ScaleRow[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const out = [
    ...header,
    '',
    line([
      'section',
      'measurement',
      'Runnel',
      "librdkafka's mock cluster, same run",
      'ratio',
      'target',
      'load (1 min)',
    ]),
    line(['---', '---', '---', '---', '---', '---', '---']),
    ...rows.map((r) => line([r.section, r.measurement, r.runnel, r.mock, r.ratio, r.target, r.load])),
    '',
  ];
  return out.join('\n');
}
