/**
 * `runnel dev --controllers N --brokers M`: a cluster of separate processes
 * on 127.0.0.1, each with its own data directory under the dev data dir.
 * It prints every process's role, id, ports, pid and the command that
 * starts it again, and writes the same to <data dir>/cluster.json, so
 * scripts and tests can stop, kill or restart one process. It restarts
 * nothing by itself. On SIGINT/SIGTERM it stops brokers first (controlled
 * shutdown needs the controllers), then controllers.
 *
 * Every `runnel dev` option reaches each process it concerns: the listener
 * host and advertised host, auto-creation, flush policy and log level to
 * every broker; num.partitions (and the replication factor) to controllers
 * and brokers alike, so what brokers report is what controllers apply.
 *
 * Ports, for Kafka base port P (default 9092) and HTTP base port H (default
 * 9644): the i-th broker (node id i, or --first-broker-id + i - 1) listens on P+i-1, replicates on P+100+i-1 and serves
 * metrics on H+i-1; controller i uses Raft port P+19998+i, service port
 * P+20098+i and metrics on H+100+i-1. With the defaults: brokers 9092...,
 * replication 9192..., Raft 29091..., services 29191..., metrics 9644... and
 * 9744....
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LogFormat } from '@runnel/common';
import { type BrokerLimitOptions, brokerLimitArgs } from './broker-limit-flags.ts';
import { serverNodeFlags } from './server-node-flags.ts';

export interface DevClusterOptions {
  controllers: number;
  brokers: number;
  /** Node id of the first broker (the others follow); default 1. */
  firstBrokerId?: number;
  dataDir: string;
  /** Kafka listener interface and the host brokers advertise (defaults to host). */
  host: string;
  advertisedHost?: string;
  basePort: number;
  httpBasePort: number;
  partitions: number;
  autoCreateTopics: boolean;
  transactionPartitionVerification: boolean;
  transactionVersion: number;
  flushMessages: number;
  /** group.initial.rebalance.delay.ms of every broker. */
  groupInitialRebalanceDelayMs: number;
  logLevel: string;
  /** Passed on to every process when set; unset, their logs (files, not terminals) are JSON. */
  logFormat?: LogFormat;
  /** Resource-limit flags (connections, request bytes, log-dir probe) passed on to every broker. */
  brokerLimits?: BrokerLimitOptions;
}

/** The arguments every broker of the dev cluster gets from the dev options. */
export function brokerArgs(options: DevClusterOptions, defaultReplicationFactor: number): string[] {
  return [
    '--host',
    options.host,
    ...(options.advertisedHost === undefined ? [] : ['--advertised-host', options.advertisedHost]),
    ...(options.autoCreateTopics ? [] : ['--no-auto-create-topics']),
    ...(options.transactionPartitionVerification ? [] : ['--no-transaction-partition-verification']),
    `--transaction-version=${options.transactionVersion}`,
    '--num-partitions',
    String(options.partitions),
    '--default-replication-factor',
    String(defaultReplicationFactor),
    '--flush-messages',
    String(options.flushMessages),
    '--group-initial-rebalance-delay-ms',
    String(options.groupInitialRebalanceDelayMs),
    '--log-level',
    options.logLevel,
    ...(options.logFormat === undefined ? [] : ['--log-format', options.logFormat]),
    ...brokerLimitArgs(options.brokerLimits ?? {}),
  ];
}

/** Replicas per auto-created topic: as many as there are brokers, up to Kafka's usual 3. */
export function devReplicationFactor(brokers: number): number {
  return Math.min(3, brokers);
}

export interface ClusterProcess {
  role: 'controller' | 'broker';
  id: number;
  pid: number;
  ports: Record<string, number>;
  dataDir: string;
  logFile: string;
  /** argv that starts this process again (node + the CLI + arguments). */
  command: string[];
}

const cliMain = resolve(import.meta.dirname, 'main.ts');

function spawnLogged(command: string[], logFile: string): ChildProcess {
  const [exe, ...args] = command;
  const child = spawn(exe ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

export async function runDevCluster(options: DevClusterOptions): Promise<void> {
  const dataDir = resolve(options.dataDir);
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const raftPort = (i: number) => options.basePort + 19_998 + i;
  const servicePort = (i: number) => options.basePort + 20_098 + i;
  const voters = Array.from({ length: options.controllers }, (_, k) => `${k + 1}@127.0.0.1:${raftPort(k + 1)}`).join(
    ',',
  );
  const services = Array.from({ length: options.controllers }, (_, k) => `127.0.0.1:${servicePort(k + 1)}`).join(',');
  const replicationFactor = devReplicationFactor(options.brokers);
  const processes: ClusterProcess[] = [];
  const children = new Map<ClusterProcess, ChildProcess>();

  const logFormatArgs = options.logFormat === undefined ? [] : ['--log-format', options.logFormat];
  const launch = (entry: Omit<ClusterProcess, 'pid'>): void => {
    const child = spawnLogged(entry.command, entry.logFile);
    const full: ClusterProcess = { ...entry, pid: child.pid ?? -1 };
    processes.push(full);
    children.set(full, child);
  };

  for (let i = 1; i <= options.controllers; i++) {
    const dir = join(dataDir, `controller-${i}`);
    const ports = { raft: raftPort(i), service: servicePort(i), http: options.httpBasePort + 100 + i - 1 };
    launch({
      role: 'controller',
      id: i,
      ports,
      dataDir: dir,
      logFile: join(dataDir, 'logs', `controller-${i}.log`),
      command: [
        process.execPath,
        ...serverNodeFlags,
        cliMain,
        'controller',
        '--node-id',
        String(i),
        '--voters',
        voters,
        '--service-port',
        String(ports.service),
        '--data-dir',
        dir,
        '--http-port',
        String(ports.http),
        '--num-partitions',
        String(options.partitions),
        '--default-replication-factor',
        String(replicationFactor),
        '--log-level',
        options.logLevel,
        ...logFormatArgs,
      ],
    });
  }
  const firstBrokerId = options.firstBrokerId ?? 1;
  for (let i = 1; i <= options.brokers; i++) {
    // Ports follow the position; the node id may start elsewhere (Kafka test clusters number brokers from 0).
    const id = firstBrokerId + i - 1;
    const dir = join(dataDir, `broker-${id}`);
    const ports = {
      kafka: options.basePort + i - 1,
      replication: options.basePort + 100 + i - 1,
      http: options.httpBasePort + i - 1,
    };
    launch({
      role: 'broker',
      id,
      ports,
      dataDir: dir,
      logFile: join(dataDir, 'logs', `broker-${id}.log`),
      command: [
        process.execPath,
        ...serverNodeFlags,
        cliMain,
        'broker',
        '--node-id',
        String(id),
        '--controllers',
        services,
        '--port',
        String(ports.kafka),
        '--data-dir',
        dir,
        '--http-port',
        String(ports.http),
        '--replication-port',
        String(ports.replication),
        ...brokerArgs(options, replicationFactor),
      ],
    });
  }

  const cluster = {
    bootstrap: processes
      .filter((p) => p.role === 'broker')
      .map((p) => `127.0.0.1:${p.ports.kafka}`)
      .join(','),
    voters,
    controllerServices: services,
    processes,
  };
  await writeFile(join(dataDir, 'cluster.json'), `${JSON.stringify(cluster, null, 2)}\n`);
  for (const p of processes) {
    const ports = Object.entries(p.ports)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    process.stdout.write(
      `${p.role} ${p.id}  pid ${p.pid}  ${ports}  log ${p.logFile}\n  restart: ${p.command.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}\n`,
    );
  }
  process.stdout.write(`bootstrap servers: ${cluster.bootstrap}\ncluster.json: ${join(dataDir, 'cluster.json')}\n`);

  let stopping = false;
  const stopAll = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping brokers, then controllers\n`);
    const stop = async (role: ClusterProcess['role']) => {
      await Promise.all(
        [...children]
          .filter(([p]) => p.role === role)
          .map(
            ([, child]) =>
              new Promise<void>((done) => {
                if (child.exitCode !== null || child.signalCode !== null) return done();
                child.once('exit', () => done());
                child.kill('SIGTERM');
              }),
          ),
      );
    };
    await stop('broker');
    await stop('controller');
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
}
