/**
 * A real multi-process cluster for black-box quorum tests: N `runnel
 * controller` and M `runnel broker` processes on free ports (fixed per
 * process, so a restart comes back on the same addresses), each with its
 * own temp data dir, with fast Raft and session timings. Tests kill,
 * restart and watch single processes, read controller /metrics, and talk to
 * brokers with kcat.
 *
 * Owned by the test that started it, which must stop() it (afterAll); stop
 * kills whatever still runs with SIGKILL and leaves the data dirs for
 * post-mortems in the OS temp dir.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterProcess, type Role } from './cluster-process.ts';
import { kcat, kcatReadAll } from './kcat.ts';
import { waitFor } from './wait.ts';

export type { ClusterLogLine, Role } from './cluster-process.ts';

export interface ClusterTimings {
  tickMs: number;
  electionTicks: number;
  brokerSessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export interface ClusterOptions {
  controllers: number;
  brokers: number;
  timings?: Partial<ClusterTimings>;
  /** Extra `runnel controller` flags, e.g. ['--snapshot-interval-records', '5']. */
  controllerArgs?: readonly string[];
  /** Extra `runnel broker` flags per broker, computed once its ports are known (e.g. to advertise a fault proxy). */
  brokerArgs?: (id: number, ports: Ports) => readonly string[];
  /** The `--controllers` list one broker dials (default: every controller's service address, direct). */
  brokerControllers?: (id: number, services: readonly { id: number; port: number }[]) => string;
  /**
   * Gives each broker a fixed `--replication-port`, kept across restarts
   * (ports(...).replication). On unless false (then brokers bind any free one).
   */
  replicationPort?: boolean;
  /** The address a broker binds and advertises (default 127.0.0.1), e.g. its own network namespace's. */
  brokerHost?: (id: number) => string;
  /** A command prefix a broker runs under, e.g. `ip netns exec <ns>` (it must exec, so the pid stays the broker's). */
  brokerWrapper?: (id: number) => readonly string[];
  /**
   * How many of the brokers (the highest ids) are set up but not started, so
   * a test can add them to the running cluster later with restart('broker', id).
   */
  brokersStartedLater?: number;
}

export const fastTimings: ClusterTimings = {
  tickMs: 50,
  electionTicks: 10,
  brokerSessionTimeoutMs: 3000,
  heartbeatIntervalMs: 500,
};

/** What `kcat -L -J` reports about a topic's partitions. */
export interface KcatPartition {
  partition: number;
  leader: number;
  replicas: number[];
  isrs: number[];
}

export interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; error?: string; partitions: KcatPartition[] }[];
}

/** Ports that were free a moment ago (all bound at once, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface Ports {
  raft: number;
  service: number;
  http: number;
  kafka: number;
  /** 0 when the cluster was started with `replicationPort: false`. */
  replication: number;
}

export class TestCluster {
  readonly timings: ClusterTimings;
  readonly rootDir: string;
  readonly #processes = new Map<string, ClusterProcess>();
  readonly #ports = new Map<string, Ports>();
  readonly #hosts = new Map<string, string>();

  private constructor(timings: ClusterTimings, rootDir: string) {
    this.timings = timings;
    this.rootDir = rootDir;
  }

  /** Starts every controller, then every broker; resolves when all have logged that they started. */
  static async start(options: ClusterOptions): Promise<TestCluster> {
    const timings = { ...fastTimings, ...options.timings };
    const cluster = new TestCluster(timings, await mkdtemp(join(tmpdir(), 'runnel-cluster-')));
    const perBroker = options.replicationPort !== false ? 3 : 2;
    const ports = await freePorts(options.controllers * 3 + options.brokers * perBroker);
    const take = (): number => {
      const port = ports.shift();
      if (port === undefined) throw new Error('ran out of free ports');
      return port;
    };
    const controllerIds = Array.from({ length: options.controllers }, (_, i) => i + 1);
    const controllerPorts = controllerIds.map(() => ({
      raft: take(),
      service: take(),
      http: take(),
      kafka: 0,
      replication: 0,
    }));
    const voters = controllerIds.map((id, i) => `${id}@127.0.0.1:${controllerPorts[i]?.raft}`).join(',');
    const services = controllerPorts.map((p) => `127.0.0.1:${p.service}`).join(',');
    for (const [i, id] of controllerIds.entries()) {
      const p = controllerPorts[i];
      if (p === undefined) throw new Error('no ports');
      const dataDir = join(cluster.rootDir, `controller-${id}`);
      cluster.#add('controller', id, p, dataDir, [
        ...['--node-id', String(id), '--voters', voters, '--service-port', String(p.service)],
        ...['--data-dir', dataDir, '--http-port', String(p.http), '--tick-ms', String(timings.tickMs)],
        ...['--election-ticks', String(timings.electionTicks)],
        ...['--broker-session-timeout-ms', String(timings.brokerSessionTimeoutMs)],
        ...(options.controllerArgs ?? []),
      ]);
    }
    for (let id = 1; id <= options.brokers; id++) {
      const p = { raft: 0, service: 0, http: take(), kafka: take(), replication: 0 };
      if (options.replicationPort !== false) p.replication = take();
      const dataDir = join(cluster.rootDir, `broker-${id}`);
      const serviceList = controllerIds.map((cid, i) => ({ id: cid, port: controllerPorts[i]?.service ?? 0 }));
      const controllers = options.brokerControllers?.(id, serviceList) ?? services;
      const host = options.brokerHost?.(id) ?? '127.0.0.1';
      cluster.#add(
        'broker',
        id,
        p,
        dataDir,
        [
          ...['--node-id', String(id), '--controllers', controllers, '--port', String(p.kafka)],
          ...(host === '127.0.0.1' ? [] : ['--host', host]),
          ...['--data-dir', dataDir, '--http-port', String(p.http)],
          ...['--heartbeat-interval-ms', String(timings.heartbeatIntervalMs)],
          ...['--replication-port', String(options.replicationPort !== false ? p.replication : 0)],
          ...(options.brokerArgs?.(id, p) ?? []),
        ],
        host,
        options.brokerWrapper?.(id) ?? [],
      );
    }
    try {
      await Promise.all(controllerIds.map((id) => cluster.restart('controller', id)));
      const startedNow = options.brokers - (options.brokersStartedLater ?? 0);
      await Promise.all(Array.from({ length: startedNow }, (_, i) => cluster.restart('broker', i + 1)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  process(role: Role, id: number): ClusterProcess {
    const p = this.#processes.get(`${role}-${id}`);
    if (p === undefined) throw new Error(`no ${role} ${id} in this cluster`);
    return p;
  }

  ports(role: Role, id: number): Ports {
    const p = this.#ports.get(`${role}-${id}`);
    if (p === undefined) throw new Error(`no ${role} ${id} in this cluster`);
    return p;
  }

  /** The address a process listens on (brokers: `brokerHost`; controllers: always 127.0.0.1). */
  host(role: Role, id: number): string {
    return this.#hosts.get(`${role}-${id}`) ?? '127.0.0.1';
  }

  ids(role: Role, options: { running?: boolean } = {}): number[] {
    return [...this.#processes.values()]
      .filter((p) => p.role === role && (options.running !== true || p.running))
      .map((p) => p.id);
  }

  /** Bootstrap servers of the given brokers (default: every running broker). */
  bootstrap(brokerIds: readonly number[] = this.ids('broker', { running: true })): string {
    return brokerIds.map((id) => `${this.host('broker', id)}:${this.ports('broker', id).kafka}`).join(',');
  }

  kill(role: Role, id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return this.process(role, id).kill(signal);
  }

  /** SIGSTOP (`pause: true`) or SIGCONT: the process keeps its sockets but answers nothing while paused. */
  pause(role: Role, id: number, pause: boolean): void {
    const pid = this.process(role, id).pid;
    if (pid !== null) process.kill(pid, pause ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Starts a stopped process again with the same arguments, ports and data dir (plus `extraArgs` for this run). */
  async restart(role: Role, id: number, extraArgs: readonly string[] = []): Promise<void> {
    await this.process(role, id).start(role === 'broker' ? 'broker started' : 'controller started', extraArgs);
  }

  /** ControllerService addresses of every controller, for a ControllerClient. */
  controllerServices(): string[] {
    return this.ids('controller').map((id) => `127.0.0.1:${this.ports('controller', id).service}`);
  }

  waitForLog(
    role: Role,
    id: number,
    predicate: (line: { msg: string; [key: string]: unknown }) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<{ msg: string; [key: string]: unknown }> {
    return this.process(role, id).waitForLog(predicate, { what, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  }

  /** A controller's unlabelled /metrics samples by name. */
  async controllerMetrics(id: number): Promise<Map<string, number>> {
    const response = await fetch(`http://127.0.0.1:${this.ports('controller', id).http}/metrics`);
    const samples = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) samples.set(m[1], Number(m[2]));
    }
    return samples;
  }

  /** The metadata offset a controller has applied (its runnel_controller_metadata_offset gauge). */
  async controllerMetadataOffset(id: number): Promise<number> {
    const value = (await this.controllerMetrics(id)).get('runnel_controller_metadata_offset');
    if (value === undefined) throw new Error(`controller ${id} reports no runnel_controller_metadata_offset`);
    return value;
  }

  /** The running controllers that report themselves active (metrics), in id order. */
  async activeControllers(): Promise<number[]> {
    const active: number[] = [];
    for (const id of this.ids('controller', { running: true })) {
      const metrics = await this.controllerMetrics(id).catch(() => null);
      if (metrics?.get('kafka_controller_kafkacontroller_activecontrollercount') === 1) active.push(id);
    }
    return active;
  }

  /** Waits until exactly one running controller is active; returns its id. */
  async waitForActiveController(
    options: { timeoutMs?: number; other?: number; intervalMs?: number } = {},
  ): Promise<number> {
    return waitFor(
      async () => {
        const active = await this.activeControllers();
        const [only] = active;
        return active.length === 1 && only !== undefined && only !== options.other ? only : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 20_000,
        intervalMs: options.intervalMs ?? 25,
        what: 'exactly one active controller',
      },
    );
  }

  /** `kcat -L -J` asked of one broker (only that broker as bootstrap). */
  async metadata(brokerId: number, topic?: string): Promise<KcatMetadata> {
    const args = ['-L', '-J', '-b', this.bootstrap([brokerId]), '-m', '5'];
    if (topic !== undefined) args.push('-t', topic);
    const result = await kcat(args, undefined, 20_000);
    if (result.code !== 0) throw new Error(`kcat -L via broker ${brokerId} failed: ${result.stderr}`);
    const raw = JSON.parse(result.stdout.toString('utf8')) as {
      brokers: { id: number; name: string }[];
      topics: {
        topic: string;
        error?: string;
        partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
      }[];
    };
    return {
      brokers: raw.brokers,
      topics: raw.topics.map((t) => ({
        ...t,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partition,
            leader: p.leader,
            replicas: p.replicas.map((r) => r.id),
            isrs: p.isrs.map((r) => r.id),
          }))
          .sort((a, b) => a.partition - b.partition),
      })),
    };
  }

  /** Produces one record per line (key = value) with acks=all; resolves with kcat's exit code and stderr. */
  async produce(
    topic: string,
    lines: readonly string[],
    options: { brokers?: readonly number[]; partition?: number; timeoutMs?: number } = {},
  ): Promise<{ code: number | null; stderr: string }> {
    const args = ['-P', '-b', this.bootstrap(options.brokers), '-t', topic, '-X', 'acks=all'];
    if (options.partition !== undefined) args.push('-p', String(options.partition));
    const result = await kcat(args, `${lines.join('\n')}\n`, options.timeoutMs ?? 30_000);
    return { code: result.code, stderr: result.stderr };
  }

  /** Reads a partition from the beginning to its end; the record values in order. */
  async consume(
    topic: string,
    partition: number,
    options: { brokers?: readonly number[]; timeoutMs?: number } = {},
  ): Promise<string[]> {
    const result = await kcatReadAll({
      bootstrap: this.bootstrap(options.brokers),
      topic,
      partition,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    if (result.code !== 0) throw new Error(`kcat -C ${topic}-${partition} failed: ${result.stderr}`);
    const lines = result.stdout.toString('utf8').split('\n');
    lines.pop();
    return lines;
  }

  /** Kills every process still running (SIGKILL). */
  async stop(): Promise<void> {
    await Promise.all([...this.#processes.values()].map((p) => p.kill('SIGKILL')));
  }

  #add(
    role: Role,
    id: number,
    ports: Ports,
    dataDir: string,
    args: readonly string[],
    host = '127.0.0.1',
    wrapper: readonly string[] = [],
  ): void {
    this.#processes.set(`${role}-${id}`, new ClusterProcess(role, id, dataDir, args, wrapper));
    this.#ports.set(`${role}-${id}`, ports);
    this.#hosts.set(`${role}-${id}`, host);
  }
}
