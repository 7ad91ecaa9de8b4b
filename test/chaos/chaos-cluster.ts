/**
 * A TestCluster wired for fault injection. Every broker dials each
 * controller through its own FaultProxy. Where this machine allows it
 * (root, `ip netns`), every broker runs in its own network namespace
 * (BrokerNetwork) and a partition cuts it from the other brokers both ways
 * and from the controllers, while the test's clients still reach it. Elsewhere
 * the fallback is one loopback proxy in front of each broker's replication
 * port: an isolated broker cannot be fetched from, but still fetches.
 * Processes are paused and resumed with SIGSTOP/SIGCONT. With `kafkaProxies`,
 * every broker advertises 127.0.1.<id> on its Kafka port, where a FaultProxy
 * forwards to it: the clients' requests pass a proxy that can replay them.
 *
 * Owned by the chaos runner, which must stop() it. A cut heals only when
 * told to; stop() closes every proxy, kills every process, writes each
 * process's output to <rootDir>/<role>-<id>.log and removes the namespaces.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { askCoordinator, CoordinatorKeyType, KafkaClient, type PartitionInfo } from '@runnel/client';
import { type ClusterTimings, TestCluster } from '../harness/cluster.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { BrokerNetwork } from './broker-network.ts';

const cliMain = join(resolve(import.meta.dirname, '..', '..'), 'packages', 'cli', 'src', 'main.ts');

/** The broker flags of this checkout: replication flags land with issue 4's ReplicaManager. */
function brokerFlags(): { replicationListener: boolean; replicaLag: boolean } {
  const help = spawnSync(process.execPath, [cliMain, 'broker', '--help'], { encoding: 'utf8' }).stdout;
  return {
    replicationListener: help.includes('--advertised-replication-port'),
    replicaLag: help.includes('--replica-lag-time-max-ms'),
  };
}

/** Short enough that a dead follower leaves the ISR (and acks=all resumes) well within a fault's hold. */
const replicaLagTimeMaxMs = 3000;

/**
 * What a partition cuts: `two-way` (namespaces: brokers ↔ brokers and
 * broker → controllers), `inbound` (proxies: fetches from the broker and
 * broker → controllers), `controllers` (no replication listener to proxy).
 */
export type PartitionMode = 'two-way' | 'inbound' | 'controllers';

export interface ChaosClusterOptions {
  controllers: number;
  brokers: number;
  timings?: Partial<ClusterTimings>;
  /** Extra broker flags for every broker (e.g. replica lag settings). */
  brokerArgs?: readonly string[];
  /** Use network namespaces when possible (default true); false forces the loopback proxies. */
  namespaces?: boolean;
  /** Put a FaultProxy in front of every broker's Kafka listener (for request replay; default false). */
  kafkaProxies?: boolean;
}

/** The address a broker advertises for its Kafka listener when proxied: loopback, distinct per broker. */
const kafkaProxyHost = (brokerId: number): string => `127.0.1.${brokerId}`;

export class ChaosCluster {
  readonly cluster: TestCluster;
  /** brokerId → one proxy per controller, in controller id order. */
  readonly #controllerProxies: Map<number, FaultProxy[]>;
  /** brokerId → the proxy other brokers dial for its replication port. */
  readonly #replicationProxies: Map<number, FaultProxy>;
  readonly #network: BrokerNetwork | null;
  /** brokerId → the proxy in front of its Kafka listener (only with kafkaProxies). */
  readonly #kafkaProxies = new Map<number, FaultProxy>();
  readonly #paused = new Set<string>();
  readonly #isolated = new Set<number>();

  private constructor(
    cluster: TestCluster,
    controllerProxies: Map<number, FaultProxy[]>,
    replicationProxies: Map<number, FaultProxy>,
    network: BrokerNetwork | null,
  ) {
    this.cluster = cluster;
    this.#controllerProxies = controllerProxies;
    this.#replicationProxies = replicationProxies;
    this.#network = network;
  }

  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const brokerIds = Array.from({ length: options.brokers }, (_, i) => i + 1);
    const controllerProxies = new Map<number, FaultProxy[]>();
    const replicationProxies = new Map<number, FaultProxy>();
    const flags = brokerFlags();
    const network = flags.replicationListener && options.namespaces !== false ? BrokerNetwork.create(brokerIds) : null;
    const proxyHost = network?.hostAddress ?? '127.0.0.1';
    const cleanUp = async (): Promise<void> => {
      await closeAll([...controllerProxies.values()].flat(), [...replicationProxies.values()]);
      network?.close();
    };
    try {
      for (const b of brokerIds) {
        const proxies: FaultProxy[] = [];
        for (let c = 1; c <= options.controllers; c++) {
          proxies.push(await FaultProxy.start({ name: `b${b}->c${c}`, host: proxyHost }));
        }
        controllerProxies.set(b, proxies);
        if (flags.replicationListener && network === null) {
          replicationProxies.set(b, await FaultProxy.start({ name: `->b${b}-replication` }));
        }
      }
    } catch (error) {
      await cleanUp();
      throw error;
    }
    const cluster = await TestCluster.start({
      controllers: options.controllers,
      brokers: options.brokers,
      ...(options.timings === undefined ? {} : { timings: options.timings }),
      replicationPort: flags.replicationListener,
      ...(network === null
        ? {}
        : { brokerHost: (id: number) => network.address(id), brokerWrapper: (id: number) => network.wrapper(id) }),
      brokerControllers: (id, services) =>
        services
          .map((service, i) => {
            const proxy = controllerProxies.get(id)?.[i];
            if (proxy === undefined) throw new Error(`no proxy for broker ${id} to controller ${service.id}`);
            proxy.setTarget({ host: '127.0.0.1', port: service.port });
            return `${proxyHost}:${proxy.port}`;
          })
          .join(','),
      brokerArgs: (id, ports) => {
        const proxy = replicationProxies.get(id);
        if (proxy !== undefined) proxy.setTarget({ host: '127.0.0.1', port: ports.replication });
        return [
          ...(proxy === undefined
            ? []
            : ['--advertised-replication-host', '127.0.0.1', '--advertised-replication-port', String(proxy.port)]),
          // Peers still dial the broker's own address for replication: only client traffic goes through the proxy.
          ...(options.kafkaProxies === true
            ? [
                '--advertised-host',
                kafkaProxyHost(id),
                ...(proxy === undefined && network !== null
                  ? ['--advertised-replication-host', network.address(id)]
                  : []),
              ]
            : []),
          ...(flags.replicaLag ? ['--replica-lag-time-max-ms', String(replicaLagTimeMaxMs)] : []),
          ...(options.brokerArgs ?? []),
        ];
      },
    }).catch(async (error: unknown) => {
      await cleanUp();
      throw error;
    });
    const chaos = new ChaosCluster(cluster, controllerProxies, replicationProxies, network);
    if (options.kafkaProxies === true) {
      try {
        for (const id of brokerIds) {
          const port = cluster.ports('broker', id).kafka;
          const target = { host: cluster.host('broker', id), port };
          chaos.#kafkaProxies.set(
            id,
            await FaultProxy.start({ name: `->b${id}-kafka`, host: kafkaProxyHost(id), port, target }),
          );
        }
      } catch (error) {
        await chaos.stop();
        throw error;
      }
    }
    return chaos;
  }

  /**
   * From now on every client request with one of `apiKeys` to any broker is
   * also sent again `delayMs` later on a new connection (FaultProxy.duplicateRequests);
   * an empty list stops. Throws without kafkaProxies.
   */
  duplicateRequests(apiKeys: readonly number[], delayMs: number): void {
    if (this.#kafkaProxies.size === 0) throw new Error('request replay needs ChaosCluster kafkaProxies');
    for (const proxy of this.#kafkaProxies.values()) proxy.duplicateRequests(apiKeys, delayMs);
  }

  /** Requests duplicated so far across every broker's Kafka proxy. */
  get duplicatedRequests(): number {
    let n = 0;
    for (const proxy of this.#kafkaProxies.values()) n += proxy.duplicatedRequests;
    return n;
  }

  get partitionMode(): PartitionMode {
    if (this.#network !== null) return 'two-way';
    return this.#replicationProxies.size > 0 ? 'inbound' : 'controllers';
  }

  brokerIds(): number[] {
    return this.cluster.ids('broker');
  }

  /** Cuts a broker off from every controller and from the other brokers (as far as partitionMode allows). */
  isolate(brokerId: number): void {
    for (const proxy of this.#controllerProxies.get(brokerId) ?? []) proxy.cut('blackhole');
    this.#replicationProxies.get(brokerId)?.cut('blackhole');
    this.#network?.isolate(brokerId);
    this.#isolated.add(brokerId);
  }

  heal(brokerId: number): void {
    for (const proxy of this.#controllerProxies.get(brokerId) ?? []) proxy.heal();
    this.#replicationProxies.get(brokerId)?.heal();
    this.#network?.heal(brokerId);
    this.#isolated.delete(brokerId);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  pause(role: 'broker' | 'controller', id: number): void {
    const pid = this.cluster.process(role, id).pid;
    if (pid === null || !this.cluster.process(role, id).running) return;
    process.kill(pid, 'SIGSTOP');
    this.#paused.add(`${role}:${id}`);
  }

  resume(role: 'broker' | 'controller', id: number): void {
    const pid = this.cluster.process(role, id).pid;
    if (pid !== null && this.cluster.process(role, id).running) process.kill(pid, 'SIGCONT');
    this.#paused.delete(`${role}:${id}`);
  }

  /** Resumes every paused process, heals every partition and restarts every stopped process. */
  async healAll(): Promise<void> {
    for (const key of [...this.#paused]) {
      const [role, id] = key.split(':');
      this.resume(role === 'controller' ? 'controller' : 'broker', Number(id));
    }
    for (const id of [...this.#isolated]) this.heal(id);
    for (const id of this.cluster.ids('controller')) {
      if (!this.cluster.process('controller', id).running) await this.cluster.restart('controller', id);
    }
    for (const id of this.brokerIds()) {
      if (!this.cluster.process('broker', id).running) await this.cluster.restart('broker', id);
    }
  }

  /** The topic's partitions as one broker reports them, or null when it does not answer. */
  async partitions(brokerId: number, topic: string): Promise<PartitionInfo[] | null> {
    return this.#ask(brokerId, async (client) => {
      const metadata = await client.metadata([topic], { allowAutoTopicCreation: false });
      const info = metadata.topics.find((t) => t.name === topic);
      return info === undefined || info.errorCode !== 0 ? null : info.partitions;
    });
  }

  /** The broker coordinating `transactionalId` per the first running, reachable broker that answers; null when none does. */
  async transactionCoordinator(transactionalId: string): Promise<number | null> {
    for (const id of this.cluster.ids('broker', { running: true })) {
      if (this.#paused.has(`broker:${id}`) || this.#isolated.has(id)) continue;
      const coordinator = await this.#ask(id, async (client) => {
        const [host, port] = this.cluster.bootstrap([id]).split(':');
        const connection = await client.connectionTo({ host: host ?? '', port: Number(port) });
        const answer = await askCoordinator(connection, CoordinatorKeyType.transaction, transactionalId);
        return answer.errorCode === 0 ? answer.nodeId : null;
      });
      if (coordinator !== null) return coordinator;
    }
    return null;
  }

  /** `question` on a short-lived client of one broker; null when the broker does not answer. */
  async #ask<T>(brokerId: number, question: (client: KafkaClient) => Promise<T | null>): Promise<T | null> {
    let client: KafkaClient | null = null;
    try {
      client = await KafkaClient.connect({
        bootstrap: this.cluster.bootstrap([brokerId]),
        requestTimeoutMs: 2000,
        allowAutoTopicCreation: false,
      });
      return await question(client);
    } catch {
      return null;
    } finally {
      client?.close();
    }
  }

  /** True when every broker runs and reports every partition with a live leader and a full ISR, all agreeing. */
  async fullyReplicated(topic: string, partitionCount: number): Promise<boolean> {
    const ids = this.brokerIds();
    if (ids.some((id) => !this.cluster.process('broker', id).running)) return false;
    const views = await Promise.all(ids.map((id) => this.partitions(id, topic)));
    const leaders = new Set<string>();
    for (const view of views) {
      if (view === null || view.length !== partitionCount) return false;
      for (const p of view) {
        if (p.leader < 0 || p.isr.length !== p.replicas.length) return false;
      }
      leaders.add(JSON.stringify(view.map((p) => [p.partition, p.leader])));
    }
    return leaders.size === 1;
  }

  /** Each broker's view of the topic, one line per broker: "b1: p0 leader 2 isr [2,3] replicas [1,2,3]; ...". */
  async describeReplication(topic: string): Promise<string> {
    const lines: string[] = [];
    for (const id of this.brokerIds()) {
      const view = await this.partitions(id, topic);
      const parts = view?.map((p) => `p${p.partition} leader ${p.leader} isr [${p.isr}] replicas [${p.replicas}]`);
      lines.push(
        `b${id}${this.cluster.process('broker', id).running ? '' : ' (down)'}: ${parts?.join('; ') ?? 'no answer'}`,
      );
    }
    return lines.join('\n');
  }

  /** The leader of each partition per the first broker that answers. */
  async leaders(topic: string): Promise<Map<number, number>> {
    for (const id of this.cluster.ids('broker', { running: true })) {
      if (this.#paused.has(`broker:${id}`) || this.#isolated.has(id)) continue;
      const view = await this.partitions(id, topic);
      if (view !== null) return new Map(view.map((p) => [p.partition, p.leader]));
    }
    return new Map();
  }

  async stop(): Promise<void> {
    for (const key of [...this.#paused]) {
      const [role, id] = key.split(':');
      this.resume(role === 'controller' ? 'controller' : 'broker', Number(id));
    }
    await this.cluster.stop();
    // The process logs live only in memory; keep them next to the data dirs for post-mortems.
    for (const role of ['controller', 'broker'] as const) {
      for (const id of this.cluster.ids(role)) {
        const file = join(this.cluster.rootDir, `${role}-${id}.log`);
        await writeFile(file, this.cluster.process(role, id).output).catch(() => {});
      }
    }
    await closeAll(
      [...this.#controllerProxies.values()].flat(),
      [...this.#replicationProxies.values()],
      [...this.#kafkaProxies.values()],
    );
    this.#network?.close();
  }
}

async function closeAll(...groups: FaultProxy[][]): Promise<void> {
  await Promise.all(groups.flat().map((p) => p.close()));
}
