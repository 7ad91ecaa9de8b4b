/**
 * A real `runnel gateway` process for black-box tests: spawned with Node on
 * a free registry port, its JSON log lines collected; resolves once it
 * listens (not once it is ready: readiness is what tests check).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { LogLine } from './dev-process.ts';
import { waitFor } from './wait.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const cliMain = join(repoRoot, 'packages', 'cli', 'src', 'main.ts');

export class GatewayProcess {
  readonly #child: ChildProcess;
  readonly #exit: Promise<number | null>;
  readonly #logs: LogLine[] = [];
  #output = '';
  registryPort = 0;
  restPort = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exit = new Promise((done) => {
      child.once('exit', (code) => done(code));
      child.once('error', (error) => {
        this.#output += `runnel gateway: ${error.message}\n`;
        done(null);
      });
    });
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.#output += text;
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
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
    });
  }

  static async start(bootstrap: string, args: readonly string[] = []): Promise<GatewayProcess> {
    const child = spawn(
      process.execPath,
      [cliMain, 'gateway', '--bootstrap', bootstrap, '--registry-port', '0', '--rest-port', '0', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, RUNNEL_LOG_LEVEL: 'info', RUNNEL_LOG_FORMAT: 'json' },
      },
    );
    const gateway = new GatewayProcess(child);
    let exited = false;
    void gateway.#exit.then(() => {
      exited = true;
    });
    const listening = await waitFor(
      () => {
        if (exited) throw new Error(`runnel gateway exited before listening:\n${gateway.#output}`);
        return gateway.#logs.find((l) => l.msg === 'gateway listening');
      },
      { timeoutMs: 30_000, what: 'runnel gateway to listen' },
    );
    gateway.registryPort = Number(listening.registryPort);
    gateway.restPort = Number(listening.restPort);
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${this.registryPort}`;
  }

  /** The REST Proxy's URL (v2, v3, /ui, /openapi.json). */
  get restUrl(): string {
    return `http://127.0.0.1:${this.restPort}`;
  }

  get logs(): readonly LogLine[] {
    return this.#logs;
  }

  get output(): string {
    return this.#output;
  }

  /** Sends `signal` without waiting (SIGSTOP / SIGCONT pause and resume the process). */
  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Sends `signal` and waits for the process to exit; its exit code. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    return this.#exit;
  }
}
