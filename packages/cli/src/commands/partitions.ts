/**
 * `runnel partitions reassign|list-reassignments`: move a partition to new
 * replicas (or cancel the move) and see the moves in progress, through
 * Kafka's AlterPartitionReassignments and ListPartitionReassignments. The
 * controller starts a move at once and finishes it when the new replicas
 * have caught up; `list-reassignments` shows the ones not finished yet.
 */
import { Connection, ConnectionError, KafkaError, parseBootstrap } from '@runnel/client';
import type { ListPartitionReassignmentsResponse } from '@runnel/protocol';
import { ApiKeys, ErrorCode, errorDescription, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';

interface ReassignOptions extends BootstrapOptions {
  topic: string;
  partition: number;
  replicas?: number[];
  cancel?: boolean;
}

interface ListOptions extends BootstrapOptions {
  topic?: string;
}

const requestTimeoutMs = 30_000;

export function partitionsCommand(): Command {
  const partitions = new Command('partitions').description('Reassign partition replicas and list reassignments');
  partitions
    .command('reassign')
    .description(
      'Move a partition to new replicas (preferred leader first), or cancel its move in progress. ' +
        'The move finishes once the new replicas have caught up.',
    )
    .requiredOption('--topic <name>', 'topic name')
    .addOption(new Option('--partition <n>', 'partition index').argParser(parseIntOption).makeOptionMandatory())
    .addOption(
      new Option('--replicas <ids>', 'target broker ids, comma-separated, e.g. 1,2,3')
        .argParser(parseBrokerList)
        .conflicts('cancel'),
    )
    .option('--cancel', 'cancel the reassignment in progress instead')
    .addOption(bootstrapOption())
    .action((options: ReassignOptions) => {
      if (options.replicas === undefined && options.cancel !== true) {
        fail('give either --replicas <ids> or --cancel');
        return;
      }
      return withConnection(options, (connection) => reassign(connection, options));
    });
  partitions
    .command('list-reassignments')
    .description('Show partitions whose reassignment is in progress: replicas, adding and removing')
    .option('--topic <name>', 'only this topic')
    .addOption(bootstrapOption())
    .action((options: ListOptions) => withConnection(options, (connection) => listReassignments(connection, options)));
  return partitions;
}

async function reassign(connection: Connection, options: ReassignOptions): Promise<void> {
  const replicas = options.cancel === true ? null : (options.replicas ?? null);
  const response = await connection.request(ApiKeys.AlterPartitionReassignments, {
    timeoutMs: requestTimeoutMs,
    topics: [{ name: options.topic, partitions: [{ partitionIndex: options.partition, replicas }] }],
  });
  const where = `${options.topic}-${options.partition}`;
  if (response.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(response.errorCode)}: ${response.errorMessage ?? errorDescription(response.errorCode)}`);
    return;
  }
  const result = response.responses[0]?.partitions[0];
  if (result === undefined) {
    fail('UNKNOWN_SERVER_ERROR: the broker returned no result');
    return;
  }
  if (result.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(result.errorCode)}: ${result.errorMessage ?? errorDescription(result.errorCode)} (${where})`);
    return;
  }
  process.stdout.write(
    replicas === null
      ? `Cancelled the reassignment of ${where}.\n`
      : `Started reassigning ${where} to replicas ${replicas.join(',')}.\n`,
  );
}

async function listReassignments(connection: Connection, options: ListOptions): Promise<void> {
  const response = await connection.request(ApiKeys.ListPartitionReassignments, {
    timeoutMs: requestTimeoutMs,
    topics: null,
  });
  if (response.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(response.errorCode)}: ${response.errorMessage ?? errorDescription(response.errorCode)}`);
    return;
  }
  // Filtered here rather than by asking per partition: the request names partitions, and we do not know them.
  const topics = response.topics.filter((t) => options.topic === undefined || t.name === options.topic);
  process.stdout.write(formatReassignments(topics));
}

export function formatReassignments(topics: ListPartitionReassignmentsResponse['topics']): string {
  const lines = topics.flatMap((t) =>
    t.partitions.map(
      (p) =>
        `Topic: ${t.name}\tPartition: ${p.partitionIndex}\tReplicas: ${p.replicas.join(',')}\tAdding: ${p.addingReplicas.join(',')}\tRemoving: ${p.removingReplicas.join(',')}`,
    ),
  );
  return lines.length === 0 ? 'No partition reassignments in progress.\n' : `${lines.join('\n')}\n`;
}

function parseBrokerList(value: string): number[] {
  const ids = value.split(',').map((s) => s.trim());
  if (ids.some((s) => !/^\d+$/.test(s))) throw new InvalidArgumentError(`"${value}" is not a list of broker ids`);
  return ids.map((s) => Number.parseInt(s, 10));
}

/** Connects to the first bootstrap server that answers, runs `body`, closes; failures print and exit 1. */
async function withConnection(options: BootstrapOptions, body: (c: Connection) => Promise<void>): Promise<void> {
  const parsed = parseBootstrap(options.bootstrapServer);
  if (!parsed.ok) {
    fail(parsed.message ?? 'invalid --bootstrap-server');
    return;
  }
  let connection: Connection | null = null;
  try {
    for (const address of parsed.value) {
      connection = await Connection.connect({ ...address, clientId: 'runnel-cli' }).catch(() => null);
      if (connection !== null) break;
    }
    if (connection === null) {
      fail(`cannot connect to ${options.bootstrapServer}`);
      return;
    }
    await body(connection);
  } catch (error) {
    if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
    fail(error.message);
  } finally {
    connection?.close();
  }
}
