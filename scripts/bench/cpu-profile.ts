/**
 * Summary of a V8 .cpuprofile (what `node --cpu-prof` writes): self time per
 * function and per source file, from the sample stream. Self time is what
 * shows per-record work: a function that runs once per record climbs this
 * list as records get smaller, whatever calls it.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');
/** V8's pseudo-frames for time not spent in JavaScript. */
const idleFrame = '(idle)';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

export interface SelfTime {
  name: string;
  /** Sampled time in this function itself, not its callees. */
  selfMs: number;
  /** Of all non-idle samples. */
  percentBusy: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock process.hrtime.bigint() reads (in ns) on Linux. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of the monotonic clock, in microseconds: one measurement. */
export interface TimeWindow {
  startUs: number;
  endUs: number;
}

/** Now on the clock V8 stamps profiles with. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function isProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v.nodes) && Array.isArray(v.samples) && Array.isArray(v.timeDeltas) && typeof v.startTime === 'number'
  );
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith('/') ? relative(repoRoot, path) : path;
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, selfMs]) => ({ name, selfMs, percentBusy: busyMs > 0 ? (100 * selfMs) / busyMs : 0 }));
}

/**
 * Only samples inside `windows` count, so start-up (log recovery included)
 * and the pauses between measurements stay out of the summary.
 */
export function summariseCpuProfile(path: string, top: number, windows: readonly TimeWindow[]): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path} is not a V8 CPU profile`);
  const byId = new Map<number, ProfileNode>(parsed.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  const inWindow = (us: number): boolean => windows.some((w) => us >= w.startUs && us <= w.endUs);
  let at = parsed.startTime;
  // timeDeltas[i] is the time from sample i-1 to sample i; charge it to sample i's frame.
  parsed.samples.forEach((id, i) => {
    const deltaUs = parsed.timeDeltas[i] ?? 0;
    at += deltaUs;
    const ms = deltaUs / 1000;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined || !inWindow(at)) return;
    totalMs += ms;
    if (frame.functionName === idleFrame) {
      idleMs += ms;
      return;
    }
    const file = shortUrl(frame.url);
    const where = file === '' ? '' : ` ${file}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const fileKey = file === '' ? frame.functionName : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + ms);
  });
  const busyMs = totalMs - idleMs;
  return { totalMs, idleMs, busyMs, functions: ranked(byFunction, busyMs, top), files: ranked(byFile, busyMs, 10) };
}

export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const lines = [
    `${title}: ${(summary.totalMs / 1000).toFixed(1)} s sampled inside measurements, ${(summary.busyMs / 1000).toFixed(1)} s busy ` +
      `(${summary.totalMs > 0 ? ((100 * summary.busyMs) / summary.totalMs).toFixed(0) : '0'}%); percentages are of busy time`,
    '  self%   self ms  function',
  ];
  for (const f of summary.functions) {
    lines.push(`  ${f.percentBusy.toFixed(1).padStart(5)}  ${f.selfMs.toFixed(0).padStart(8)}  ${f.name}`);
  }
  lines.push('  -- by file --');
  for (const f of summary.files) {
    lines.push(`  ${f.percentBusy.toFixed(1).padStart(5)}  ${f.selfMs.toFixed(0).padStart(8)}  ${f.name}`);
  }
  return lines.join('\n');
}
