/**
 * `runnel produce <topic>`: one record per stdin line (kcat -P style),
 * sent in batches of --batch-size records, one request in flight at a time
 * so records land in input order. A summary goes to stderr. With a
 * registry format (record-formats.ts) each key and value is the format's
 * JSON form and is written in the registry's wire format.
 */
import { createInterface } from 'node:readline';
import type { Acks, KafkaClient } from '@runnel/client';
import type { CompressionCodec, KafkaRecord, RecordHeader } from '@runnel/protocol';
import { SerdeError } from '@runnel/schema-serde';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, collectKeyValue, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import {
  autoRegisterOption,
  partOptions,
  partSerializer,
  type RegistryOptions,
  registryClient,
  registryOption,
  serializerOptions,
  withSerdeErrors,
} from '../record-formats.ts';

/** Turns one line's key or value text into record bytes. */
type Encode = (text: string) => Buffer;

interface ProduceCommandOptions extends BootstrapOptions, RegistryOptions {
  partition: number;
  keySeparator?: string;
  header?: [string, string][];
  compression: CompressionCodec;
  acks: Acks;
  batchSize: number;
}

const codecs: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export function produceCommand(): Command {
  const command = new Command('produce')
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
    .addOption(bootstrapOption());
  for (const option of [...serializerOptions('value'), ...serializerOptions('key')]) command.addOption(option);
  return command
    .addOption(autoRegisterOption())
    .addOption(registryOption())
    .addHelpText(
      'after',
      `
Registry formats (avro, json, protobuf): each line's value (and key, split off with --key-separator) is
the format's JSON form; Avro uses Avro's JSON encoding, unions wrapped: {"note": {"string": "gift"}}.
The schema is registered under the subject <topic>-value (<topic>-key) once, before any line is read
(as Confluent's auto.register.schemas); an incompatible schema is refused with the registry's 409.

  printf '{"id": 1, "item": "book"}\\n' | runnel produce orders --value-format avro \\
    --value-schema '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"}]}'
  runnel produce orders --value-format avro --value-schema-id 1 < orders.jsonl
  runnel produce shapes --value-format protobuf --value-schema shapes.proto --value-message Circle < circles.jsonl`,
    )
    .action((topic: string, options: ProduceCommandOptions) =>
      withClient(options, (client) => withSerdeErrors(() => produceLines(client, topic, options))),
    );
}

async function produceLines(client: KafkaClient, topic: string, options: ProduceCommandOptions): Promise<void> {
  const keyOptions = partOptions(options, 'key');
  if (keyOptions.format !== 'string' && (options.keySeparator ?? '') === '') {
    throw new SerdeError(`--key-format ${keyOptions.format} needs --key-separator to split keys from values`);
  }
  const registry = registryClient(options);
  const encodeValue = await partSerializer(registry, topic, 'value', partOptions(options, 'value'));
  const encodeKey = await partSerializer(registry, topic, 'key', keyOptions);
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
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    let record: KafkaRecord;
    try {
      record = toRecord(line, options.keySeparator, headers, encodeKey, encodeValue);
    } catch (error) {
      if (!(error instanceof SerdeError)) throw error;
      // As a console producer sending line by line would: the lines before the bad one are written.
      await flush();
      throw new SerdeError(`line ${lineNumber}: ${error.message} (${records} records produced before it)`);
    }
    batch.push(record);
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  const offsets = firstOffset === null ? '' : `, offsets ${firstOffset}..${lastOffset}`;
  process.stderr.write(
    `Produced ${records} records in ${batches} batches to ${topic}[${options.partition}]${offsets}\n`,
  );
}

export function toRecord(
  line: string,
  keySeparator: string | undefined,
  headers: RecordHeader[],
  encodeKey: Encode,
  encodeValue: Encode,
): KafkaRecord {
  const at = keySeparator === undefined || keySeparator === '' ? -1 : line.indexOf(keySeparator);
  if (at < 0) return { key: null, value: encodeValue(line), headers };
  return {
    key: encodeKey(line.slice(0, at)),
    value: encodeValue(line.slice(at + (keySeparator?.length ?? 0))),
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
