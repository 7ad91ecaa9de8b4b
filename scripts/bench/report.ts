/**
 * The results table `npm run bench` prints. MB is 10^6 bytes, MiB 2^20;
 * bytes are record batch bytes (batch headers included, request and
 * response framing not), the unit the broker's own byte metrics count.
 * CPU columns are percent of one core (the machine has availableParallelism
 * cores): "server" is the broker or null sink process, all threads.
 */
export interface ResultRow {
  scenario: string;
  batch: string;
  bytes: number;
  records: number | null;
  requests: number | null;
  elapsedMs: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Percent of one core used by the broker or null sink, and by the load generator, during the run. */
  peerCpuPercent: number | null;
  generatorCpuPercent: number | null;
}

const columns = [
  'scenario',
  'batch',
  'MB/s',
  'MiB/s',
  'records/s',
  'requests/s',
  'p50 ms',
  'p99 ms',
  'server CPU',
  'gen CPU',
] as const;

function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

function cells(row: ResultRow): string[] {
  const rate = perSecond(row.bytes, row.elapsedMs);
  const maybe = (n: number | null, digits: number): string => (n === null ? '' : n.toFixed(digits));
  return [
    row.scenario,
    row.batch,
    (rate / 1e6).toFixed(1),
    (rate / 2 ** 20).toFixed(1),
    row.records === null ? '' : Math.round(perSecond(row.records, row.elapsedMs)).toLocaleString('en-US'),
    row.requests === null ? '' : Math.round(perSecond(row.requests, row.elapsedMs)).toLocaleString('en-US'),
    maybe(row.latencyP50Ms, 2),
    maybe(row.latencyP99Ms, 2),
    row.peerCpuPercent === null ? '' : `${row.peerCpuPercent.toFixed(0)}%`,
    row.generatorCpuPercent === null ? '' : `${row.generatorCpuPercent.toFixed(0)}%`,
  ];
}

/** A Markdown table, so the output pastes into BENCHMARKS.md as is. */
export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    `| ${values.map((v, i) => (i < 2 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : `${'-'.repeat(Math.max(1, w - 1))}:`)).join(' | ')} |`;
  return [line(columns), rule, ...body.map(line)].join('\n');
}

export function mbPerSecond(row: ResultRow): number {
  return perSecond(row.bytes, row.elapsedMs) / 1e6;
}
