/**
 * A real `runnel dev` process for black-box tests: spawned with Node on
 * free ports and its own data directory, its JSON log lines collected, and
 * killable with any signal (SIGKILL for crash tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './wait.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const cliMain = join(repoRoot, 'packages', 'cli', 'src', 'main.ts');

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class DevProcess {
  readonly dataDir: string;
  readonly #extraArgs: readonly string[];
  /** A command the process runs under (e.g. prlimit --nofile=N:N --), before Node. */
  readonly #wrap: readonly string[];
  #child: ChildProcess | null = null;
  #exit: Promise<number | null> = Promise.resolve(null);
  #logs: LogLine[] = [];
  #rawOutput = '';
  port = 0;
  httpPort = 0;
  /** The in-process gateway's Schema Registry port; null with --no-gateway. */
  registryPort: number | null = null;
  /** The gateway's REST port (null with --no-gateway). */
  restPort: number | null = null;

  private constructor(dataDir: string, extraArgs: readonly string[], wrap: readonly string[]) {
    this.dataDir = dataDir;
    this.#extraArgs = extraArgs;
    this.#wrap = wrap;
  }

  /** `wrap`: a command to run Node under, e.g. `['prlimit', '--nofile=512:512', '--']` for a low descriptor limit. */
  static async start(
    options: { dataDir?: string; args?: readonly string[]; wrap?: readonly string[] } = {},
  ): Promise<DevProcess> {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'runnel-test-')));
    const dev = new DevProcess(dataDir, options.args ?? [], options.wrap ?? []);
    await dev.restart();
    return dev;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get logs(): readonly LogLine[] {
    return this.#logs;
  }

  get output(): string {
    return this.#rawOutput;
  }

  /** The running process's pid (null before start or after exit). */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Starts the process (again) on the same data directory; resolves once the broker serves. */
  async restart(): Promise<void> {
    this.#logs = [];
    const [command, ...wrapArgs] = [...this.#wrap, process.execPath];
    const child = spawn(
      command ?? process.execPath,
      [
        ...wrapArgs,
        cliMain,
        'dev',
        ...['--data-dir', this.dataDir, '--port', '0', '--http-port', '0', '--registry-port', '0', '--rest-port', '0'],
        ...this.#extraArgs,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, RUNNEL_LOG_LEVEL: 'info', RUNNEL_LOG_FORMAT: 'json' },
      },
    );
    this.#child = child;
    this.#exit = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      // A spawn that fails emits 'error', maybe with no 'exit': restart() reports it with the output.
      child.once('error', (error) => {
        this.#rawOutput += `runnel dev: ${error.message}\n`;
        resolve(null);
      });
    });
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.#rawOutput += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          this.#logs.push(JSON.parse(line) as LogLine);
        } catch {
          // Not a log line.
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#rawOutput += chunk.toString('utf8');
    });
    let exited = false;
    void this.#exit.then(() => {
      exited = true;
    });
    const started = await waitFor(
      () => {
        if (exited) throw new Error(`runnel dev exited before serving:\n${this.#rawOutput}`);
        return this.#logs.find((l) => l.msg === 'broker started');
      },
      { timeoutMs: 30_000, what: 'runnel dev to start' },
    );
    this.port = Number(started.port);
    this.httpPort = Number(started.httpPort);
    // The gateway starts after the broker, in the same process; its line follows the broker's.
    if (this.#extraArgs.includes('--no-gateway')) {
      this.registryPort = null;
      this.restPort = null;
    } else {
      const listening = await this.waitForLog((l) => l.msg === 'gateway listening', 'gateway listening');
      this.registryPort = Number(listening.registryPort);
      this.restPort = Number(listening.restPort);
    }
  }

  /** Waits for a log line matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine> {
    return waitFor(() => this.#logs.find(predicate), { what: `log line: ${what}` });
  }

  /** Sends `signal` without waiting (SIGSTOP/SIGCONT: a broker that hangs with its sockets open, then resumes). */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** Sends `signal` and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.#child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    return this.#exit;
  }
}
