/**
 * `runnel partitions reassign|list-reassignments|elect-leaders`: move a
 * partition to new replicas (or cancel the move) and see the moves in
 * progress, through Kafka's AlterPartitionReassignments and
 * ListPartitionReassignments; and move leadership back to preferred
 * replicas through ElectLeaders. The controller starts a move at once and
 * finishes it when the new replicas have caught up; `list-reassignments`
 * shows the ones not finished yet.
 */
import { Connection, ConnectionError, KafkaError, parseBootstrap } from '@runnel/client';
import type { ElectLeadersResponse, ListPartitionReassignmentsResponse } from '@runnel/protocol';
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

interface ElectOptions extends BootstrapOptions {
  topic?: string;
  partition?: number;
  electionType: ElectionTypeName;
}

/** ElectLeaders' election types (KIP-460). */
const electionTypes = { preferred: 0, unclean: 1 } as const;
type ElectionTypeName = keyof typeof electionTypes;

const requestTimeoutMs = 30_000;

export function partitionsCommand(): Command {
  const partitions = new Command('partitions').description(
    'Reassign partition replicas, list reassignments, elect preferred leaders',
  );
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
  partitions
    .command('elect-leaders')
    .description(
      'Move leadership back to preferred replicas (the first replica of each partition) where they are live and ' +
        'in sync. Without --topic every partition is considered and only the moved ones are listed.',
    )
    .option('--topic <name>', 'only this topic (every partition of it unless --partition)')
    .addOption(new Option('--partition <n>', 'only this partition of --topic').argParser(parseIntOption))
    .addOption(
      new Option('--election-type <type>', 'preferred, or unclean (answered, never forced: see the README)')
        .choices(Object.keys(electionTypes))
        .default('preferred'),
    )
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Prints one line per partition: elected, or why not (ELECTION_NOT_NEEDED when
the preferred replica already leads, PREFERRED_LEADER_NOT_AVAILABLE when it is
down or out of sync). Exits 1 when any partition failed for another reason
than ELECTION_NOT_NEEDED.

  runnel partitions elect-leaders
  runnel partitions elect-leaders --topic orders --partition 2`,
    )
    .action((options: ElectOptions) => {
      if (options.partition !== undefined && options.topic === undefined) {
        fail('--partition needs --topic');
        return;
      }
      return withConnection(options, (connection) => electLeaders(connection, options));
    });
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

async function electLeaders(connection: Connection, options: ElectOptions): Promise<void> {
  let topicPartitions: { topic: string; partitions: number[] }[] | null = null;
  if (options.topic !== undefined) {
    const partitions =
      options.partition !== undefined ? [options.partition] : await partitionsOf(connection, options.topic);
    if (partitions === null) return;
    topicPartitions = [{ topic: options.topic, partitions }];
  }
  const response = await connection.request(ApiKeys.ElectLeaders, {
    electionType: electionTypes[options.electionType],
    topicPartitions,
    timeoutMs: requestTimeoutMs,
  });
  const errorCode = response.errorCode ?? ErrorCode.NONE;
  if (errorCode !== ErrorCode.NONE) {
    fail(`${errorName(errorCode)}: ${errorDescription(errorCode)}`);
    return;
  }
  const { text, failed } = formatElection(response.replicaElectionResults, topicPartitions === null);
  process.stdout.write(text);
  if (failed) process.exitCode = 1;
}

/** Every partition index of `topic`, from a Metadata request; null (after printing why) when there is no such topic. */
async function partitionsOf(connection: Connection, topic: string): Promise<number[] | null> {
  const metadata = await connection.request(ApiKeys.Metadata, {
    topics: [{ name: topic }],
    allowAutoTopicCreation: false,
  });
  const found = metadata.topics.find((t) => t.name === topic);
  if (found === undefined || found.errorCode !== ErrorCode.NONE) {
    const code = found?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    fail(`${errorName(code)}: ${errorDescription(code)} (${topic})`);
    return null;
  }
  return found.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
}

/**
 * One line per partition result. `failed` is true when any partition failed
 * for another reason than ELECTION_NOT_NEEDED (the leader is already right).
 */
export function formatElection(
  results: ElectLeadersResponse['replicaElectionResults'],
  askedAll: boolean,
): { text: string; failed: boolean } {
  let failed = false;
  const lines = results.flatMap((t) =>
    t.partitionResult.map((p) => {
      const where = `Topic: ${t.topic}\tPartition: ${p.partitionId}`;
      if (p.errorCode === ErrorCode.NONE) return `${where}\tElected the preferred leader.`;
      if (p.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) failed = true;
      return `${where}\t${errorName(p.errorCode)}: ${p.errorMessage ?? errorDescription(p.errorCode)}`;
    }),
  );
  if (lines.length === 0) {
    return { text: askedAll ? 'No partition needed a leader election.\n' : 'No partitions.\n', failed };
  }
  return { text: `${lines.join('\n')}\n`, failed };
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
