/**
 * One real `runnel controller` or `runnel broker` process of a test
 * cluster: spawned with Node, its JSON log lines collected across restarts
 * (each line tagged with the run it came from), killable with any signal.
 *
 * Owned by TestCluster (cluster.ts). A process that exits on its own is not
 * restarted; `exitCode` says how it ended and `output` keeps what it wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { waitFor } from './wait.ts';

const cliMain = join(resolve(import.meta.dirname, '..', '..'), 'packages', 'cli', 'src', 'main.ts');

export type Role = 'controller' | 'broker';

export interface ClusterLogLine {
  level: number;
  msg: string;
  /** 1 for the first start, 2 after the first restart, ... */
  run: number;
  [key: string]: unknown;
}

export class ClusterProcess {
  readonly role: Role;
  readonly id: number;
  readonly dataDir: string;
  readonly #args: readonly string[];
  readonly #wrapper: readonly string[];
  readonly #logs: ClusterLogLine[] = [];
  #child: ChildProcess | null = null;
  #exit: Promise<number | null> = Promise.resolve(null);
  #exitCode: number | null = null;
  #running = false;
  #run = 0;
  #output = '';

  /** `wrapper`: a command prefix that execs Node (e.g. `ip netns exec <ns>`), so `pid` is still Node's. */
  constructor(role: Role, id: number, dataDir: string, args: readonly string[], wrapper: readonly string[] = []) {
    this.role = role;
    this.id = id;
    this.dataDir = dataDir;
    this.#args = args;
    this.#wrapper = wrapper;
  }

  get name(): string {
    return `${this.role} ${this.id}`;
  }

  /** Every log line of every run, oldest first. */
  get logs(): readonly ClusterLogLine[] {
    return this.#logs;
  }

  /** Everything the process wrote (stdout and stderr), all runs. */
  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#running;
  }

  get run(): number {
    return this.#run;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /**
   * Spawns the process (again, same arguments and data dir) and waits for
   * its `started` log line. `extraArgs` go after the usual ones for this run
   * only; a flag given twice takes the later value.
   */
  async start(startedMsg: string, extraArgs: readonly string[] = [], timeoutMs = 30_000): Promise<ClusterLogLine> {
    if (this.#running) throw new Error(`${this.name} is already running`);
    this.#run++;
    const run = this.#run;
    const [command, ...prefix] = [...this.#wrapper, process.execPath];
    if (command === undefined) throw new Error('no command');
    const child = spawn(command, [...prefix, cliMain, this.role, ...this.#args, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUNNEL_LOG_LEVEL: 'info', RUNNEL_LOG_FORMAT: 'json' },
    });
    this.#child = child;
    this.#running = true;
    this.#exit = new Promise((resolveExit) => {
      const ended = (code: number | null): void => {
        this.#running = false;
        this.#exitCode = code;
        resolveExit(code);
      };
      child.once('exit', ended);
      // A spawn that fails (e.g. a missing wrapper command) emits 'error', maybe with no 'exit': start() reports it.
      child.once('error', (error) => {
        this.#output += `${this.name}: ${error.message}\n`;
        ended(null);
      });
    });
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#output += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#collect(line, run);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
    });
    return waitFor(
      () => {
        if (!this.#running)
          throw new Error(`${this.name} exited (${this.#exitCode}) before starting:\n${this.#output}`);
        return this.#logs.find((l) => l.run === run && l.msg === startedMsg);
      },
      { timeoutMs, what: `${this.name} to log "${startedMsg}"` },
    );
  }

  /**
   * Runs the process once more (it must be stopped) until it exits by itself,
   * e.g. to watch it refuse to start; resolves with its exit code and what
   * this run wrote.
   */
  async runToExit(extraArgs: readonly string[] = []): Promise<{ code: number | null; output: string }> {
    if (this.#running) throw new Error(`${this.name} is already running`);
    const before = this.#output.length;
    this.start('never logged', extraArgs, 60_000).catch(() => undefined);
    const code = await this.#exit;
    return { code, output: this.#output.slice(before) };
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code (null when killed by a signal). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.#child;
    if (child === null || !this.#running) return this.#exitCode;
    child.kill(signal);
    return this.#exit;
  }

  /** Waits for a log line of the current run (or any run with `anyRun`) matching `predicate`. */
  waitForLog(
    predicate: (line: ClusterLogLine) => boolean,
    options: { what: string; timeoutMs?: number; anyRun?: boolean },
  ): Promise<ClusterLogLine> {
    const run = this.#run;
    return waitFor(() => this.#logs.find((l) => (options.anyRun === true || l.run === run) && predicate(l)), {
      timeoutMs: options.timeoutMs ?? 20_000,
      what: `${this.name}: ${options.what}`,
    });
  }

  #collect(line: string, run: number): void {
    if (!line.startsWith('{')) return;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && 'msg' in parsed) {
        this.#logs.push({ ...(parsed as { level: number; msg: string }), run });
      }
    } catch {
      // Not a log line.
    }
  }
}
