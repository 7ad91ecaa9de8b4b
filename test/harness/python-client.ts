/**
 * Runs a confluent-kafka-python script (test/harness/python/) as a child
 * process: librdkafka through the Python client users run, Debian's
 * python3-confluent-kafka. Lines the script prints are collected as they
 * arrive, so a test can wait on progress while the script still runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Debian's interpreter: Node's PATH changes may shadow `python3`. */
const python = '/usr/bin/python3.11';
const scripts = join(import.meta.dirname, 'python');

export class PythonClient {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  constructor(script: string, args: readonly string[]) {
    this.#child = spawn(python, [join(scripts, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    // A script that exits without reading its input must not fail the run with EPIPE.
    this.#child.stdin?.on('error', () => {});
    let partial = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve, reject) => {
      this.#child.on('error', reject);
      this.#child.on('close', (code) => resolve(code));
    });
  }

  /** The words after `prefix ` of every line that starts with it. */
  linesStartingWith(prefix: string): string[] {
    return this.lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));
  }

  /** One line to the script's standard input (scripts that wait for a go-ahead read it). */
  writeLine(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }

  /** The parsed JSON lines the script printed so far. */
  events(): { event: string; [field: string]: unknown }[] {
    return this.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string });
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
