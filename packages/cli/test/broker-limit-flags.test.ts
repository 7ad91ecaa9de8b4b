import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addBrokerLimitOptions, brokerLimitArgs, brokerLimitConfig } from '../src/broker-limit-flags.ts';
import { brokerArgs } from '../src/dev-cluster.ts';

function parse(args: string[]): Record<string, unknown> {
  const command = addBrokerLimitOptions(new Command('probe').exitOverride());
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('broker limit flags', () => {
  it('set the broker config fields they name, and nothing when absent', () => {
    const options = parse([
      '--max-connections-per-ip',
      '50',
      '--connections-max-idle-ms=-1',
      '--request-read-timeout-ms',
      '250',
      '--queued-max-request-bytes=1048576',
      '--log-dir-probe-interval-ms',
      '50',
    ]);
    expect(brokerLimitConfig(options)).toEqual({
      connectionsPerIpMax: 50,
      connectionsMaxIdleMs: -1,
      requestReadTimeoutMs: 250,
      queuedRequestBytesMax: 1_048_576,
      logDirProbeIntervalMs: 50,
    });
    expect(brokerLimitConfig(parse([]))).toEqual({});
  });

  it('runnel dev --brokers n hands the same values to every broker process', () => {
    const given = {
      maxConnectionsPerIp: 7,
      connectionsMaxIdleMs: 1000,
      queuedMaxRequestBytes: 4096,
      logDirProbeIntervalMs: 20,
    };
    expect(parse(brokerLimitArgs(given))).toEqual(given);
    const args = brokerArgs(
      {
        controllers: 1,
        brokers: 2,
        firstBrokerId: 1,
        dataDir: 'data',
        host: '127.0.0.1',
        basePort: 9092,
        httpBasePort: 9644,
        partitions: 1,
        autoCreateTopics: true,
        transactionPartitionVerification: true,
        transactionVersion: 2,
        flushMessages: 1,
        groupInitialRebalanceDelayMs: 0,
        logLevel: 'info',
        brokerLimits: given,
      },
      2,
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '--max-connections-per-ip=7',
        '--connections-max-idle-ms=1000',
        '--queued-max-request-bytes=4096',
        '--log-dir-probe-interval-ms=20',
      ]),
    );
  });
});
