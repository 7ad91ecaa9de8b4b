/**
 * `runnel groups list|describe|delete|reset-offsets`: consumer group
 * administration through the group coordinator APIs (FindCoordinator,
 * ListGroups, DescribeGroups, OffsetFetch, OffsetCommit, DeleteGroups) plus
 * ListOffsets for log ends. Output follows kafka-consumer-groups.sh: the
 * same columns, '-' where a value is unknown, and reset-offsets is a dry run
 * unless --execute is given.
 */
import { GroupAdmin, type GroupMember, type KafkaClient, KafkaError } from '@runnel/client';
import { ErrorCode, errorDescription, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';
import { countMarkers } from './marker-count.ts';

interface ListOptions extends BootstrapOptions {
  state?: string[];
}

interface ResetOptions extends BootstrapOptions {
  topic: string;
  partition?: number;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: bigint;
  shiftBy?: bigint;
  toDatetime?: number;
  execute?: boolean;
}

/** One row of `describe`: a partition the group committed or was assigned, or a member with nothing assigned. */
export interface LagRow {
  topic: string | null;
  partition: number | null;
  currentOffset: bigint | null;
  logEndOffset: bigint | null;
  /** Offsets between the committed offset and the log end that transaction markers take (not lag); null when unknown. */
  markers?: bigint | null;
  owner: GroupMember | null;
}

const scenarios = ['toEarliest', 'toLatest', 'toOffset', 'shiftBy', 'toDatetime'] as const;
const inactiveStates: ReadonlySet<string> = new Set(['Empty', 'Dead']);

export function groupsCommand(): Command {
  const groups = new Command('groups').description(
    'List, describe (with lag), delete consumer groups and reset their committed offsets',
  );
  groups
    .command('list')
    .description('List every consumer group of the cluster (asks each broker): id, state, protocol type')
    .addOption(
      new Option(
        '--state <states>',
        'only groups in these states, comma-separated: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead (any case)',
      ).argParser(parseStatesOption),
    )
    .addOption(bootstrapOption())
    .action((options: ListOptions) => withClient(options, (client) => listGroups(client, options.state ?? [])));
  groups
    .command('describe')
    .description(
      'Show, per partition, the committed offset, the log end offset, the lag (data records, transaction markers not counted) and the member that owns it',
    )
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .action((group: string, options: BootstrapOptions) =>
      withClient(options, (client) => describeGroup(client, group)),
    );
  groups
    .command('delete')
    .description('Delete a consumer group and its committed offsets; refused while the group has members')
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .action((group: string, options: BootstrapOptions) => withClient(options, (client) => deleteGroup(client, group)));
  groups
    .command('reset-offsets')
    .description(
      "Move a group's committed offsets on a topic. Prints the plan only, unless --execute. " +
        'The group must be inactive (Empty, or unknown): stop its consumers first.',
    )
    .argument('<group>', 'group id')
    .requiredOption('--topic <name>', 'topic whose offsets to reset')
    .addOption(new Option('--partition <n>', 'only this partition (default: all)').argParser(parseIntOption))
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset (skip everything not yet read)')
    .addOption(new Option('--to-offset <n>', 'to this offset (clamped to the log)').argParser(parseBigIntOption))
    .addOption(
      new Option(
        '--shift-by <n>',
        'move the committed offset by n, negative to go back (clamped to the log)',
      ).argParser(parseBigIntOption),
    )
    .addOption(
      new Option(
        '--to-datetime <iso>',
        'to the first record at or after this time, e.g. 2024-05-01T12:00:00Z',
      ).argParser(parseDatetimeOption),
    )
    .option('--execute', 'commit the new offsets (without it, only print them)')
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Give exactly one of --to-earliest, --to-latest, --to-offset, --shift-by,
--to-datetime. Prints GROUP TOPIC PARTITION NEW-OFFSET; exits 1 when the
group is active or a commit fails.

  runnel groups reset-offsets billing --topic orders --to-earliest
  runnel groups reset-offsets billing --topic orders --partition 2 --shift-by -100 --execute`,
    )
    .action((group: string, options: ResetOptions) => {
      const chosen = scenarios.filter((s) => options[s] !== undefined);
      if (chosen.length !== 1) {
        fail('give exactly one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime');
        return;
      }
      return withClient(options, (client) => resetOffsets(client, group, options));
    });
  return groups;
}

/** kafka-consumer-groups.sh's states; the broker compares them without regard to case. */
const groupStates = ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'];

function parseStatesOption(value: string): string[] {
  const states = value.split(',').map((s) => s.trim());
  const unknown = states.filter((s) => !groupStates.some((known) => known.toLowerCase() === s.toLowerCase()));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown state ${unknown.join(', ')}; one or more of ${groupStates.join(', ')}`);
  }
  return states;
}

async function listGroups(client: KafkaClient, states: readonly string[]): Promise<void> {
  const { groups, failures } = await new GroupAdmin(client).listGroups({ states });
  const rows = groups.map((g) => [g.groupId, g.state, g.protocolType || '-', String(g.coordinator)]);
  process.stdout.write(
    rows.length === 0 ? 'No consumer groups.\n' : formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE', 'COORDINATOR'], rows),
  );
  for (const f of failures) {
    fail(`broker ${f.nodeId} did not answer (${f.message}); the groups it coordinates are missing above`);
  }
}

async function describeGroup(client: KafkaClient, groupId: string): Promise<void> {
  const admin = new GroupAdmin(client);
  const group = await admin.describeGroup(groupId);
  if (group.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(group.errorCode)}: ${errorDescription(group.errorCode)} (group ${groupId})`);
    return;
  }
  const committed = (await admin.fetchOffsets(groupId)).filter((c) => c.errorCode === ErrorCode.NONE && c.offset >= 0n);
  if (group.state === 'Dead' && committed.length === 0) {
    fail(`consumer group '${groupId}' does not exist; \`runnel groups list\` shows the groups there are`);
    return;
  }
  const rows = new Map<string, LagRow>();
  const row = (topic: string, partition: number): LagRow => {
    const key = `${topic}\0${partition}`;
    const existing = rows.get(key);
    if (existing !== undefined) return existing;
    const created: LagRow = { topic, partition, currentOffset: null, logEndOffset: null, owner: null };
    rows.set(key, created);
    return created;
  };
  for (const c of committed) row(c.topic, c.partition).currentOffset = c.offset;
  for (const m of group.members) {
    for (const a of m.assignment ?? []) for (const p of a.partitions) row(a.topic, p).owner = m;
  }
  await Promise.all(
    [...rows.values()].map(async (r) => {
      r.logEndOffset = await logEndOffset(client, r.topic ?? '', r.partition ?? -1);
      if (r.currentOffset !== null && r.logEndOffset !== null && r.logEndOffset > r.currentOffset) {
        r.markers = await markersOrNull(client, r.topic ?? '', r.partition ?? -1, r.currentOffset, r.logEndOffset);
      }
    }),
  );
  const idle = group.members
    .filter((m) => (m.assignment ?? []).every((a) => a.partitions.length === 0))
    .map((m): LagRow => ({ topic: null, partition: null, currentOffset: null, logEndOffset: null, owner: m }));
  if (group.members.length === 0) process.stdout.write(`Consumer group '${groupId}' has no active members.\n\n`);
  else if (group.state !== 'Stable') process.stdout.write(`Consumer group '${groupId}' is ${group.state}.\n\n`);
  process.stdout.write(formatLag(groupId, [...sortRows([...rows.values()]), ...idle]));
}

/** The partition's log end for consumers (its high watermark); null when the leader cannot say. */
async function logEndOffset(client: KafkaClient, topic: string, partition: number): Promise<bigint | null> {
  try {
    return (await client.listOffsets(topic, partition, -1n)).offset;
  } catch (error) {
    if (error instanceof KafkaError) return null;
    throw error;
  }
}

/** countMarkers, with a leader that cannot be reached counted as no markers known. */
async function markersOrNull(
  client: KafkaClient,
  topic: string,
  partition: number,
  from: bigint,
  to: bigint,
): Promise<bigint | null> {
  try {
    return await countMarkers(client, topic, partition, from, to);
  } catch (error) {
    if (error instanceof KafkaError) return null;
    throw error;
  }
}

export function formatLag(groupId: string, rows: readonly LagRow[]): string {
  const dash = (v: bigint | number | string | null | undefined): string => (v == null ? '-' : String(v));
  return formatTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    rows.map((r) => [
      groupId,
      dash(r.topic),
      dash(r.partition),
      dash(r.currentOffset),
      dash(r.logEndOffset),
      dash(lagOf(r)),
      dash(r.owner?.memberId),
      dash(r.owner?.clientHost),
      dash(r.owner?.clientId),
    ]),
  );
}

/**
 * Data records between the committed offset and the log end: log end -
 * committed - the markers in between (see marker-count.ts), never below 0;
 * null when either offset is unknown (as kafka-consumer-groups.sh prints '-').
 */
export function lagOf(row: Pick<LagRow, 'currentOffset' | 'logEndOffset' | 'markers'>): bigint | null {
  if (row.currentOffset === null || row.logEndOffset === null) return null;
  const lag = row.logEndOffset - row.currentOffset - (row.markers ?? 0n);
  return lag < 0n ? 0n : lag;
}

async function deleteGroup(client: KafkaClient, groupId: string): Promise<void> {
  const code = await new GroupAdmin(client).deleteGroup(groupId);
  if (code === ErrorCode.NONE) {
    process.stdout.write(`Deleted consumer group '${groupId}'.\n`);
  } else if (code === ErrorCode.NON_EMPTY_GROUP) {
    fail(
      `NON_EMPTY_GROUP: consumer group '${groupId}' still has members; stop its consumers ` +
        '(a crashed one leaves after its session.timeout.ms) and delete again',
    );
  } else if (code === ErrorCode.GROUP_ID_NOT_FOUND) {
    fail(`GROUP_ID_NOT_FOUND: consumer group '${groupId}' does not exist; \`runnel groups list\` shows the groups`);
  } else {
    fail(`${errorName(code)}: ${errorDescription(code)} (group ${groupId})`);
  }
}

async function resetOffsets(client: KafkaClient, groupId: string, options: ResetOptions): Promise<void> {
  const admin = new GroupAdmin(client);
  const group = await admin.describeGroup(groupId);
  if (group.errorCode !== ErrorCode.NONE || !inactiveStates.has(group.state)) {
    fail(
      `consumer group '${groupId}' is ${group.state} with ${group.members.length} member(s); ` +
        'offsets can only be reset while it is inactive: stop its consumers first, then run this again',
    );
    return;
  }
  const partitions = await partitionsToReset(client, options);
  if (partitions === null) return;
  const committed = new Map(
    (await admin.fetchOffsets(groupId))
      .filter((c) => c.topic === options.topic && c.offset >= 0n)
      .map((c) => [c.partition, c.offset]),
  );
  const plan: { partition: number; offset: bigint }[] = [];
  for (const partition of partitions) {
    const offset = await targetOffset(client, options, partition, committed.get(partition) ?? null);
    if (offset === null) return;
    plan.push({ partition, offset });
  }
  process.stdout.write(
    formatTable(
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      plan.map((p) => [groupId, options.topic, String(p.partition), String(p.offset)]),
    ),
  );
  if (options.execute !== true) {
    process.stderr.write('Dry run: nothing was committed. Run again with --execute to commit these offsets.\n');
    return;
  }
  const results = await admin.commitOffsets(
    groupId,
    plan.map((p) => ({ topic: options.topic, partition: p.partition, offset: p.offset })),
  );
  for (const r of results.filter((x) => x.errorCode !== ErrorCode.NONE)) {
    const hint = r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ? ' (the group became active: stop its consumers)' : '';
    fail(`${errorName(r.errorCode)}: ${errorDescription(r.errorCode)} (${r.topic}-${r.partition})${hint}`);
  }
}

/** The partitions named by --topic/--partition, sorted; null (after printing why) when they do not exist. */
async function partitionsToReset(client: KafkaClient, options: ResetOptions): Promise<number[] | null> {
  const metadata = await client.metadata([options.topic]);
  const topic = metadata.topics.find((t) => t.name === options.topic);
  if (topic === undefined || topic.errorCode !== ErrorCode.NONE) {
    const code = topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    fail(`${errorName(code)}: ${errorDescription(code)} (topic ${options.topic})`);
    return null;
  }
  const all = topic.partitions.map((p) => p.partition);
  if (options.partition === undefined) return all;
  if (!all.includes(options.partition)) {
    fail(`topic ${options.topic} has no partition ${options.partition} (it has ${all.length})`);
    return null;
  }
  return [options.partition];
}

/** Where the scenario puts one partition, clamped to [log start, log end]; null (after printing why) when it cannot. */
async function targetOffset(
  client: KafkaClient,
  options: ResetOptions,
  partition: number,
  current: bigint | null,
): Promise<bigint | null> {
  const earliest = (await client.listOffsets(options.topic, partition, -2n)).offset;
  const latest = (await client.listOffsets(options.topic, partition, -1n)).offset;
  const clamp = (o: bigint): bigint => (o < earliest ? earliest : o > latest ? latest : o);
  if (options.toEarliest === true) return earliest;
  if (options.toLatest === true) return latest;
  if (options.toOffset !== undefined) return clamp(options.toOffset);
  if (options.shiftBy !== undefined) {
    if (current === null) {
      fail(
        `${options.topic}-${partition} has no committed offset to shift; use --to-earliest, --to-latest or --to-offset`,
      );
      return null;
    }
    return clamp(current + options.shiftBy);
  }
  const timestamp = BigInt(options.toDatetime ?? 0);
  const found = (await client.listOffsets(options.topic, partition, timestamp)).offset;
  // No record at or after the time: nothing to re-read, so the log end.
  return found < 0n ? latest : clamp(found);
}

function sortRows(rows: LagRow[]): LagRow[] {
  return rows.sort((a, b) => (a.topic ?? '').localeCompare(b.topic ?? '') || (a.partition ?? 0) - (b.partition ?? 0));
}

/** Columns padded to their widest cell, one space apart, like the Kafka tools' tables. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join(' ')
      .trimEnd();
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

function parseBigIntOption(value: string): bigint {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return BigInt(value.trim());
}

function parseDatetimeOption(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(`"${value}" is not a date-time; use ISO 8601, e.g. 2024-05-01T12:00:00Z`);
  return ms;
}
