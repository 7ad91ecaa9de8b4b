/**
 * CPU time of the processes in a measurement, so the table can show who is
 * saturated: the broker (or null sink) from /proc/<pid>/stat, all threads
 * included (the libuv pool does the file I/O), and the load generator from
 * process.cpuUsage(). Linux only; elsewhere the broker's share reads null.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** user + system CPU ms of `pid`, or null when /proc cannot say. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / clockTicks() : null;
  } catch {
    return null;
  }
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
