/**
 * `runnel produce <topic>`: one record per stdin line (kcat -P style),
 * sent in batches of --batch-size records, one request in flight at a time
 * so records land in input order. A summary goes to stderr.
 */
import { createInterface } from 'node:readline';
import type { Acks, KafkaClient } from '@runnel/client';
import type { CompressionCodec, KafkaRecord, RecordHeader } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, collectKeyValue, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';

interface ProduceCommandOptions extends BootstrapOptions {
  partition: number;
  keySeparator?: string;
  header?: [string, string][];
  compression: CompressionCodec;
  acks: Acks;
  batchSize: number;
}

const codecs: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function produceCommand(): Command {
  return new Command('produce')
    .description('Produce stdin lines as records, one record per line')
    .argument('<topic>', 'topic to write to')
    .addOption(new Option('--partition <n>', 'partition to write to').default(0).argParser(parseIntOption))
    .addOption(
      new Option(
        '--key-separator <s>',
        'split each line at the first <s> into key and value (lines without it get a null key)',
      ),
    )
    .addOption(
      new Option('--header <key=value>', 'header added to every record; repeat for more').argParser(collectKeyValue),
    )
    .addOption(new Option('--compression <codec>', 'batch compression').choices(codecs).default('none'))
    .addOption(
      new Option('--acks <acks>', 'acknowledgement: -1 (all in-sync replicas), 1 (leader), 0 (none)')
        .default(-1)
        .argParser(parseAcks),
    )
    .addOption(new Option('--batch-size <n>', 'records per produce request').default(1000).argParser(parsePositive))
    .addOption(bootstrapOption())
    .action((topic: string, options: ProduceCommandOptions) =>
      withClient(options, (client) => produceLines(client, topic, options)),
    );
}

async function produceLines(client: KafkaClient, topic: string, options: ProduceCommandOptions): Promise<void> {
  const headers: RecordHeader[] = (options.header ?? []).map(([key, value]) => ({ key, value: Buffer.from(value) }));
  const produceOptions = { acks: options.acks, compression: options.compression };
  let batch: KafkaRecord[] = [];
  let records = 0;
  let batches = 0;
  let firstOffset: bigint | null = null;
  let lastOffset = -1n;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sent = batch;
    batch = [];
    const { baseOffset } = await client.produce(topic, options.partition, sent, produceOptions);
    records += sent.length;
    batches += 1;
    if (baseOffset >= 0n) {
      firstOffset ??= baseOffset;
      lastOffset = baseOffset + BigInt(sent.length - 1);
    }
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    batch.push(toRecord(line, options.keySeparator, headers));
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  const offsets = firstOffset === null ? '' : `, offsets ${firstOffset}..${lastOffset}`;
  process.stderr.write(
    `Produced ${records} records in ${batches} batches to ${topic}[${options.partition}]${offsets}\n`,
  );
}

export function toRecord(line: string, keySeparator: string | undefined, headers: RecordHeader[]): KafkaRecord {
  const at = keySeparator === undefined || keySeparator === '' ? -1 : line.indexOf(keySeparator);
  if (at < 0) return { key: null, value: Buffer.from(line), headers };
  return {
    key: Buffer.from(line.slice(0, at)),
    value: Buffer.from(line.slice(at + (keySeparator?.length ?? 0))),
    headers,
  };
}

function parseAcks(value: string): Acks {
  if (value === '-1' || value === 'all') return -1;
  if (value === '0') return 0;
  if (value === '1') return 1;
  throw new InvalidArgumentError('acks must be -1 (or all), 0 or 1');
}

function parsePositive(value: string): number {
  const n = parseIntOption(value);
  if (n < 1) throw new InvalidArgumentError('must be at least 1');
  return n;
}
