/**
 * `runnel transactions list|describe|describe-producers|find-hanging|abort`:
 * transaction administration with the semantics of Kafka's
 * kafka-transactions.sh, through ListTransactions (every broker),
 * DescribeTransactions (the id's coordinator), DescribeProducers (each
 * partition's leader) and WriteTxnMarkers (to end a hanging transaction).
 * Tables by default, `--json` for scripts (int64 values as strings).
 */
import {
  findHangingTransactions,
  type HangingTransaction,
  type KafkaClient,
  KafkaError,
  type PartitionProducers,
  type TopicPartitionRef,
  TransactionsAdmin,
} from '@runnel/client';
import { ErrorCode, errorDescription, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import { formatTable } from './groups.ts';

interface OutputOptions extends BootstrapOptions {
  json?: boolean;
}

interface ListOptions extends OutputOptions {
  state?: string[];
  producerId?: bigint[];
  durationFilter?: number;
  transactionalIdPattern?: string;
}

interface PartitionOptions extends OutputOptions {
  topic?: string;
  partition?: number;
}

interface FindHangingOptions extends PartitionOptions {
  maxTransactionTimeout: number;
}

interface AbortOptions extends OutputOptions {
  topic: string;
  partition: number;
  startOffset: bigint;
}

/** transaction.max.timeout.ms's default, in minutes (kafka-transactions.sh's --max-transaction-timeout). */
const maxTransactionTimeoutMinutesDefault = 15;

export function transactionsCommand(): Command {
  const txns = new Command('transactions').description(
    'List and describe transactions and producers; find and abort hanging transactions',
  );
  const output = () => new Option('--json', 'print JSON instead of a table');
  txns
    .command('list')
    .description('List the transactional ids of every coordinator: id, coordinator, producer id, state')
    .addOption(new Option('--state <state...>', 'only these states (Ongoing, PrepareCommit, CompleteAbort, ...)'))
    .addOption(new Option('--producer-id <id...>', 'only these producer ids').argParser(collectBigInt))
    .addOption(
      new Option('--duration-filter <ms>', 'only transactions open longer than this many ms').argParser(parseIntOption),
    )
    .option('--transactional-id-pattern <regex>', 'only ids this regular expression matches as a whole')
    .addOption(output())
    .addOption(bootstrapOption())
    .action((options: ListOptions) => withClient(options, (client) => listTransactions(client, options)));
  txns
    .command('describe')
    .description(
      "Show a transactional id as its coordinator sees it: state, producer, timeout, open transaction's partitions",
    )
    .requiredOption('--transactional-id <id>', 'the transactional id')
    .addOption(output())
    .addOption(bootstrapOption())
    .action((options: OutputOptions & { transactionalId: string }) =>
      withClient(options, (client) => describeTransaction(client, options.transactionalId, options)),
    );
  txns
    .command('describe-producers')
    .description("Show the producer state a partition's leader keeps: epochs, sequences, open transactions")
    .requiredOption('--topic <name>', 'topic')
    .addOption(new Option('--partition <n>', 'only this partition (default: all)').argParser(parseIntOption))
    .addOption(output())
    .addOption(bootstrapOption())
    .action((options: PartitionOptions) => withClient(options, (client) => describeProducers(client, options)));
  txns
    .command('find-hanging')
    .description(
      'Find transactions open longer than the maximum transaction timeout that no coordinator is completing; ' +
        'they hold the last stable offset, so read_committed consumers stop behind them',
    )
    .option('--topic <name>', 'only this topic (default: every topic)')
    .addOption(new Option('--partition <n>', 'only this partition (needs --topic)').argParser(parseIntOption))
    .addOption(
      new Option('--max-transaction-timeout <minutes>', "the cluster's transaction.max.timeout.ms, in minutes")
        .argParser(parseMinutes)
        .default(maxTransactionTimeoutMinutesDefault),
    )
    .addOption(output())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
A transaction hangs when its producer has not written for longer than
--max-transaction-timeout and its coordinator does not list the partition in
an Ongoing (or preparing) transaction of that producer. End one with
\`runnel transactions abort\` and the printed topic, partition and start offset.`,
    )
    .action((options: FindHangingOptions) => {
      if (options.partition !== undefined && options.topic === undefined) {
        fail('--partition needs --topic');
        return;
      }
      return withClient(options, (client) => findHanging(client, options));
    });
  txns
    .command('abort')
    .description(
      'Abort the hanging transaction that starts at an offset of a partition: writes an ABORT marker for its producer',
    )
    .requiredOption('--topic <name>', 'topic')
    .addOption(new Option('--partition <n>', 'partition').argParser(parseIntOption).makeOptionMandatory())
    .addOption(
      new Option('--start-offset <offset>', 'first offset of the transaction (find-hanging prints it)')
        .argParser(parseBigInt)
        .makeOptionMandatory(),
    )
    .addOption(output())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Only for transactions that find-hanging reports: aborting one its producer is
still writing fences nothing, and the producer's next commit fails.

  runnel transactions abort --topic orders --partition 0 --start-offset 1234`,
    )
    .action((options: AbortOptions) => withClient(options, (client) => abortTransaction(client, options)));
  return txns;
}

async function listTransactions(client: KafkaClient, options: ListOptions): Promise<void> {
  const listing = await new TransactionsAdmin(client).listTransactions({
    ...(options.state === undefined ? {} : { states: options.state }),
    ...(options.producerId === undefined ? {} : { producerIds: options.producerId }),
    ...(options.durationFilter === undefined ? {} : { durationMs: options.durationFilter }),
    ...(options.transactionalIdPattern === undefined ? {} : { transactionalIdPattern: options.transactionalIdPattern }),
  });
  if (options.json === true) print(listing.transactions);
  else if (listing.transactions.length === 0) process.stdout.write('No transactional ids.\n');
  else {
    process.stdout.write(
      formatTable(
        ['TRANSACTIONAL-ID', 'COORDINATOR', 'PRODUCER-ID', 'STATE'],
        listing.transactions.map((t) => [t.transactionalId, String(t.coordinator), String(t.producerId), t.state]),
      ),
    );
  }
  if (listing.unknownStateFilters.length > 0) fail(`unknown states: ${listing.unknownStateFilters.join(', ')}`);
  for (const f of listing.failures) {
    fail(`broker ${f.nodeId} did not answer (${f.message}); the ids it coordinates are missing`);
  }
}

async function describeTransaction(
  client: KafkaClient,
  transactionalId: string,
  options: OutputOptions,
): Promise<void> {
  const t = await new TransactionsAdmin(client).describeTransaction(transactionalId);
  if (t.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(t.errorCode)}: ${errorDescription(t.errorCode)} (transactional id ${transactionalId})`);
    return;
  }
  if (options.json === true) {
    print(t);
    return;
  }
  const open = t.startTimeMs >= 0n;
  process.stdout.write(
    formatTable(
      [
        'COORDINATOR',
        'TRANSACTIONAL-ID',
        'PRODUCER-ID',
        'PRODUCER-EPOCH',
        'STATE',
        'TIMEOUT-MS',
        'START-TIME',
        'DURATION-MS',
        'PARTITIONS',
      ],
      [
        [
          String(t.coordinator),
          t.transactionalId,
          String(t.producerId),
          String(t.producerEpoch),
          t.state,
          String(t.transactionTimeoutMs),
          open ? new Date(Number(t.startTimeMs)).toISOString() : '-',
          open ? String(Date.now() - Number(t.startTimeMs)) : '-',
          t.partitions.map((p) => `${p.topic}-${p.partition}`).join(',') || '-',
        ],
      ],
    ),
  );
}

async function describeProducers(client: KafkaClient, options: PartitionOptions): Promise<void> {
  const described = await new TransactionsAdmin(client).describeProducers(await partitionsOf(client, options));
  if (options.json === true) {
    print(described);
  } else {
    const rows = described.flatMap((p) =>
      p.producers.map((s) => [
        p.topic,
        String(p.partition),
        String(s.producerId),
        String(s.producerEpoch),
        String(s.coordinatorEpoch),
        String(s.lastSequence),
        s.lastTimestampMs < 0n ? '-' : new Date(Number(s.lastTimestampMs)).toISOString(),
        s.currentTxnStartOffset === null ? '-' : String(s.currentTxnStartOffset),
      ]),
    );
    process.stdout.write(
      rows.length === 0
        ? 'No producer state.\n'
        : formatTable(
            [
              'TOPIC',
              'PARTITION',
              'PRODUCER-ID',
              'PRODUCER-EPOCH',
              'COORDINATOR-EPOCH',
              'LAST-SEQUENCE',
              'LAST-TIMESTAMP',
              'CURRENT-TXN-START-OFFSET',
            ],
            rows,
          ),
    );
  }
  failedPartitions(described);
}

async function findHanging(client: KafkaClient, options: FindHangingOptions): Promise<void> {
  const admin = new TransactionsAdmin(client);
  const described = await admin.describeProducers(await partitionsOf(client, options));
  const answered = described.filter((p) => p.errorCode === ErrorCode.NONE);
  const hanging = await findHangingTransactions(
    answered,
    { nowMs: Date.now(), maxTransactionTimeoutMs: options.maxTransactionTimeout * 60_000 },
    {
      listByProducerIds: async (producerIds) => {
        const listing = await admin.listTransactions({ producerIds });
        const failed = listing.failures[0];
        // An id missing because its coordinator did not answer would look hanging: refuse to guess.
        if (failed !== undefined)
          throw new KafkaError(
            ErrorCode.COORDINATOR_NOT_AVAILABLE,
            `broker ${failed.nodeId} did not answer ListTransactions (${failed.message})`,
          );
        return listing.transactions;
      },
      describe: (id) => admin.describeTransaction(id),
    },
  );
  if (options.json === true) print(hanging);
  else process.stdout.write(hanging.length === 0 ? 'No hanging transactions.\n' : formatHanging(hanging));
  failedPartitions(described);
}

export function formatHanging(hanging: readonly HangingTransaction[]): string {
  return formatTable(
    [
      'TOPIC',
      'PARTITION',
      'PRODUCER-ID',
      'PRODUCER-EPOCH',
      'COORDINATOR-EPOCH',
      'START-OFFSET',
      'LAST-TIMESTAMP',
      'DURATION-MIN',
      'TRANSACTIONAL-ID',
      'REASON',
    ],
    hanging.map((h) => [
      h.topic,
      String(h.partition),
      String(h.producerId),
      String(h.producerEpoch),
      String(h.coordinatorEpoch),
      String(h.startOffset),
      new Date(Number(h.lastTimestampMs)).toISOString(),
      (h.durationMs / 60_000).toFixed(1),
      h.transactionalId ?? '-',
      h.reason,
    ]),
  );
}

async function abortTransaction(client: KafkaClient, options: AbortOptions): Promise<void> {
  const admin = new TransactionsAdmin(client);
  const [partition] = await admin.describeProducers([{ topic: options.topic, partition: options.partition }]);
  const where = `${options.topic}-${options.partition}`;
  if (partition === undefined || partition.errorCode !== ErrorCode.NONE) {
    const code = partition?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    fail(`${errorName(code)}: ${errorDescription(code)} (${where})`);
    return;
  }
  const producer = partition.producers.find((p) => p.currentTxnStartOffset === options.startOffset);
  if (producer === undefined) {
    fail(
      `no open transaction starts at offset ${options.startOffset} of ${where}; ` +
        '`runnel transactions describe-producers` shows the open ones',
    );
    return;
  }
  const marker = {
    topic: options.topic,
    partition: options.partition,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    // A producer no coordinator ever ended a transaction for has -1; markers carry 0 then, as Kafka's tool sends.
    coordinatorEpoch: Math.max(0, producer.coordinatorEpoch),
    commit: false,
  };
  const code = await admin.writeTxnMarker(marker);
  if (code !== ErrorCode.NONE) {
    fail(`${errorName(code)}: ${errorDescription(code)} (ABORT marker on ${where})`);
    return;
  }
  if (options.json === true) print({ aborted: true, ...marker, startOffset: options.startOffset });
  else
    process.stdout.write(
      `Aborted the transaction of producer ${marker.producerId} (epoch ${marker.producerEpoch}) ` +
        `starting at offset ${options.startOffset} of ${where}.\n`,
    );
}

/** The partitions named by --topic/--partition; every partition of every topic without --topic. */
async function partitionsOf(client: KafkaClient, options: PartitionOptions): Promise<TopicPartitionRef[]> {
  const metadata = await client.metadata(options.topic === undefined ? null : [options.topic]);
  const refs: TopicPartitionRef[] = [];
  for (const t of metadata.topics) {
    if (t.errorCode !== ErrorCode.NONE) {
      fail(`${errorName(t.errorCode)}: ${errorDescription(t.errorCode)} (topic ${t.name})`);
      continue;
    }
    for (const p of t.partitions) {
      if (options.partition === undefined || p.partition === options.partition)
        refs.push({ topic: t.name, partition: p.partition });
    }
  }
  if (options.partition !== undefined && options.topic !== undefined && refs.length === 0)
    fail(`${options.topic} has no partition ${options.partition}`);
  return refs.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

function failedPartitions(described: readonly PartitionProducers[]): void {
  for (const p of described) {
    if (p.errorCode !== ErrorCode.NONE)
      fail(
        `${errorName(p.errorCode)}: ${errorDescription(p.errorCode)} (${p.topic}-${p.partition}; leader ${p.leader})`,
      );
  }
}

/** JSON with int64 values as decimal strings (JSON numbers lose precision past 2^53). */
function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
}

function parseBigInt(value: string): bigint {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return BigInt(value.trim());
}

function collectBigInt(value: string, previous: bigint[] = []): bigint[] {
  return [...previous, parseBigInt(value)];
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (value.trim() === '' || !Number.isFinite(minutes) || minutes < 0)
    throw new InvalidArgumentError(`"${value}" is not a number of minutes`);
  return minutes;
}
