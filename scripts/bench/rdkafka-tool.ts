/**
 * The benchmarks' librdkafka tool (rdkafka-tool.c): built with gcc against
 * the system's librdkafka-dev into a work directory, and its mock-cluster
 * mode started as its own process — librdkafka's in-memory broker, the
 * peer a benchmark compares Runnel with in the same run; its load-generator
 * modes run one process each and answer with one JSON line.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

export function execTool(command: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) =>
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error === null ? done(stdout) : fail(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`)),
    ),
  );
}

/** Compiles rdkafka-tool.c and rdkafka-load.c into `dir`; resolves with the binary's path. */
export async function buildRdkafkaTool(dir: string): Promise<string> {
  const binary = join(dir, 'rdkafka-tool');
  const sources = ['rdkafka-tool.c', 'rdkafka-load.c'].map((file) => join(import.meta.dirname, file));
  await execTool('gcc', ['-O2', '-Wall', '-o', binary, ...sources, '-lrdkafka', '-lpthread']);
  return binary;
}

export interface MockCluster {
  readonly bootstrap: string;
  /** The mock's process, for its CPU time. */
  readonly pid: number | undefined;
  stop(): void;
}

/** librdkafka's mock cluster with `topic` created, in its own process, until `stop()`. */
export function startMockCluster(binary: string, topic: string, partitions: number, brokers = 1): Promise<MockCluster> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['mock', String(brokers), topic, String(partitions)], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let started = false;
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!started) reject(new Error(`mock cluster exited ${code}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^bootstrap (\S+)$/m.exec(out);
      if (match?.[1] === undefined || started) return;
      started = true;
      resolve({ bootstrap: match[1], pid: child.pid, stop: () => child.stdin.end() });
    });
  });
}

/** Runs one load-generator mode of the tool (its own process) and returns the JSON line it prints. */
export async function runToolJson(binary: string, args: readonly string[]): Promise<Record<string, number>> {
  const out = await execTool(binary, args);
  const line = out.trim().split('\n').at(-1) ?? '';
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`rdkafka-tool ${args[0]}: printed ${line}`);
  const fields: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'number') throw new Error(`rdkafka-tool ${args[0]}: ${key} is not a number in ${line}`);
    fields[key] = value;
  }
  return fields;
}
