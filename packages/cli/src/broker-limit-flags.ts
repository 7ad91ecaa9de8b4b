/**
 * The broker's resource limits as flags of `runnel dev` and `runnel broker`,
 * which `runnel dev --brokers n` hands to every broker process: connection
 * limits (docs/resource-limits-connections.md), the request-bytes budget
 * (docs/resource-limits.md) and the offline log directory's probe
 * (docs/storage-faults.md). Unset, a broker keeps its defaults;
 * max.connections.per.ip, its overrides, max.connections and
 * max.connection.creation.rate can also change at run time as dynamic
 * broker configs (`runnel configs alter`).
 */
import type { BrokerConfig } from '@runnel/broker';
import { type Command, Option } from 'commander';
import { parseIntOption } from './options.ts';

export interface BrokerLimitOptions {
  maxConnectionsPerIp?: number;
  connectionsMaxIdleMs?: number;
  requestReadTimeoutMs?: number;
  queuedMaxRequestBytes?: number;
  logDirProbeIntervalMs?: number;
}

type BrokerLimitFields =
  | 'connectionsPerIpMax'
  | 'connectionsMaxIdleMs'
  | 'requestReadTimeoutMs'
  | 'queuedRequestBytesMax'
  | 'logDirProbeIntervalMs';

export function addBrokerLimitOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--max-connections-per-ip <n>',
        'max.connections.per.ip: client connections one address may hold; more are closed at once (default 1000)',
      )
        .argParser(parseIntOption)
        .env('RUNNEL_MAX_CONNECTIONS_PER_IP'),
    )
    .addOption(
      new Option(
        '--connections-max-idle-ms <ms>',
        'connections.max.idle.ms: close a client connection idle this long, -1 never (default 600000)',
      )
        .argParser(parseIntOption)
        .env('RUNNEL_CONNECTIONS_MAX_IDLE_MS'),
    )
    .addOption(
      new Option(
        '--request-read-timeout-ms <ms>',
        'runnel.request.read.timeout.ms: close a connection whose request has not fully arrived this long after its first byte, -1 never (default 60000)',
      )
        .argParser(parseIntOption)
        .env('RUNNEL_REQUEST_READ_TIMEOUT_MS'),
    )
    .addOption(
      new Option(
        '--queued-max-request-bytes <n>',
        'queued.max.request.bytes: request bytes read and not yet handled, all connections together; reading pauses when spent, -1 unbounded (default 268435456)',
      )
        .argParser(parseIntOption)
        .env('RUNNEL_QUEUED_MAX_REQUEST_BYTES'),
    )
    .addOption(
      new Option(
        '--log-dir-probe-interval-ms <ms>',
        'while the log directory is offline after a storage fault (ENOSPC, EIO), how often it is probed to bring it back without a restart (default 1000)',
      )
        .argParser(parseIntOption)
        .env('RUNNEL_LOG_DIR_PROBE_INTERVAL_MS'),
    );
}

/** The broker config fields the flags set (none when no flag was given). */
export function brokerLimitConfig(options: BrokerLimitOptions): Partial<Pick<BrokerConfig, BrokerLimitFields>> {
  return {
    ...(options.queuedMaxRequestBytes === undefined ? {} : { queuedRequestBytesMax: options.queuedMaxRequestBytes }),
    ...(options.logDirProbeIntervalMs === undefined ? {} : { logDirProbeIntervalMs: options.logDirProbeIntervalMs }),
    ...(options.maxConnectionsPerIp === undefined ? {} : { connectionsPerIpMax: options.maxConnectionsPerIp }),
    ...(options.connectionsMaxIdleMs === undefined ? {} : { connectionsMaxIdleMs: options.connectionsMaxIdleMs }),
    ...(options.requestReadTimeoutMs === undefined ? {} : { requestReadTimeoutMs: options.requestReadTimeoutMs }),
  };
}

/** The same flags for a `runnel broker` process that `runnel dev --brokers n` starts. */
export function brokerLimitArgs(options: BrokerLimitOptions): string[] {
  return [
    ...(options.queuedMaxRequestBytes === undefined
      ? []
      : [`--queued-max-request-bytes=${options.queuedMaxRequestBytes}`]),
    ...(options.logDirProbeIntervalMs === undefined
      ? []
      : [`--log-dir-probe-interval-ms=${options.logDirProbeIntervalMs}`]),
    ...(options.maxConnectionsPerIp === undefined ? [] : [`--max-connections-per-ip=${options.maxConnectionsPerIp}`]),
    ...(options.connectionsMaxIdleMs === undefined
      ? []
      : [`--connections-max-idle-ms=${options.connectionsMaxIdleMs}`]),
    ...(options.requestReadTimeoutMs === undefined
      ? []
      : [`--request-read-timeout-ms=${options.requestReadTimeoutMs}`]),
  ];
}
