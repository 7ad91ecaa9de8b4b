/**
 * `runnel controller`: one member of the controller quorum as its own
 * process — Raft over gRPC to the other voters, the ControllerService for
 * brokers, and /metrics /healthz /readyz over HTTP.
 *
 * Exit codes: 0 after SIGTERM/SIGINT and a clean stop; 1 when the
 * controller fails while running (a failed Raft store write: restart it);
 * 2 when it refuses to start (a bad setting, an unreadable or unknown
 * config file entry, a corrupt or locked Raft store, a data dir of another
 * node, a port in use), with a one-line message on stderr saying what to fix.
 */
import type { Logger } from '@runnel/common';
import { createLogger } from '@runnel/common';
import {
  ControllerHttpServer,
  ControllerMetrics,
  NodeIdentityError,
  QuorumController,
  RaftStoreOpenError,
} from '@runnel/controller';
import { Command, Option } from 'commander';
import { readProperties } from '../config-file.ts';
import type { ControllerSettingValues, ControllerStartSettings } from '../controller-settings.ts';
import {
  controllerSettings,
  mergeControllerSettings,
  resolveControllerSettings,
  servicePortOffset,
} from '../controller-settings.ts';

const exitRefused = 2;

/** Thrown to refuse a start; carries the one line the operator reads. */
class StartRefused extends Error {}

const descriptions: Record<(typeof controllerSettings)[number]['key'], [string, string]> = {
  nodeId: ['<n>', "this controller's id; must be one of the voters"],
  voters: ['<voters>', 'every voter as id@host:port, comma-separated (the Raft ports)'],
  servicePort: [
    '<n>',
    `port of the broker-facing ControllerService (gRPC); default: this node's Raft port + ${servicePortOffset}; 0 = any`,
  ],
  dataDir: ['<dir>', 'where the Raft log, hard state and snapshots live (<dir>/raft)'],
  listenHost: ['<host>', 'interface every listener binds to (default 127.0.0.1)'],
  httpPort: ['<n>', 'port for /metrics, /healthz, /readyz; 0 = any (default: not served)'],
  tickMs: ['<ms>', 'one Raft tick every <ms> (default 100)'],
  electionTicks: ['<n>', 'election timeout in ticks, randomised up to twice this (default 10)'],
  heartbeatTicks: ['<n>', 'leader heartbeat interval in ticks (default 1)'],
  brokerSessionTimeoutMs: ['<ms>', 'a broker silent this long is fenced (default 9000)'],
  snapshotIntervalRecords: ['<n>', 'metadata records between snapshots (default 10000)'],
  leaderImbalanceCheckIntervalMs: ['<ms>', 'how often leaders are rebalanced onto preferred replicas (default 300000)'],
  balanceIntervalMs: [
    '<ms>',
    'how often replicas and leaders are balanced over brokers and decommissions drained (default 10000)',
  ],
  balanceMovesMax: ['<n>', 'partition moves in flight at most while balancing or draining (default 5)'],
  numPartitions: ['<n>', 'partitions of a topic created without a count (default 1)'],
  defaultReplicationFactor: ['<n>', 'replication factor of a topic created without one (default 1)'],
  minInsyncReplicas: ['<n>', 'cluster default of min.insync.replicas, for acks=all and ELR (default 1)'],
  uncleanLeaderElectionEnable: [
    '<bool>',
    'cluster default: elect an out-of-sync replica when no in-sync one is left (default false)',
  ],
  autoLeaderRebalanceEnable: ['<bool>', 'move leaders back to preferred replicas periodically (default true)'],
  autoBalanceEnable: [
    '<bool>',
    'cluster default: move replicas and leaders onto new brokers until balanced (default true)',
  ],
  leaderImbalancePerBrokerPercentage: [
    '<n>',
    "rebalance a broker's partitions when more than <n>% are led elsewhere (default 10)",
  ],
  logLevel: ['<level>', 'fatal, error, warn, info, debug, trace or silent (default info)'],
  logFormat: ['<format>', 'json or pretty (default: pretty when stdout is a terminal, json otherwise)'],
};

const example = `
Settings come from flags, then RUNNEL_* environment variables, then the
--config file (key=value lines), then defaults. Each flag above names its
variable and file key.

A 3-node quorum on one machine (Raft on 9093-9095, brokers connect to the
ControllerService on 9193-9195, metrics on 9701-9703):

  runnel controller --node-id 1 --voters 1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095 \\
    --data-dir ./data/c1 --http-port 9701 &
  runnel controller --node-id 2 --voters 1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095 \\
    --data-dir ./data/c2 --http-port 9702 &
  runnel controller --node-id 3 --voters 1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095 \\
    --data-dir ./data/c3 --http-port 9703 &

The same node from a file (runnel controller --config c1.properties):

  node.id=1
  controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095
  metadata.log.dir=./data/c1
  http.port=9701
  min.insync.replicas=2

Exit codes: 0 stopped by SIGTERM/SIGINT; 1 failed while running; 2 refused
to start (the message says what to fix).`;

export function controllerCommand(): Command {
  const command = new Command('controller').description(
    'Run one controller of the metadata quorum (Raft), serving brokers and metrics',
  );
  for (const s of controllerSettings) {
    const [arg, text] = descriptions[s.key];
    command.addOption(new Option(`--${s.flag} ${arg}`, `${text} [${s.env}, ${s.file.join(' or ')}]`));
  }
  command.addOption(new Option('--config <file>', 'a key=value properties file [RUNNEL_CONFIG]'));
  command.addHelpText('after', example);
  command.action(async (flags: ControllerSettingValues & { config?: string }) => {
    let settings: ControllerStartSettings;
    try {
      settings = await settingsFrom(flags, process.env);
    } catch (error) {
      refuse(error);
    }
    const logger = createLogger({
      level: settings.logLevel,
      name: 'runnel-controller',
      ...(settings.logFormat === undefined ? {} : { format: settings.logFormat }),
    });
    let running: RunningController;
    try {
      running = await startController(settings, logger);
    } catch (error) {
      refuse(error);
    }
    serveUntilSignalled(running, logger);
  });
  return command;
}

/** Merges and validates every source; throws StartRefused with the message for the operator. */
async function settingsFrom(
  flags: ControllerSettingValues & { config?: string },
  env: NodeJS.ProcessEnv,
): Promise<ControllerStartSettings> {
  const configPath = flags.config ?? (env.RUNNEL_CONFIG === '' ? undefined : env.RUNNEL_CONFIG);
  let file: { path: string; values: Map<string, string> } | null = null;
  if (configPath !== undefined) {
    const read = await readProperties(configPath);
    if (!read.ok) throw new StartRefused(read.message ?? read.error);
    file = { path: configPath, values: read.value };
  }
  const { config: _config, ...settingFlags } = flags;
  const merged = mergeControllerSettings({ flags: settingFlags, env, file });
  if (!merged.ok) throw new StartRefused(merged.message ?? merged.error);
  const resolved = resolveControllerSettings(merged.value);
  if (!resolved.ok) throw new StartRefused(resolved.message ?? resolved.error);
  return resolved.value;
}

interface RunningController {
  readonly controller: QuorumController;
  readonly http: ControllerHttpServer | null;
  stop(): Promise<void>;
}

/** Starts the quorum member and its HTTP endpoint; startup failures an operator can fix become StartRefused. */
export async function startController(settings: ControllerStartSettings, logger: Logger): Promise<RunningController> {
  const { config } = settings;
  const metrics = new ControllerMetrics({ defaultMetrics: true });
  let controller: QuorumController;
  try {
    controller = await QuorumController.start({
      config,
      servicePort: settings.servicePort,
      logger,
      observer: metrics,
      brokerDefaults: {
        numPartitions: settings.numPartitions,
        defaultReplicationFactor: settings.defaultReplicationFactor,
      },
      brokerConfig: settings.brokerConfig,
    });
  } catch (error) {
    if (error instanceof RaftStoreOpenError || error instanceof NodeIdentityError) {
      // At error level too, so log collectors see why this controller is not coming up.
      const file = error instanceof RaftStoreOpenError ? error.file : null;
      logger.error({ dir: config.dataDir, ...(file === null ? {} : { file }) }, error.message);
      throw new StartRefused(error.message);
    }
    const io = ioFailure(error);
    if (io !== null) {
      throw new StartRefused(
        `the Raft store in ${config.dataDir} cannot be opened (${io}); check that data-dir is this node's directory and is readable and writable`,
      );
    }
    if (error instanceof Error && error.message.startsWith('cannot listen')) {
      throw new StartRefused(`${error.message}; free the port or choose another`);
    }
    throw error;
  }
  metrics.attach(controller);
  let http: ControllerHttpServer | null = null;
  if (config.httpPort !== null) {
    try {
      http = await ControllerHttpServer.listen({
        host: config.listenHost,
        port: config.httpPort,
        registry: metrics.registry,
        ready: () => controller.leaderId !== 0,
        logger,
      });
    } catch (error) {
      await controller.stop();
      const reason = error instanceof Error ? error.message : String(error);
      throw new StartRefused(`http-port: cannot listen on ${config.listenHost}:${config.httpPort} (${reason})`);
    }
  }
  const raftPort = config.voters.find((v) => v.nodeId === config.nodeId)?.port ?? 0;
  logger.info(
    {
      nodeId: config.nodeId,
      raftPort,
      servicePort: controller.servicePort,
      httpPort: http?.port ?? null,
      pid: process.pid,
    },
    'controller started',
  );
  return {
    controller,
    http,
    async stop() {
      await http?.close();
      await controller.stop();
    },
  };
}

function serveUntilSignalled(running: RunningController, logger: Logger): void {
  let stopping = false;
  const exitAfterStop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(code),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'controller stop failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      exitAfterStop(0);
    });
  }
  void running.controller.failed.then((reason) => {
    logger.error({ reason }, 'controller failed; exiting so it restarts from what reached the disk');
    exitAfterStop(1);
  });
}

/** The innermost message of a file-system or LevelDB I/O failure, or null for anything else (a bug). */
function ioFailure(error: unknown): string | null {
  let current: unknown = error;
  let found: string | null = null;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code: unknown = Reflect.get(current, 'code');
    const syscall: unknown = Reflect.get(current, 'syscall');
    if ((typeof code === 'string' && code.startsWith('LEVEL_')) || typeof syscall === 'string') found = current.message;
    current = current.cause;
  }
  return found;
}

function refuse(error: unknown): never {
  if (!(error instanceof StartRefused)) throw error;
  process.stderr.write(`runnel controller: ${error.message.replaceAll('\n', ' ')}\n`);
  process.exit(exitRefused);
}
