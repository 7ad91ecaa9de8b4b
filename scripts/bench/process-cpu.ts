/**
 * CPU time of the processes in a measurement, so the table can show who is
 * saturated: the broker (or null sink) from /proc/<pid>/stat, all threads
 * included (the libuv pool does the file I/O), and the load generator from
 * process.cpuUsage(). Linux only; elsewhere the broker's share reads null.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** user + system CPU ms in a /proc stat file (a process's or one thread's), or null when it cannot say. */
function statCpuMs(path: string): number | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / clockTicks() : null;
  } catch {
    return null;
  }
}

/** user + system CPU ms of `pid`, or null when /proc cannot say. */
function processCpuMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * A Node process's CPU ms by thread kind: the JavaScript thread, V8's
 * helper threads (concurrent marking and sweeping: garbage collection, as
 * good as all of their work), the libuv pool (file I/O), and the rest.
 */
export interface ThreadCpuMs {
  main: number;
  gcHelpers: number;
  libuvPool: number;
  other: number;
}

/** `pid`'s CPU ms split by thread name (Linux /proc); null elsewhere. Threads that ended are not counted. */
export function threadCpuMs(pid: number): ThreadCpuMs | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const split: ThreadCpuMs = { main: 0, gcHelpers: 0, libuvPool: 0, other: 0 };
  for (const task of tasks) {
    const cpuMs = statCpuMs(`/proc/${pid}/task/${task}/stat`) ?? 0;
    let name = '';
    try {
      name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
    } catch {
      // The thread ended between the listing and the read: its time is lost either way.
    }
    if (task === String(pid)) split.main += cpuMs;
    else if (name.startsWith('V8Worker')) split.gcHelpers += cpuMs;
    else if (name.startsWith('libuv-worker')) split.libuvPool += cpuMs;
    else split.other += cpuMs;
  }
  return split;
}

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface CpuShare {
  /** Percent of one core over the measurement. */
  peerPercent: number | null;
  generatorPercent: number;
}

/** Runs `work` and reports how busy `peerPid` and this process were meanwhile. */
export async function withCpuShare<T>(
  peerPid: number | undefined,
  work: () => Promise<T>,
): Promise<{ value: T; cpu: CpuShare }> {
  const peerBefore = peerPid === undefined ? null : processCpuMs(peerPid);
  const selfBefore = selfCpuMs();
  const start = performance.now();
  const value = await work();
  const wallMs = performance.now() - start;
  const peerAfter = peerPid === undefined ? null : processCpuMs(peerPid);
  const percent = (ms: number): number => (wallMs > 0 ? (100 * ms) / wallMs : 0);
  return {
    value,
    cpu: {
      peerPercent: peerBefore === null || peerAfter === null ? null : percent(peerAfter - peerBefore),
      generatorPercent: percent(selfCpuMs() - selfBefore),
    },
  };
}
