/**
 * Resident memory of a process under test, from /proc/<pid>/status (VmRSS:
 * what the kernel counts as resident, heap, code and mapped files alike).
 * Linux only; null elsewhere or once the process has gone.
 */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in MiB, or null when /proc cannot say. */
export function rssMib(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}
