/**
 * `runnel get-offsets`: what Kafka's kafka-get-offsets.sh prints, through
 * ListOffsets on each partition's leader: the earliest offset (log start),
 * the latest (high watermark), the offset of the record with the largest
 * timestamp (max-timestamp, ListOffsets v7+ / KIP-734), or the first offset
 * whose timestamp is at or after a time (milliseconds, or an ISO-8601 date).
 */
import type { KafkaClient } from '@runnel/client';
import { KafkaError } from '@runnel/client';
import { ErrorCode, errorDescription, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';

interface GetOffsetsOptions extends BootstrapOptions, OutputOptions {
  topic: string;
  partition?: number;
  time: bigint;
}

/** ListOffsets' special timestamps. */
export const offsetSpecs = { latest: -1n, earliest: -2n, 'max-timestamp': -3n } as const;

export interface OffsetLine {
  topic: string;
  partition: number;
  /** -1 when no record is at or after the time asked for. */
  offset: bigint;
  /** The found record's timestamp for a time or max-timestamp lookup; -1 otherwise. */
  timestamp: bigint;
  error?: string;
}

/** `--time`: a name, milliseconds since the epoch, or an ISO-8601 date. */
export function parseTimeSpec(value: string): bigint {
  const named = offsetSpecs[value as keyof typeof offsetSpecs];
  if (named !== undefined) return named;
  if (/^\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < 0) {
    throw new InvalidArgumentError(
      `"${value}" is not earliest, latest, max-timestamp, milliseconds or an ISO-8601 date`,
    );
  }
  return BigInt(ms);
}

export function formatOffsets(lines: readonly OffsetLine[]): string {
  return lines
    .map((l) =>
      l.error === undefined ? `${l.topic}:${l.partition}:${l.offset}` : `${l.topic}:${l.partition}:${l.error}`,
    )
    .map((l) => `${l}\n`)
    .join('');
}

export function getOffsetsCommand(): Command {
  return new Command('get-offsets')
    .description('Print topic:partition:offset for the earliest, latest or max-timestamp offset, or for a time')
    .requiredOption('--topic <name>', 'topic name')
    .addOption(
      new Option('--partition <n>', 'only this partition (default: every partition)').argParser(parseIntOption),
    )
    .addOption(
      new Option('--time <spec>', 'earliest, latest, max-timestamp, milliseconds since the epoch, or an ISO-8601 date')
        .argParser(parseTimeSpec)
        .default(offsetSpecs.latest, 'latest'),
    )
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
For a time, the offset is the first record whose timestamp is at or after it;
-1 when there is none. Exits 1 when any partition could not be answered.

  runnel get-offsets --topic orders --time earliest
  runnel get-offsets --topic orders --partition 0 --time 2026-01-01T00:00:00Z --output json`,
    )
    .action((options: GetOffsetsOptions) => withClient(options, (client) => getOffsets(client, options)));
}

async function getOffsets(client: KafkaClient, options: GetOffsetsOptions): Promise<void> {
  const partitions = await partitionsOf(client, options.topic, options.partition);
  if (partitions === null) return;
  const lines: OffsetLine[] = [];
  for (const partition of partitions) {
    try {
      const found = await client.listOffsets(options.topic, partition, options.time);
      lines.push({ topic: options.topic, partition, offset: found.offset, timestamp: found.timestamp });
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error;
      process.exitCode = 1;
      lines.push({ topic: options.topic, partition, offset: -1n, timestamp: -1n, error: error.message });
    }
  }
  process.stdout.write(options.output === 'json' ? toJsonLine(lines) : formatOffsets(lines));
}

/** The partitions to ask about: `only`, or every partition of `topic`; null (after printing why) when unknown. */
export async function partitionsOf(
  client: KafkaClient,
  topic: string,
  only: number | undefined,
): Promise<number[] | null> {
  const metadata = await client.metadata([topic]);
  const found = metadata.topics.find((t) => t.name === topic);
  const code = found?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const indexes = found?.partitions.map((p) => p.partition) ?? [];
  if (code !== ErrorCode.NONE || (only !== undefined && !indexes.includes(only))) {
    const shown = code === ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : code;
    fail(`${errorName(shown)}: ${errorDescription(shown)} (${topic}${only === undefined ? '' : `-${only}`})`);
    return null;
  }
  return only === undefined ? indexes : [only];
}
