/**
 * The cluster under test for `npm run bench:replication`: one `runnel
 * controller` and three `runnel broker` processes (the real CLI, each its
 * own Node process) on free loopback ports, data dirs under one temp root.
 * With a profile dir every broker runs under `node --cpu-prof` and writes
 * its .cpuprofile there on exit.
 *
 * Owned by bench-replication.ts, which must stop() it: brokers first
 * (controlled shutdown needs the controller), then the controller. A process
 * that dies before it is ready fails start() and stops the rest.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { jsonField, NodeChild } from '../bench/child-process.ts';

const cliMain = resolve(import.meta.dirname, '../../packages/cli/src/main.ts');
const startTimeoutMs = 60_000;

export interface BenchBroker {
  readonly id: number;
  readonly kafkaPort: number;
  /** /metrics lives here. */
  readonly httpPort: number;
  readonly child: NodeChild<true>;
  /** Where this broker's CPU profile goes, when profiling. */
  readonly profileDir: string | null;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A stdout line with this `msg` means the process is serving. */
function readyOn(msg: string): (line: string) => true | undefined {
  return (line) => (jsonField(line, 'msg') === msg ? true : undefined);
}

export class BenchCluster {
  readonly brokers: readonly BenchBroker[];
  readonly #controller: NodeChild<true>;

  private constructor(controller: NodeChild<true>, brokers: readonly BenchBroker[]) {
    this.#controller = controller;
    this.brokers = brokers;
  }

  /** Starts the controller, waits for it, then starts the brokers together. */
  static async start(options: {
    root: string;
    brokers: number;
    profileRoot: string | null;
    logLevel: string;
    /** Flags for the brokers' node (`runnel broker` from the bin gets the servers' own); default none. */
    nodeFlags?: readonly string[];
  }): Promise<BenchCluster> {
    const [raft, service, controllerHttp] = [await freePort(), await freePort(), await freePort()];
    const controller = await NodeChild.start(
      [
        cliMain,
        'controller',
        ...['--node-id', '1', '--voters', `1@127.0.0.1:${raft}`, '--service-port', String(service)],
        ...['--data-dir', join(options.root, 'controller-1'), '--http-port', String(controllerHttp)],
        ...['--log-level', options.logLevel],
      ],
      {
        logPath: join(options.root, 'controller-1.log'),
        timeoutMs: startTimeoutMs,
        isReady: readyOn('controller started'),
      },
    );
    const started = await Promise.allSettled(
      Array.from({ length: options.brokers }, async (_, i): Promise<BenchBroker> => {
        const id = i + 1;
        const [kafkaPort, replicationPort, httpPort] = [await freePort(), await freePort(), await freePort()];
        const profileDir = options.profileRoot === null ? null : join(options.profileRoot, `broker-${id}`);
        if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
        const profile = profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
        const child = await NodeChild.start(
          [
            ...(options.nodeFlags ?? []),
            ...profile,
            cliMain,
            'broker',
            ...['--node-id', String(id), '--controllers', `127.0.0.1:${service}`, '--port', String(kafkaPort)],
            ...['--data-dir', join(options.root, `broker-${id}`), '--http-port', String(httpPort)],
            ...['--replication-port', String(replicationPort), '--log-level', options.logLevel],
          ],
          {
            logPath: join(options.root, `broker-${id}.log`),
            timeoutMs: startTimeoutMs,
            isReady: readyOn('broker started'),
          },
        );
        return { id, kafkaPort, httpPort, child, profileDir };
      }),
    );
    const brokers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    const cluster = new BenchCluster(controller, brokers);
    if (failed !== undefined) {
      await cluster.stop();
      throw failed.reason;
    }
    return cluster;
  }

  get bootstrap(): string {
    return this.brokers.map((b) => `127.0.0.1:${b.kafkaPort}`).join(',');
  }

  /** Every process's exit code, brokers first. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.brokers.map((b) => b.child.stop()));
    codes.push(await this.#controller.stop());
    return codes;
  }
}

/** Sums of the unlabelled-or-labelled samples whose names start with `prefix`, per metric name, over every broker. */
export async function scrapeCounters(brokers: readonly BenchBroker[], prefix: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const b of brokers) {
    const text = await fetch(`http://127.0.0.1:${b.httpPort}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    for (const line of text.split('\n')) {
      if (!line.startsWith(prefix)) continue;
      const name = line.slice(0, line.search(/[{ ]/));
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) totals.set(name, (totals.get(name) ?? 0) + value);
    }
  }
  return totals;
}

/** Newest .cpuprofile in `dir`, or null. */
export function profileIn(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const last = files.at(-1);
  return last === undefined ? null : join(dir, last);
}
