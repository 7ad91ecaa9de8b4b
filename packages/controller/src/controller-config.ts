/**
 * The controller process's configuration, and its validation. Values come
 * from flags, RUNNEL_* environment variables or a config file (the CLI
 * merges them); everything is checked here before anything starts, and a
 * bad value is refused with a message that says what to fix.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export interface Voter {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface ControllerConfig {
  /** node.id: this controller's id; must be one of the voters. */
  readonly nodeId: number;
  /** controller.quorum.voters: every voter as id@host:port. */
  readonly voters: readonly Voter[];
  /** Where the Raft log, hard state and snapshots live. */
  readonly dataDir: string;
  /** Interface the controller's gRPC server binds to (its port is its voter entry's). */
  readonly listenHost: string;
  /** HTTP port for /metrics, /healthz, /readyz; null disables. */
  readonly httpPort: number | null;
  /** Raft timing: one tick every tickMs; elections after electionTicks..2*electionTicks ticks. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** broker.session.timeout.ms: a broker silent this long is fenced. */
  readonly brokerSessionTimeoutMs: number;
  /** Records between metadata snapshots. */
  readonly snapshotIntervalRecords: number;
  /**
   * leader.imbalance.check.interval.seconds, in ms: how often the active
   * controller elects offline partitions that can elect and rebalances
   * leaders onto preferred replicas.
   */
  readonly leaderImbalanceCheckIntervalMs: number;
  /**
   * How often the active controller runs the balance duty: drains
   * decommissioning brokers and, when auto.balance.enable is on, evens out
   * replicas and leaders over brokers (logic/balance-plan.ts).
   */
  readonly balanceIntervalMs: number;
  /** Partition reassignments in flight at most (anyone's); the balancer starts no more. */
  readonly balanceMovesMax: number;
}

export const controllerConfigDefaults = {
  listenHost: '127.0.0.1',
  httpPort: null,
  tickMs: 100,
  electionTicks: 10,
  heartbeatTicks: 1,
  brokerSessionTimeoutMs: 9000,
  snapshotIntervalRecords: 10_000,
  leaderImbalanceCheckIntervalMs: 300_000,
  balanceIntervalMs: 10_000,
  balanceMovesMax: 5,
} as const;

export type ControllerConfigError = 'invalid_config';

const voterPattern = /^(\d+)@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)$/;

/** Parses "1@host:port,2@host:port,..." (controller.quorum.voters). */
export function parseVoters(text: string): Result<Voter[], ControllerConfigError> {
  const voters: Voter[] = [];
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0)
    return err('invalid_config', 'voters: empty; give every controller as id@host:port, comma-separated');
  for (const entry of entries) {
    const m = voterPattern.exec(entry);
    if (m === null)
      return err('invalid_config', `voters: "${entry}" is not id@host:port (for example 1@127.0.0.1:9093)`);
    const nodeId = Number(m[1]);
    const port = Number(m[3]);
    if (!Number.isSafeInteger(nodeId) || nodeId < 1)
      return err('invalid_config', `voters: node id in "${entry}" must be a positive integer`);
    if (port < 1 || port > 65535) return err('invalid_config', `voters: port in "${entry}" must be 1-65535`);
    const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
    if (voters.some((v) => v.nodeId === nodeId)) {
      return err('invalid_config', `voters: node id ${nodeId} appears twice; every controller needs its own id`);
    }
    if (voters.some((v) => v.host === host && v.port === port)) {
      return err('invalid_config', `voters: ${host}:${port} is given to two node ids`);
    }
    voters.push({ nodeId, host, port });
  }
  return ok(voters);
}

export interface ControllerConfigInput {
  nodeId?: number | string;
  voters?: string;
  dataDir?: string;
  listenHost?: string;
  httpPort?: number | string | null;
  tickMs?: number | string;
  electionTicks?: number | string;
  heartbeatTicks?: number | string;
  brokerSessionTimeoutMs?: number | string;
  snapshotIntervalRecords?: number | string;
  leaderImbalanceCheckIntervalMs?: number | string;
  balanceIntervalMs?: number | string;
  balanceMovesMax?: number | string;
}

function integer(name: string, value: number | string | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return ok(fallback);
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return err('invalid_config', `${name}: "${value}" must be an integer from ${min} to ${max}`);
  }
  return ok(n);
}

/** Validates merged configuration input; the error message names the bad setting and the fix. */
export function resolveControllerConfig(input: ControllerConfigInput): Result<ControllerConfig, ControllerConfigError> {
  if (input.nodeId === undefined)
    return err('invalid_config', 'node-id: required (the id of this controller in --voters)');
  const nodeId = integer('node-id', input.nodeId, 0, 1, 2 ** 31 - 1);
  if (!nodeId.ok) return nodeId;
  if (input.voters === undefined)
    return err('invalid_config', 'voters: required, e.g. 1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095');
  const voters = parseVoters(input.voters);
  if (!voters.ok) return voters;
  if (!voters.value.some((v) => v.nodeId === nodeId.value)) {
    return err(
      'invalid_config',
      `node-id ${nodeId.value} is not among the voters (${voters.value.map((v) => v.nodeId).join(', ')}); add it to --voters or use one of those ids`,
    );
  }
  if (input.dataDir === undefined || input.dataDir.trim() === '') return err('invalid_config', 'data-dir: required');
  const tickMs = integer('tick-ms', input.tickMs, controllerConfigDefaults.tickMs, 1, 60_000);
  if (!tickMs.ok) return tickMs;
  const electionTicks = integer(
    'election-ticks',
    input.electionTicks,
    controllerConfigDefaults.electionTicks,
    2,
    10_000,
  );
  if (!electionTicks.ok) return electionTicks;
  const heartbeatTicks = integer(
    'heartbeat-ticks',
    input.heartbeatTicks,
    controllerConfigDefaults.heartbeatTicks,
    1,
    10_000,
  );
  if (!heartbeatTicks.ok) return heartbeatTicks;
  if (heartbeatTicks.value >= electionTicks.value) {
    return err(
      'invalid_config',
      `heartbeat-ticks (${heartbeatTicks.value}) must be below election-ticks (${electionTicks.value})`,
    );
  }
  const session = integer(
    'broker-session-timeout-ms',
    input.brokerSessionTimeoutMs,
    controllerConfigDefaults.brokerSessionTimeoutMs,
    100,
    3_600_000,
  );
  if (!session.ok) return session;
  const snapshotEvery = integer(
    'snapshot-interval-records',
    input.snapshotIntervalRecords,
    controllerConfigDefaults.snapshotIntervalRecords,
    1,
    100_000_000,
  );
  if (!snapshotEvery.ok) return snapshotEvery;
  const leaderCheck = integer(
    'leader-imbalance-check-interval-ms',
    input.leaderImbalanceCheckIntervalMs,
    controllerConfigDefaults.leaderImbalanceCheckIntervalMs,
    10,
    2 ** 31 - 1,
  );
  if (!leaderCheck.ok) return leaderCheck;
  const balanceInterval = integer(
    'balance-interval-ms',
    input.balanceIntervalMs,
    controllerConfigDefaults.balanceIntervalMs,
    10,
    2 ** 31 - 1,
  );
  if (!balanceInterval.ok) return balanceInterval;
  const balanceMoves = integer(
    'balance-moves-max',
    input.balanceMovesMax,
    controllerConfigDefaults.balanceMovesMax,
    1,
    10_000,
  );
  if (!balanceMoves.ok) return balanceMoves;
  let httpPort: number | null = controllerConfigDefaults.httpPort;
  if (input.httpPort !== undefined && input.httpPort !== null) {
    const parsed = integer('http-port', input.httpPort, 0, 0, 65535);
    if (!parsed.ok) return parsed;
    httpPort = parsed.value;
  }
  return ok({
    nodeId: nodeId.value,
    voters: voters.value,
    dataDir: input.dataDir,
    listenHost: input.listenHost ?? controllerConfigDefaults.listenHost,
    httpPort,
    tickMs: tickMs.value,
    electionTicks: electionTicks.value,
    heartbeatTicks: heartbeatTicks.value,
    brokerSessionTimeoutMs: session.value,
    snapshotIntervalRecords: snapshotEvery.value,
    leaderImbalanceCheckIntervalMs: leaderCheck.value,
    balanceIntervalMs: balanceInterval.value,
    balanceMovesMax: balanceMoves.value,
  });
}
