/**
 * `runnel consume <topic>`: prints one partition's records to stdout, one
 * value per line (kcat -C style), optionally prefixed with offset, headers
 * and key. Starts at the log end unless told otherwise; runs until Ctrl-C,
 * --max-messages, or (with --exit-at-end) the high watermark. With a
 * registry format (record-formats.ts) keys and values are decoded and
 * printed in the format's JSON form.
 */
import { once } from 'node:events';
import type { ConsumedRecord, KafkaClient } from '@runnel/client';
import { RegistryDeserializer, SerdeError } from '@runnel/schema-serde';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import {
  formatOption,
  partDeserializer,
  type RecordFormat,
  type RegistryOptions,
  registryClient,
  registryOption,
  withSerdeErrors,
} from '../record-formats.ts';

interface ConsumeCommandOptions extends BootstrapOptions, RegistryOptions {
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
  partition: number;
  fromBeginning?: boolean;
  offset?: bigint;
  maxMessages?: number;
  exitAtEnd?: boolean;
  printKey?: boolean;
  printOffset?: boolean;
  printHeaders?: boolean;
  keySeparator: string;
}

/** Lines are gathered up to this many bytes per stdout write. */
const writeBytesMax = 64 * 1024;

export function consumeCommand(): Command {
  return new Command('consume')
    .description('Print records of a topic partition to stdout, one value per line')
    .argument('<topic>', 'topic to read')
    .addOption(new Option('--partition <n>', 'partition to read').default(0).argParser(parseIntOption))
    .addOption(
      new Option('--from-beginning', 'start at the earliest offset (default: the log end)').conflicts('offset'),
    )
    .addOption(new Option('--offset <n>', 'start at this offset').argParser(parseOffset))
    .addOption(new Option('--max-messages <n>', 'exit after printing this many records').argParser(parseIntOption))
    .addOption(new Option('--exit-at-end', 'exit when the high watermark is reached instead of waiting for more'))
    .addOption(new Option('--print-key', 'print the key before the value'))
    .addOption(new Option('--print-offset', 'print the offset first'))
    .addOption(new Option('--print-headers', 'print headers (k=v,k2=v2) before the key and value'))
    .addOption(new Option('--key-separator <s>', 'separator between printed fields').default('\t', '"\\t"'))
    .addOption(formatOption('value'))
    .addOption(formatOption('key'))
    .addOption(registryOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Registry formats (avro, json, protobuf): each record's schema id is read from its bytes and the schema
fetched from the registry once; the value (key) prints as one line of JSON: Avro's JSON encoding for
avro (unions wrapped), the JSON itself for json, protobufjs's object form for protobuf.

  runnel consume orders --value-format avro --from-beginning --exit-at-end`,
    )
    .action((topic: string, options: ConsumeCommandOptions) =>
      withClient(options, (client) => withSerdeErrors(() => consumeToStdout(client, topic, options))),
    );
}

async function consumeToStdout(client: KafkaClient, topic: string, options: ConsumeCommandOptions): Promise<void> {
  const abort = new AbortController();
  const onSigint = (): void => {
    abort.abort();
    client.close();
  };
  process.once('SIGINT', onSigint);
  const from = options.offset ?? (options.fromBeginning === true ? 'earliest' : 'latest');
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  let printed = 0;
  let pending = '';
  const deserializer = new RegistryDeserializer(registryClient(options));
  const decodeKey = partDeserializer(deserializer, options.keyFormat);
  const decodeValue = partDeserializer(deserializer, options.valueFormat);
  // Only what is printed is decoded: a registry format's key costs nothing unless --print-key asks for it.
  const printsKey = options.printKey === true;
  try {
    if (limit <= 0) return;
    const records = client.consume(topic, options.partition, {
      from,
      stopAtEnd: options.exitAtEnd === true,
      signal: abort.signal,
    });
    for await (const record of records) {
      const key = printsKey ? decodeKey(record.key) : '';
      const value = decodeValue(record.value);
      pending += formatRecord(
        record,
        options,
        typeof key === 'string' ? key : await atOffset(record, 'key', key),
        typeof value === 'string' ? value : await atOffset(record, 'value', value),
      );
      printed++;
      if (pending.length >= writeBytesMax) {
        await writeOut(pending);
        pending = '';
      }
      if (printed >= limit) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await writeOut(pending);
  }
}

/** One output line; `key` and `value` are the record's key and value as text (decoded for registry formats). */
export function formatRecord(
  record: ConsumedRecord,
  options: ConsumeCommandOptions,
  key: string,
  value: string,
): string {
  const sep = options.keySeparator;
  let line = '';
  if (options.printOffset === true) line += `${record.offset}${sep}`;
  if (options.printHeaders === true) {
    line += `${record.headers.map((h) => `${h.key}=${h.value?.toString() ?? ''}`).join(',')}${sep}`;
  }
  if (options.printKey === true) line += `${key}${sep}`;
  return `${line}${value}\n`;
}

/** A record that does not decode stops the command, naming where it is (what was printed before stays printed). */
async function atOffset(record: ConsumedRecord, part: 'key' | 'value', decoding: Promise<string>): Promise<string> {
  try {
    return await decoding;
  } catch (error) {
    if (!(error instanceof SerdeError)) throw error;
    throw new SerdeError(`${record.topic}[${record.partition}] offset ${record.offset} ${part}: ${error.message}`);
  }
}

async function writeOut(text: string): Promise<void> {
  if (text === '') return;
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

function parseOffset(value: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an offset (a whole number >= 0)`);
  return BigInt(value.trim());
}
