/**
 * The bench's child processes (the broker, the null sink, the loopback
 * writer): started with this Node binary, ready once a stdout line says so,
 * stopped with SIGTERM and waited for. Their output goes to a log file, and
 * its tail is in the error when a child dies before it is ready.
 *
 * Owned by bench.ts, which stops every child it started; a child that does
 * not exit within `stopGraceMs` of SIGTERM is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const stopGraceMs = 30_000;
const tailLines = 20;

export class NodeChild<T> {
  readonly ready: T;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;

  private constructor(child: ChildProcess, exited: Promise<number | null>, ready: T) {
    this.#child = child;
    this.#exited = exited;
    this.ready = ready;
  }

  /**
   * Runs `node <args>` and waits until `isReady` returns a value for a stdout
   * line. Rejects when the child exits first or `timeoutMs` passes.
   */
  static async start<T>(
    args: readonly string[],
    options: { logPath: string; timeoutMs: number; isReady: (line: string) => T | undefined },
  ): Promise<NodeChild<T>> {
    // Opened first: a log that cannot be opened rejects here, before any child runs that nobody would stop.
    const log = await openLog(options.logPath);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const remember = (line: string): void => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
    };
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        log.end();
        resolve(code);
      });
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settle(new Error(`node ${args.join(' ')} not ready after ${options.timeoutMs} ms`));
        child.kill('SIGKILL');
      }, options.timeoutMs);
      const settle = (outcome: Error | NodeChild<T>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', remember);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        remember(line);
        if (settled) return;
        const value = options.isReady(line);
        if (value !== undefined) settle(new NodeChild(child, exited, value));
      });
      exited.then((code) => {
        settle(new Error(`node ${args.join(' ')} exited (${code}) before it was ready:\n${tail.join('\n')}`));
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The exit code, once the child has gone. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), stopGraceMs);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reads `{"port":N}`-style JSON lines; undefined for any other line. */
export function jsonField(line: string, field: string): unknown {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && field in parsed) {
      return (parsed as Record<string, unknown>)[field];
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The child's log file, open for appending; rejects when it cannot be opened. */
function openLog(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'a' });
    stream.once('error', reject);
    stream.once('open', () => {
      stream.off('error', reject);
      // A later write failure (a full disk) loses log lines, not the bench.
      stream.on('error', (error) => process.stderr.write(`bench: ${path}: ${error.message}\n`));
      resolve(stream);
    });
  });
}
