/**
 * `runnel log-dirs`: Kafka's kafka-log-dirs.sh --describe. Asks each broker
 * (DescribeLogDirs) for its log directory: the filesystem's size and free
 * space, and each partition replica's size on disk and offset lag (how far
 * its log end is behind the high watermark it knows of).
 */
import type { KafkaClient } from '@runnel/client';
import { ApiKeys, type DescribeLogDirsResponse, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';

interface LogDirsOptions extends BootstrapOptions, OutputOptions {
  broker?: number[];
  topic?: string[];
}

export interface BrokerLogDirs {
  broker: number;
  error?: string;
  logDirs: {
    path: string;
    error?: string;
    totalBytes: bigint;
    usableBytes: bigint;
    partitions: { topic: string; partition: number; sizeBytes: bigint; offsetLag: bigint; isFuture: boolean }[];
  }[];
}

function parseIdList(value: string): number[] {
  const ids = value.split(',').map((s) => s.trim());
  if (ids.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError(`"${value}" is not a list of broker ids`);
  return ids.map((s) => Number.parseInt(s, 10));
}

export function toBrokerLogDirs(broker: number, response: DescribeLogDirsResponse): BrokerLogDirs {
  const top = response.errorCode ?? 0;
  return {
    broker,
    ...(top === 0 ? {} : { error: errorName(top) }),
    logDirs: response.results.map((r) => ({
      path: r.logDir,
      ...(r.errorCode === 0 ? {} : { error: errorName(r.errorCode) }),
      totalBytes: r.totalBytes ?? -1n,
      usableBytes: r.usableBytes ?? -1n,
      partitions: r.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          sizeBytes: p.partitionSize,
          offsetLag: p.offsetLag,
          isFuture: p.isFutureKey,
        })),
      ),
    })),
  };
}

export function formatLogDirs(brokers: readonly BrokerLogDirs[]): string {
  const lines: string[] = [];
  for (const b of brokers) {
    if (b.error !== undefined) lines.push(`Broker: ${b.broker}\t${b.error}`);
    for (const d of b.logDirs) {
      const space = d.totalBytes < 0n ? '' : `\tTotal bytes: ${d.totalBytes}\tUsable bytes: ${d.usableBytes}`;
      lines.push(`Broker: ${b.broker}\tLog dir: ${d.path}${d.error === undefined ? '' : `\t${d.error}`}${space}`);
      for (const p of d.partitions) {
        lines.push(
          `  ${p.topic}-${p.partition}\tSize bytes: ${p.sizeBytes}\tOffset lag: ${p.offsetLag}${p.isFuture ? '\tFuture' : ''}`,
        );
      }
    }
  }
  return lines.length === 0 ? 'No brokers.\n' : `${lines.join('\n')}\n`;
}

export function logDirsCommand(): Command {
  return new Command('log-dirs')
    .description("Describe each broker's log directory: disk space, partition sizes and offset lag")
    .addOption(
      new Option('--broker <ids>', 'only these brokers, comma-separated (default: all)').argParser(parseIdList),
    )
    .addOption(
      new Option('--topic <names>', 'only these topics, comma-separated (default: all)').argParser((v: string) =>
        v.split(',').map((s) => s.trim()),
      ),
    )
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
  runnel log-dirs
  runnel log-dirs --broker 1,2 --topic orders --output json`,
    )
    .action((options: LogDirsOptions) => withClient(options, (client) => describeLogDirs(client, options)));
}

async function describeLogDirs(client: KafkaClient, options: LogDirsOptions): Promise<void> {
  const metadata = await client.metadata(options.topic ?? null);
  const brokers = metadata.brokers
    .filter((b) => options.broker?.includes(b.nodeId) ?? true)
    .sort((a, b) => a.nodeId - b.nodeId);
  const missing = (options.broker ?? []).filter((id) => !brokers.some((b) => b.nodeId === id));
  if (missing.length > 0) {
    fail(`no live broker with id ${missing.join(',')}`);
    return;
  }
  // Partition lists come from metadata: a request naming them returns only those (null would list every topic).
  const topics =
    options.topic === undefined
      ? null
      : metadata.topics
          .filter((t) => t.errorCode === 0)
          .map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partition) }));
  const results: BrokerLogDirs[] = [];
  for (const b of brokers) {
    const connection = await client.connectionTo({ host: b.host, port: b.port });
    results.push(toBrokerLogDirs(b.nodeId, await connection.request(ApiKeys.DescribeLogDirs, { topics })));
  }
  process.stdout.write(options.output === 'json' ? toJsonLine(results) : formatLogDirs(results));
}
