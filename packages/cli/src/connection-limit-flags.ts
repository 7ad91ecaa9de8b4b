/**
 * The broker's connection limits as flags of `runnel dev` and `runnel
 * broker` (docs/resource-limits-connections.md). Unset, a broker keeps its
 * defaults; max.connections.per.ip, its overrides, max.connections and
 * max.connection.creation.rate can also change at run time as dynamic
 * broker configs (`runnel configs alter`).
 */
import type { BrokerConfig } from '@runnel/broker';
import { type Command, Option } from 'commander';
import { parseIntOption } from './options.ts';

export interface ConnectionLimitOptions {
  maxConnectionsPerIp?: number;
  connectionsMaxIdleMs?: number;
  requestReadTimeoutMs?: number;
}

type ConnectionLimitFields = 'connectionsPerIpMax' | 'connectionsMaxIdleMs' | 'requestReadTimeoutMs';

export function addConnectionLimitOptions(command: Command): Command {
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
    );
}

/** The broker config fields the flags set (none when no flag was given). */
export function connectionLimitConfig(
  options: ConnectionLimitOptions,
): Partial<Pick<BrokerConfig, ConnectionLimitFields>> {
  return {
    ...(options.maxConnectionsPerIp === undefined ? {} : { connectionsPerIpMax: options.maxConnectionsPerIp }),
    ...(options.connectionsMaxIdleMs === undefined ? {} : { connectionsMaxIdleMs: options.connectionsMaxIdleMs }),
    ...(options.requestReadTimeoutMs === undefined ? {} : { requestReadTimeoutMs: options.requestReadTimeoutMs }),
  };
}

/** The same flags for a `runnel broker` process that `runnel dev --brokers n` starts. */
export function connectionLimitArgs(options: ConnectionLimitOptions): string[] {
  return [
    ...(options.maxConnectionsPerIp === undefined ? [] : [`--max-connections-per-ip=${options.maxConnectionsPerIp}`]),
    ...(options.connectionsMaxIdleMs === undefined
      ? []
      : [`--connections-max-idle-ms=${options.connectionsMaxIdleMs}`]),
    ...(options.requestReadTimeoutMs === undefined
      ? []
      : [`--request-read-timeout-ms=${options.requestReadTimeoutMs}`]),
  ];
}
