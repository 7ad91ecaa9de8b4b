/**
 * `runnel brokers list|decommission`: see every registered broker with its
 * state and load, and drain a broker before removing it for good.
 *
 * Kafka's protocol has no call for either, so these talk to the controller
 * quorum's gRPC ControllerService directly (as brokers do), given by
 * --controllers; the default is what `runnel dev --controllers N --brokers M`
 * starts (service ports 29191, 29192, 29193). The client follows
 * NOT_CONTROLLER answers to the active controller.
 */
import type { Result } from '@runnel/common';
import type { BrokerStatus } from '@runnel/metadata';
import type { ControllerCallError } from '@runnel/rpc';
import { ControllerClient } from '@runnel/rpc';
import { Command, InvalidArgumentError, Option } from 'commander';
import { fail } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';

interface ControllersOptions {
  controllers: string[];
}

interface DecommissionOptions extends ControllersOptions {
  cancel?: boolean;
  wait?: boolean;
  waitTimeoutMs: number;
}

/** The dev cluster's ControllerService addresses (dev-cluster.ts: 29190 + controller id). */
export const devControllerServices = '127.0.0.1:29191,127.0.0.1:29192,127.0.0.1:29193';
const callTimeoutMs = 15_000;
const pollIntervalMs = 1_000;

/** Parses host:port[,host:port...]; commander reports the thrown message. */
export function parseControllerAddresses(text: string): string[] {
  const addresses = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = addresses.find((a) => !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(a));
  if (addresses.length === 0 || bad !== undefined) {
    throw new InvalidArgumentError(
      `must be host:port[,host:port...] (ControllerService addresses), not "${bad ?? text}"`,
    );
  }
  return addresses;
}

function controllersOption(): Option {
  return new Option('--controllers <addresses>', 'ControllerService addresses of the quorum, host:port,...')
    .default(parseControllerAddresses(devControllerServices), devControllerServices)
    .argParser(parseControllerAddresses)
    .env('RUNNEL_CONTROLLERS');
}

export function brokersCommand(): Command {
  const brokers = new Command('brokers').description('List brokers with their state and load; decommission a broker');
  brokers
    .command('list')
    .description('Every registered broker: address, rack, live or fenced, state, replicas, pinned, leaders, moves')
    .addOption(controllersOption())
    .addHelpText(
      'after',
      `
STATE is active, decommissioning (being drained: PROGRESS counts the replicas
still on it) or removable (it holds nothing; stop it for good). MOVING counts
partitions with a move in progress onto or off the broker.

PINNED counts the broker's replicas whose assignment an operator chose
(explicit replicas in CreateTopics or CreatePartitions, or a partition
reassignment): the controller's balancer never moves or reorders them, not
even to drain a decommissioning broker. It balances only the replicas it
placed itself; reassign pinned ones yourself to move them.

  runnel brokers list --controllers 127.0.0.1:29191`,
    )
    .action((options: ControllersOptions) => withController(options, list));
  brokers
    .command('decommission')
    .description(
      'Drain a broker: it gets no new replicas, its replicas move to the other brokers, then it is removable. ' +
        'Refused when the brokers left could not hold every partition.',
    )
    .argument('<broker-id>', 'the broker to drain', parseIntOption)
    .option('--cancel', 'return the broker to active instead (moves already started finish)')
    .option('--wait', 'wait until the broker is removable, printing progress')
    .addOption(
      new Option('--wait-timeout-ms <ms>', 'give up waiting after this long (exit 1)')
        .default(600_000)
        .argParser(parseIntOption),
    )
    .addOption(controllersOption())
    .addHelpText(
      'after',
      `
Exits 1 when refused (the message says why) or when --wait runs out.

  runnel brokers decommission 4 --wait
  runnel brokers decommission 4 --cancel`,
    )
    .action((brokerId: number, options: DecommissionOptions) =>
      withController(options, (client) => decommission(client, brokerId, options)),
    );
  return brokers;
}

async function withController(
  options: ControllersOptions,
  body: (client: ControllerClient) => Promise<void>,
): Promise<void> {
  const client = new ControllerClient({ addresses: options.controllers, callTimeoutMs });
  try {
    await body(client);
  } finally {
    client.close();
  }
}

async function list(client: ControllerClient): Promise<void> {
  const reply = await client.call('describeBrokers', {});
  if (!reply.ok) {
    unreachable(reply, client);
    return;
  }
  process.stdout.write(formatBrokers(reply.value.value));
}

async function decommission(client: ControllerClient, brokerId: number, options: DecommissionOptions): Promise<void> {
  const cancel = options.cancel === true;
  const reply = await client.call('decommissionBroker', { brokerId, cancel });
  if (!reply.ok) {
    unreachable(reply, client);
    return;
  }
  const result = reply.value.value;
  if (!result.ok) {
    fail(`${result.error}: ${result.message ?? 'refused'}`);
    return;
  }
  process.stdout.write(`${describeState(result.value)}\n`);
  if (cancel || options.wait !== true || result.value.state === 'removable') return;
  const deadline = Date.now() + options.waitTimeoutMs;
  let last = result.value.replicas;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    const polled = await client.call('describeBrokers', {});
    if (!polled.ok) continue;
    const status = polled.value.value.find((b) => b.brokerId === brokerId);
    if (status === undefined) {
      fail(`broker ${brokerId} is no longer registered`);
      return;
    }
    if (status.state === 'active') {
      fail(`the decommission of broker ${brokerId} was cancelled`);
      return;
    }
    if (status.replicas !== last || status.state === 'removable') process.stdout.write(`${describeState(status)}\n`);
    last = status.replicas;
    if (status.state === 'removable') return;
    if (stuckOnPinned(status)) {
      fail(`broker ${brokerId} holds only operator-placed replicas (${status.pinned}); reassign them to finish`);
      return;
    }
  }
  fail(`broker ${brokerId} still holds ${last} replica(s) after ${options.waitTimeoutMs} ms; it keeps draining`);
}

function unreachable(reply: Result<never, ControllerCallError>, client: ControllerClient): void {
  if (reply.ok) return;
  fail(`no answer from the controller quorum (last tried ${client.target}): ${reply.error}: ${reply.message ?? ''}`);
}

/** Draining can go no further by itself: what is left is pinned by an operator and nothing moves. */
export function stuckOnPinned(s: BrokerStatus): boolean {
  return s.state === 'decommissioning' && s.pinned > 0 && s.replicas === s.pinned && s.moving === 0;
}

/** One line: the broker's state and, while draining, what is left. */
export function describeState(s: BrokerStatus): string {
  if (s.state === 'removable') return `Broker ${s.brokerId} is removable: it holds no replicas.`;
  if (s.state === 'decommissioning') {
    const left = `Broker ${s.brokerId} is decommissioning: ${s.replicas} replica(s) left, ${s.moving} moving.`;
    return s.pinned === 0
      ? left
      : `${left} ${s.pinned} of them placed by an operator stay until reassigned (the balancer moves only its own).`;
  }
  return `Broker ${s.brokerId} is active.`;
}

/** The `brokers list` table, one broker a line, columns padded. */
export function formatBrokers(statuses: readonly BrokerStatus[]): string {
  if (statuses.length === 0) return 'No brokers registered.\n';
  const header = ['ID', 'ADDRESS', 'RACK', 'STATUS', 'STATE', 'REPLICAS', 'PINNED', 'LEADERS', 'MOVING', 'PROGRESS'];
  const rows = statuses.map((s) => {
    const l = s.listeners[0];
    return [
      String(s.brokerId),
      l === undefined ? '-' : `${l.host}:${l.port}`,
      s.rack ?? '-',
      s.fenced ? 'fenced' : 'live',
      s.state,
      String(s.replicas),
      String(s.pinned),
      String(s.leaders),
      String(s.moving),
      s.state === 'decommissioning' ? `${s.replicas} replica(s) left` : s.state === 'removable' ? 'done' : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
