/**
 * Where each `runnel controller` setting comes from: a flag, a RUNNEL_*
 * environment variable, or a key in the --config properties file (Kafka's
 * property name where Kafka has one). Precedence: flag > environment >
 * file > default. Everything is validated before anything starts; a bad
 * value is an error naming the setting, where it was set, and the fix.
 */
import type { LogFormat, Result } from '@runnel/common';
import { err, isLogFormat, logFormats, ok } from '@runnel/common';
import type { ControllerConfig, ControllerConfigInput } from '@runnel/controller';
import { partitionsPerTopicMax, resolveControllerConfig } from '@runnel/controller';

export interface ControllerSetting {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  /** Keys in the config file, preferred first (Kafka's names where they exist). */
  readonly file: readonly string[];
}

/** The settings table: README.md documents the same mapping. */
export const controllerSettings = [
  { key: 'nodeId', flag: 'node-id', env: 'RUNNEL_NODE_ID', file: ['node.id'] },
  { key: 'voters', flag: 'voters', env: 'RUNNEL_VOTERS', file: ['controller.quorum.voters'] },
  { key: 'servicePort', flag: 'service-port', env: 'RUNNEL_SERVICE_PORT', file: ['controller.service.port'] },
  { key: 'dataDir', flag: 'data-dir', env: 'RUNNEL_DATA_DIR', file: ['metadata.log.dir', 'log.dirs'] },
  { key: 'listenHost', flag: 'listen-host', env: 'RUNNEL_LISTEN_HOST', file: ['controller.listen.host'] },
  { key: 'httpPort', flag: 'http-port', env: 'RUNNEL_HTTP_PORT', file: ['http.port'] },
  { key: 'tickMs', flag: 'tick-ms', env: 'RUNNEL_TICK_MS', file: ['raft.tick.ms'] },
  { key: 'electionTicks', flag: 'election-ticks', env: 'RUNNEL_ELECTION_TICKS', file: ['raft.election.ticks'] },
  { key: 'heartbeatTicks', flag: 'heartbeat-ticks', env: 'RUNNEL_HEARTBEAT_TICKS', file: ['raft.heartbeat.ticks'] },
  {
    key: 'brokerSessionTimeoutMs',
    flag: 'broker-session-timeout-ms',
    env: 'RUNNEL_BROKER_SESSION_TIMEOUT_MS',
    file: ['broker.session.timeout.ms'],
  },
  {
    key: 'snapshotIntervalRecords',
    flag: 'snapshot-interval-records',
    env: 'RUNNEL_SNAPSHOT_INTERVAL_RECORDS',
    file: ['metadata.snapshot.interval.records'],
  },
  {
    key: 'leaderImbalanceCheckIntervalMs',
    flag: 'leader-imbalance-check-interval-ms',
    env: 'RUNNEL_LEADER_IMBALANCE_CHECK_INTERVAL_MS',
    // Kafka's key is in seconds; mergeControllerSettings converts it.
    file: ['leader.imbalance.check.interval.ms', 'leader.imbalance.check.interval.seconds'],
  },
  {
    key: 'balanceIntervalMs',
    flag: 'balance-interval-ms',
    env: 'RUNNEL_BALANCE_INTERVAL_MS',
    file: ['balance.interval.ms'],
  },
  {
    key: 'balanceMovesMax',
    flag: 'balance-moves-max',
    env: 'RUNNEL_BALANCE_MOVES_MAX',
    file: ['balance.moves.max'],
  },
  { key: 'numPartitions', flag: 'num-partitions', env: 'RUNNEL_NUM_PARTITIONS', file: ['num.partitions'] },
  {
    key: 'defaultReplicationFactor',
    flag: 'default-replication-factor',
    env: 'RUNNEL_DEFAULT_REPLICATION_FACTOR',
    file: ['default.replication.factor'],
  },
  // Cluster defaults the controller's elections and ISR rules read (topics and dynamic cluster configs override them).
  {
    key: 'minInsyncReplicas',
    flag: 'min-insync-replicas',
    env: 'RUNNEL_MIN_INSYNC_REPLICAS',
    file: ['min.insync.replicas'],
  },
  {
    key: 'uncleanLeaderElectionEnable',
    flag: 'unclean-leader-election-enable',
    env: 'RUNNEL_UNCLEAN_LEADER_ELECTION_ENABLE',
    file: ['unclean.leader.election.enable'],
  },
  {
    key: 'autoLeaderRebalanceEnable',
    flag: 'auto-leader-rebalance-enable',
    env: 'RUNNEL_AUTO_LEADER_REBALANCE_ENABLE',
    file: ['auto.leader.rebalance.enable'],
  },
  {
    key: 'autoBalanceEnable',
    flag: 'auto-balance-enable',
    env: 'RUNNEL_AUTO_BALANCE_ENABLE',
    file: ['auto.balance.enable'],
  },
  {
    key: 'leaderImbalancePerBrokerPercentage',
    flag: 'leader-imbalance-per-broker-percentage',
    env: 'RUNNEL_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE',
    file: ['leader.imbalance.per.broker.percentage'],
  },
  { key: 'logLevel', flag: 'log-level', env: 'RUNNEL_LOG_LEVEL', file: ['log.level'] },
  { key: 'logFormat', flag: 'log-format', env: 'RUNNEL_LOG_FORMAT', file: ['log.format'] },
] as const satisfies readonly ControllerSetting[];

/**
 * The settings that become the controller's static broker config, under
 * Kafka's names, with what each accepts. Only the ones set are passed: an
 * unset key keeps the controller's own default.
 */
const brokerConfigSettings = [
  { key: 'minInsyncReplicas', name: 'min.insync.replicas', kind: 'integer', min: 1, max: 32_767 },
  { key: 'uncleanLeaderElectionEnable', name: 'unclean.leader.election.enable', kind: 'boolean' },
  { key: 'autoLeaderRebalanceEnable', name: 'auto.leader.rebalance.enable', kind: 'boolean' },
  { key: 'autoBalanceEnable', name: 'auto.balance.enable', kind: 'boolean' },
  {
    key: 'leaderImbalancePerBrokerPercentage',
    name: 'leader.imbalance.per.broker.percentage',
    kind: 'integer',
    min: 0,
    max: 100,
  },
] as const;

export type ControllerSettingKey = (typeof controllerSettings)[number]['key'];
export type ControllerSettingValues = Partial<Record<ControllerSettingKey, string>>;

export interface ControllerSettingSources {
  /** Values given as flags (commander's parsed options, as strings). */
  readonly flags: ControllerSettingValues;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The parsed --config file, if one was given. */
  readonly file: { readonly path: string; readonly values: ReadonlyMap<string, string> } | null;
}

export interface ControllerStartSettings {
  readonly config: ControllerConfig;
  /** The broker-facing ControllerService port; 0 = any free port. */
  readonly servicePort: number;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  /** Static broker config for the controller's cluster defaults (min ISR, unclean election, rebalancing), Kafka names. */
  readonly brokerConfig: Readonly<Record<string, string>>;
  readonly logLevel: string;
  /** Absent: chosen by where stdout goes (createLogger's default). */
  readonly logFormat?: LogFormat;
}

export type ControllerSettingsError = 'unknown_key' | 'invalid_config';

/** Offset of the default service port from this node's Raft port (9093 -> 9193). */
export const servicePortOffset = 100;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface Merged {
  readonly values: ControllerSettingValues;
  /** Where each value came from, for error messages. */
  readonly origins: ReadonlyMap<ControllerSettingKey, string>;
}

/** Merges the three sources by precedence; an unknown key in the file is an error. */
export function mergeControllerSettings(sources: ControllerSettingSources): Result<Merged, ControllerSettingsError> {
  const file = sources.file;
  if (file !== null) {
    const known = new Set<string>(controllerSettings.flatMap((s) => s.file));
    for (const key of file.values.keys()) {
      if (!known.has(key)) {
        return err(
          'unknown_key',
          `config file ${file.path}: unknown key "${key}"; known keys: ${[...known].join(', ')}`,
        );
      }
    }
  }
  const values: ControllerSettingValues = {};
  const origins = new Map<ControllerSettingKey, string>();
  for (const s of controllerSettings) {
    const flag = sources.flags[s.key];
    const env = sources.env[s.env];
    const fileKey = file === null ? undefined : s.file.find((k) => file.values.has(k));
    if (flag !== undefined) {
      values[s.key] = flag;
      origins.set(s.key, `--${s.flag}`);
    } else if (env !== undefined && env !== '') {
      values[s.key] = env;
      origins.set(s.key, s.env);
    } else if (file !== null && fileKey !== undefined) {
      const raw = file.values.get(fileKey) ?? '';
      // Kafka's log.dirs is a list; the metadata log lives in the first directory, as KRaft does.
      values[s.key] = fileKey === 'log.dirs' ? (raw.split(',')[0] ?? '').trim() : raw;
      if (fileKey === 'leader.imbalance.check.interval.seconds' && /^\d+$/.test(raw.trim())) {
        values[s.key] = String(Number(raw.trim()) * 1000);
      }
      origins.set(s.key, `${fileKey} in ${file.path}`);
    }
  }
  return ok({ values, origins });
}

/** Validates merged values into what `runnel controller` starts with. */
export function resolveControllerSettings(merged: Merged): Result<ControllerStartSettings, ControllerSettingsError> {
  const { values, origins } = merged;
  const blame = (key: ControllerSettingKey, message: string): string => {
    const origin = origins.get(key);
    return origin === undefined ? message : `${message} (set by ${origin})`;
  };
  const input: ControllerConfigInput = {};
  if (values.nodeId !== undefined) input.nodeId = values.nodeId;
  if (values.voters !== undefined) input.voters = values.voters;
  if (values.dataDir !== undefined) input.dataDir = values.dataDir;
  if (values.listenHost !== undefined) input.listenHost = values.listenHost;
  if (values.httpPort !== undefined) input.httpPort = values.httpPort;
  if (values.tickMs !== undefined) input.tickMs = values.tickMs;
  if (values.electionTicks !== undefined) input.electionTicks = values.electionTicks;
  if (values.heartbeatTicks !== undefined) input.heartbeatTicks = values.heartbeatTicks;
  if (values.brokerSessionTimeoutMs !== undefined) input.brokerSessionTimeoutMs = values.brokerSessionTimeoutMs;
  if (values.snapshotIntervalRecords !== undefined) input.snapshotIntervalRecords = values.snapshotIntervalRecords;
  if (values.leaderImbalanceCheckIntervalMs !== undefined) {
    input.leaderImbalanceCheckIntervalMs = values.leaderImbalanceCheckIntervalMs;
  }
  if (values.balanceIntervalMs !== undefined) input.balanceIntervalMs = values.balanceIntervalMs;
  if (values.balanceMovesMax !== undefined) input.balanceMovesMax = values.balanceMovesMax;
  const config = resolveControllerConfig(input);
  if (!config.ok) {
    const setting = controllerSettings.find((s) => config.message?.startsWith(s.flag));
    const message = config.message ?? config.error;
    return err('invalid_config', setting === undefined ? message : blame(setting.key, message));
  }
  const self = config.value.voters.find((v) => v.nodeId === config.value.nodeId);
  const raftPort = self?.port ?? 0;
  let servicePort = raftPort + servicePortOffset;
  if (values.servicePort !== undefined) {
    const parsed = integer(values.servicePort, 0, 65535);
    if (parsed === null) return err('invalid_config', blame('servicePort', 'service-port: must be an integer 0-65535'));
    servicePort = parsed;
  } else if (servicePort > 65535) {
    return err(
      'invalid_config',
      `service-port: the default (Raft port ${raftPort} + ${servicePortOffset}) is above 65535; give --service-port`,
    );
  }
  if (servicePort !== 0 && servicePort === raftPort) {
    return err('invalid_config', blame('servicePort', `service-port: ${servicePort} is this node's Raft port`));
  }
  if (servicePort !== 0 && servicePort === config.value.httpPort) {
    return err('invalid_config', blame('servicePort', `service-port: ${servicePort} is also the http-port`));
  }
  const numPartitions = integer(values.numPartitions ?? '1', 1, partitionsPerTopicMax);
  if (numPartitions === null) {
    return err(
      'invalid_config',
      blame('numPartitions', `num-partitions: must be an integer 1-${partitionsPerTopicMax}`),
    );
  }
  const replication = integer(values.defaultReplicationFactor ?? '1', 1, 32_767);
  if (replication === null) {
    return err(
      'invalid_config',
      blame('defaultReplicationFactor', 'default-replication-factor: must be an integer 1-32767'),
    );
  }
  const brokerConfig: Record<string, string> = {};
  for (const setting of brokerConfigSettings) {
    const raw = values[setting.key];
    if (raw === undefined) continue;
    const flag = controllerSettings.find((s) => s.key === setting.key)?.flag ?? setting.key;
    const text = raw.trim();
    if (setting.kind === 'boolean') {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        return err('invalid_config', blame(setting.key, `${flag}: "${raw}" must be true or false`));
      }
      brokerConfig[setting.name] = lower;
    } else {
      const n = integer(text, setting.min, setting.max);
      if (n === null) {
        return err('invalid_config', blame(setting.key, `${flag}: must be an integer ${setting.min}-${setting.max}`));
      }
      brokerConfig[setting.name] = String(n);
    }
  }
  const logLevel = values.logLevel ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    return err('invalid_config', blame('logLevel', `log-level: "${logLevel}" must be one of ${logLevels.join(', ')}`));
  }
  const logFormat = values.logFormat;
  if (logFormat !== undefined && !isLogFormat(logFormat)) {
    return err(
      'invalid_config',
      blame('logFormat', `log-format: "${logFormat}" must be one of ${logFormats.join(', ')}`),
    );
  }
  return ok({
    config: config.value,
    servicePort,
    numPartitions,
    defaultReplicationFactor: replication,
    brokerConfig,
    logLevel,
    ...(logFormat === undefined ? {} : { logFormat }),
  });
}

function integer(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}
