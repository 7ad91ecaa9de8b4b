import type { BrokerStatus } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { describeState, formatBrokers, parseControllerAddresses, stuckOnPinned } from '../src/commands/brokers.ts';
import { type RunResult, runRunnel } from './run-runnel.ts';

function runnel(args: readonly string[]): Promise<RunResult> {
  return runRunnel(args);
}

const listener = (port: number) => [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' }];

const statuses: BrokerStatus[] = [
  {
    brokerId: 1,
    listeners: listener(9092),
    rack: 'a',
    fenced: false,
    state: 'active',
    replicas: 9,
    leaders: 3,
    moving: 0,
    pinned: 2,
  },
  {
    brokerId: 4,
    listeners: listener(9095),
    rack: null,
    fenced: false,
    state: 'decommissioning',
    replicas: 5,
    leaders: 1,
    moving: 4,
    pinned: 0,
  },
  {
    brokerId: 5,
    listeners: [],
    rack: null,
    fenced: true,
    state: 'removable',
    replicas: 0,
    leaders: 0,
    moving: 0,
    pinned: 0,
  },
];

/** A drain that got as far as it can: the two replicas left were placed by an operator. */
const stuck: BrokerStatus = {
  brokerId: 6,
  listeners: [],
  rack: null,
  fenced: false,
  state: 'decommissioning',
  replicas: 2,
  leaders: 0,
  moving: 0,
  pinned: 2,
};

describe('runnel brokers', () => {
  it('--help names list and decommission, and decommission --help names its options', async () => {
    const help = await runnel(['brokers', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/list/);
    expect(help.stdout).toMatch(/decommission/);
    const decommissionHelp = await runnel(['brokers', 'decommission', '--help']);
    for (const option of ['<broker-id>', '--cancel', '--wait', '--wait-timeout-ms', '--controllers']) {
      expect(decommissionHelp.stdout).toContain(option);
    }
    expect((await runnel(['brokers', 'list', '--help'])).stdout).toContain('RUNNEL_CONTROLLERS');
  });

  it('a --controllers value that is not host:port is refused before anything is dialled', async () => {
    const result = await runnel(['brokers', 'list', '--controllers', 'nowhere']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /must be host:port\[,host:port\.\.\.\] \(ControllerService addresses\), not "nowhere"/,
    );
  });

  it('decommission without a broker id is refused with a usage error', async () => {
    const result = await runnel(['brokers', 'decommission']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing required argument 'broker-id'/);
  });

  it('parseControllerAddresses splits a comma list and accepts bracketed IPv6', () => {
    expect(parseControllerAddresses('127.0.0.1:29191, [::1]:29192')).toEqual(['127.0.0.1:29191', '[::1]:29192']);
    expect(() => parseControllerAddresses('')).toThrow(/host:port/);
  });

  it('formatBrokers lays out state, load, operator-pinned replicas and drain progress per broker', () => {
    expect(formatBrokers(statuses)).toBe(
      [
        'ID  ADDRESS         RACK  STATUS  STATE            REPLICAS  PINNED  LEADERS  MOVING  PROGRESS',
        '1   127.0.0.1:9092  a     live    active           9         2       3        0       -',
        '4   127.0.0.1:9095  -     live    decommissioning  5         0       1        4       5 replica(s) left',
        '5   -               -     fenced  removable        0         0       0        0       done',
        '',
      ].join('\n'),
    );
    expect(formatBrokers([])).toBe('No brokers registered.\n');
  });

  it('describeState says what is left while draining and when the broker may go', () => {
    expect(statuses.map(describeState)).toEqual([
      'Broker 1 is active.',
      'Broker 4 is decommissioning: 5 replica(s) left, 4 moving.',
      'Broker 5 is removable: it holds no replicas.',
    ]);
    expect(describeState(stuck)).toBe(
      'Broker 6 is decommissioning: 2 replica(s) left, 0 moving. 2 of them placed by an operator stay until reassigned (the balancer moves only its own).',
    );
  });

  it('a drain is stuck only when every replica left is operator-placed and nothing moves', () => {
    expect(stuckOnPinned(stuck)).toBe(true);
    expect(stuckOnPinned({ ...stuck, moving: 1 })).toBe(false);
    expect(stuckOnPinned({ ...stuck, replicas: 3 })).toBe(false);
    expect(stuckOnPinned({ ...stuck, state: 'active' })).toBe(false);
    expect(statuses.some(stuckOnPinned)).toBe(false);
  });
});
