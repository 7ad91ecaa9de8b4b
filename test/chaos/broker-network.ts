/**
 * Real two-way network partitions between brokers: every broker runs in
 * its own Linux network namespace, joined to a bridge in the test's
 * namespace by a veth pair, with an address of its own. The test process
 * (workload, controller proxies) reaches every broker through the bridge.
 * Isolating broker B adds blackhole routes in B's namespace to every other
 * broker and in theirs to B: replication is cut both ways (B can neither
 * be fetched from nor fetch), while the test's clients still reach B, as
 * in Jepsen's partitions where the client sits outside the cut.
 *
 * Needs root and iproute2 (`ip netns`); `BrokerNetwork.create()` returns
 * null when namespaces cannot be made, and the caller falls back to
 * loopback proxies. Owned by ChaosCluster, which must close() it: close
 * deletes every namespace, veth and the bridge. Namespaces left by a
 * killed test run are removed by the next create(). A failing `ip`
 * command throws (with its stderr); the network may then be half-built,
 * and close() still removes what exists.
 */
import { spawnSync } from 'node:child_process';

const namePrefix = 'runnel-chaos-';

function ip(args: readonly string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${result.status}): ${result.stderr.trim()}`);
}

function ipQuiet(args: readonly string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout : '';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the namespaces and bridges of chaos runs whose process is gone. */
function removeStale(): void {
  for (const line of ipQuiet(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = Number(/^runnel-chaos-(\d+)-/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && !pidAlive(pid)) ipQuiet(['netns', 'del', name]);
  }
  for (const line of ipQuiet(['-o', 'link', 'show', 'type', 'bridge']).split('\n')) {
    const name = /^\d+: (rc\d+br)[:@]/.exec(line)?.[1];
    const pid = Number(/alias runnel-chaos-(\d+)/.exec(line)?.[1] ?? Number.NaN);
    if (name !== undefined && Number.isInteger(pid) && !pidAlive(pid)) ipQuiet(['link', 'del', name]);
  }
}

/**
 * A network number n (0–12499) derived from the pid, skipping any whose
 * subnet 10.(200 + n / 250).(n % 250).0/24 is already routed here (another
 * run, or another network of this process).
 */
function pickNetwork(): number {
  const routes = ipQuiet(['-4', 'route', 'show', 'table', 'all']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const n = (process.pid + attempt * 7919) % 12_500;
    if (!routes.includes(`${subnetOf(n)}.`)) return n;
  }
  throw new Error('no free 10.x.y.0/24 subnet for the chaos bridge');
}

function subnetOf(n: number): string {
  return `10.${200 + Math.floor(n / 250)}.${n % 250}`;
}

export class BrokerNetwork {
  /** The bridge's interface name in the test's namespace. */
  get bridge(): string {
    return this.#bridge;
  }

  /** The test namespace's address on the bridge (where controller proxies listen). */
  readonly hostAddress: string;
  readonly #network: number;
  readonly #subnet: string;
  readonly #bridge: string;
  readonly #brokerIds: readonly number[];
  /** brokerId → the broker ids its namespace currently blackholes. */
  readonly #cuts = new Map<number, Set<number>>();

  private constructor(network: number, brokerIds: readonly number[]) {
    this.#network = network;
    this.#subnet = subnetOf(network);
    // Interface names are at most 15 bytes: "rc" + network number + suffix.
    this.#bridge = `rc${network}br`;
    this.#brokerIds = brokerIds;
    this.hostAddress = `${this.#subnet}.1`;
  }

  /** Builds the bridge and one namespace per broker; null when this machine cannot (not root, no iproute2). */
  static create(brokerIds: readonly number[]): BrokerNetwork | null {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
    if (spawnSync('ip', ['netns', 'list']).status !== 0) return null;
    removeStale();
    const network = new BrokerNetwork(pickNetwork(), brokerIds);
    try {
      network.#build();
    } catch (error) {
      network.close();
      throw error;
    }
    return network;
  }

  namespace(brokerId: number): string {
    return `${namePrefix}${process.pid}-${this.#network}-b${brokerId}`;
  }

  /** The broker's own address: its listeners bind it, clients and peers dial it. */
  address(brokerId: number): string {
    return `${this.#subnet}.${10 + brokerId}`;
  }

  /** The command prefix that runs a process inside the broker's namespace (`ip netns exec` execs, so the pid is the process's own). */
  wrapper(brokerId: number): string[] {
    return ['ip', 'netns', 'exec', this.namespace(brokerId)];
  }

  /** Cuts every path between `brokerId` and the other brokers, both ways. */
  isolate(brokerId: number): void {
    for (const other of this.#brokerIds) {
      if (other === brokerId) continue;
      this.#blackhole(brokerId, other);
      this.#blackhole(other, brokerId);
    }
  }

  heal(brokerId: number): void {
    for (const other of this.#brokerIds) {
      if (other === brokerId) continue;
      this.#unblackhole(brokerId, other);
      this.#unblackhole(other, brokerId);
    }
  }

  /** Deletes every namespace (their veth ends go with them) and the bridge; never throws. */
  close(): void {
    for (const id of this.#brokerIds) ipQuiet(['netns', 'del', this.namespace(id)]);
    ipQuiet(['link', 'del', this.#bridge]);
  }

  #build(): void {
    ip(['link', 'add', this.#bridge, 'type', 'bridge']);
    // The alias names the owning pid, so a later run can remove the bridge of a killed one.
    ip(['link', 'set', 'dev', this.#bridge, 'alias', `${namePrefix}${process.pid}`]);
    ip(['addr', 'add', `${this.hostAddress}/24`, 'dev', this.#bridge]);
    ip(['link', 'set', this.#bridge, 'up']);
    for (const id of this.#brokerIds) {
      const ns = this.namespace(id);
      const outside = `rc${this.#network}b${id}`;
      ip(['netns', 'add', ns]);
      ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ip(['link', 'set', outside, 'master', this.#bridge]);
      ip(['link', 'set', outside, 'up']);
      ip(['-n', ns, 'addr', 'add', `${this.address(id)}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** In `from`'s namespace, packets to `to` are dropped (connect fails, open connections stall). */
  #blackhole(from: number, to: number): void {
    const cuts = this.#cuts.get(from) ?? new Set<number>();
    if (cuts.has(to)) return;
    ip(['-n', this.namespace(from), 'route', 'add', 'blackhole', `${this.address(to)}/32`]);
    cuts.add(to);
    this.#cuts.set(from, cuts);
  }

  #unblackhole(from: number, to: number): void {
    const cuts = this.#cuts.get(from);
    if (cuts?.has(to) !== true) return;
    ip(['-n', this.namespace(from), 'route', 'del', 'blackhole', `${this.address(to)}/32`]);
    cuts.delete(to);
  }
}
