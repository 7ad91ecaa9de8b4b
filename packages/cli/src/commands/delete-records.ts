/**
 * `runnel delete-records`: Kafka's kafka-delete-records.sh. Records below
 * an offset are deleted (the partition's log start moves there; whole
 * segments below it go from disk), through DeleteRecords on each
 * partition's leader, which answers once every live replica dropped them.
 * Either --topic/--partition/--offset, or Kafka's --offset-json-file
 * (`{"partitions":[{"topic":"t","partition":0,"offset":7}],"version":1}`).
 */
import { readFile } from 'node:fs/promises';
import type { KafkaClient } from '@runnel/client';
import { KafkaError } from '@runnel/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';
import { partitionsOf } from './get-offsets.ts';

interface DeleteRecordsOptions extends BootstrapOptions, OutputOptions {
  topic?: string;
  partition?: number;
  offset?: bigint;
  offsetJsonFile?: string;
  timeoutMs: number;
}

export interface Deletion {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface DeletionResult {
  topic: string;
  partition: number;
  /** The partition's new log start; -1 when it failed. */
  lowWatermark: bigint;
  error?: string;
}

function parseOffset(value: string): bigint {
  if (!/^-?\d+$/.test(value.trim()) || BigInt(value) < -1n) {
    throw new InvalidArgumentError(`"${value}" is not an offset (a whole number, or -1 for the high watermark)`);
  }
  return BigInt(value);
}

/** Kafka's offset JSON file; throws with what is wrong. */
export function parseOffsetJson(text: string): Deletion[] {
  const doc = JSON.parse(text) as unknown;
  const partitions = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions)) throw new Error('the offset JSON needs a "partitions" array');
  return partitions.map((p: unknown, i) => {
    const { topic, partition, offset } = (p ?? {}) as Record<string, unknown>;
    const offsetOk = typeof offset === 'number' || (typeof offset === 'string' && /^-?\d+$/.test(offset));
    if (typeof topic !== 'string' || typeof partition !== 'number' || !offsetOk) {
      throw new Error(`partitions[${i}] needs "topic" (string), "partition" and "offset" (numbers)`);
    }
    return { topic, partition, offset: BigInt(offset as number | string) };
  });
}

export function formatDeletions(results: readonly DeletionResult[]): string {
  return results
    .map((r) => {
      const where = `Topic: ${r.topic}\tPartition: ${r.partition}`;
      return r.error === undefined ? `${where}\tLow watermark: ${r.lowWatermark}\n` : `${where}\t${r.error}\n`;
    })
    .join('');
}

export function deleteRecordsCommand(): Command {
  return new Command('delete-records')
    .description('Delete the records below an offset: the partition then starts there')
    .option('--topic <name>', 'topic name')
    .addOption(
      new Option('--partition <n>', 'only this partition (default: every partition)').argParser(parseIntOption),
    )
    .addOption(
      new Option('--offset <n>', 'delete below this offset; -1: below the high watermark').argParser(parseOffset),
    )
    .option('--offset-json-file <path>', "Kafka's offset JSON file instead of --topic/--partition/--offset")
    .addOption(
      new Option('--timeout-ms <ms>', 'how long the leaders wait for every replica')
        .argParser(parseIntOption)
        .default(30_000),
    )
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Prints each partition's new low watermark (its first offset), or why not:
OFFSET_OUT_OF_RANGE past the high watermark, POLICY_VIOLATION on a topic
whose cleanup.policy is only compact. Exits 1 when any partition failed.

  runnel delete-records --topic orders --partition 0 --offset 1200
  runnel delete-records --topic orders --offset -1
  runnel delete-records --offset-json-file offsets.json --output json`,
    )
    .action(async (options: DeleteRecordsOptions) => {
      const byFile = options.offsetJsonFile !== undefined;
      if (byFile === (options.topic !== undefined) || (!byFile && options.offset === undefined)) {
        fail('give either --topic with --offset (and optionally --partition), or --offset-json-file');
        return;
      }
      let fromFile: Deletion[] | null = null;
      if (options.offsetJsonFile !== undefined) {
        try {
          fromFile = parseOffsetJson(await readFile(options.offsetJsonFile, 'utf8'));
        } catch (error) {
          fail(`${options.offsetJsonFile}: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
      }
      await withClient(options, async (client) => {
        const deletions = fromFile ?? (await deletionsFor(client, options));
        if (deletions === null) return;
        const results = await runDeletions(client, deletions, options.timeoutMs);
        if (results.some((r) => r.error !== undefined)) process.exitCode = 1;
        process.stdout.write(options.output === 'json' ? toJsonLine(results) : formatDeletions(results));
      });
    });
}

async function deletionsFor(client: KafkaClient, options: DeleteRecordsOptions): Promise<Deletion[] | null> {
  const topic = options.topic ?? '';
  const partitions = await partitionsOf(client, topic, options.partition);
  return partitions?.map((partition) => ({ topic, partition, offset: options.offset ?? -1n })) ?? null;
}

async function runDeletions(
  client: KafkaClient,
  deletions: readonly Deletion[],
  timeoutMs: number,
): Promise<DeletionResult[]> {
  return Promise.all(
    deletions.map(async ({ topic, partition, offset }) => {
      try {
        return { topic, partition, lowWatermark: await client.deleteRecords(topic, partition, offset, { timeoutMs }) };
      } catch (error) {
        if (!(error instanceof KafkaError)) throw error;
        return { topic, partition, lowWatermark: -1n, error: error.message };
      }
    }),
  );
}
