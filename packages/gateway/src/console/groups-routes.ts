/**
 * The console's consumer groups: GET /ui/api/groups (state, members, total
 * lag), GET /ui/api/groups/{group} (members, and lag per partition, which
 * the page samples over time for its chart) and POST
 * /ui/api/groups/{group}/reset-offsets (kafka-consumer-groups
 * --reset-offsets: earliest, latest, an offset or a timestamp, for a group
 * with no active members; `dryRun` only answers the plan).
 */
import { GroupAdmin, type KafkaClient } from '@runnel/client';
import { ErrorCode, errorName } from '@runnel/protocol';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { RestError } from '../rest/rest-error.ts';
import { partitionKey } from './cluster-health.ts';
import type { GroupAnswer, GroupRow, GroupsAnswer, ResetOffsetsAnswer, ResetOffsetsBody } from './console-api-types.ts';
import { type CommittedOffset, groupOffsetRows, groupPartitions, totalLag } from './group-lag.ts';
import { type PartitionBounds, resetBodyProblem, resetRefusal, resetTarget } from './offset-reset.ts';

/** The groups list computes lag for at most this many groups (each costs an OffsetFetch). */
const lagGroupsMax = 200;

const groupParams = {
  type: 'object',
  properties: { group: { type: 'string', minLength: 1 } },
  required: ['group'],
} as const;

export function registerGroupRoutes(app: FastifyInstance, context: RestContext): void {
  app.get(
    '/ui/api/groups',
    { schema: { summary: 'Consumer groups with state, members and total lag', tags: ['console'] } },
    async (): Promise<GroupsAnswer> => {
      const client = context.client();
      const admin = new GroupAdmin(client);
      const listing = await admin.listGroups();
      const sorted = [...listing.groups].sort((a, b) => a.groupId.localeCompare(b.groupId));
      const ends = new EndOffsets(client);
      const groups: GroupRow[] = await Promise.all(
        sorted.map(async (g, index): Promise<GroupRow> => {
          const row: GroupRow = {
            groupId: g.groupId,
            state: g.state,
            protocolType: g.protocolType,
            members: 0,
            totalLag: null,
          };
          if (index >= lagGroupsMax) return row;
          try {
            const [description, committed] = await Promise.all([
              admin.describeGroup(g.groupId),
              committedOffsets(admin, g.groupId),
            ]);
            const partitions = groupPartitions(committed, description.members);
            const rows = groupOffsetRows(committed, description.members, await ends.read(partitions));
            return { ...row, members: description.members.length, totalLag: totalLag(rows) };
          } catch {
            return row;
          }
        }),
      );
      return { groups, failures: listing.failures.map((f) => `broker ${f.nodeId}: ${f.message}`) };
    },
  );

  app.get<{ Params: { group: string } }>(
    '/ui/api/groups/:group',
    { schema: { summary: "A group's members and lag per partition", tags: ['console'], params: groupParams } },
    async (request): Promise<GroupAnswer> => {
      const client = context.client();
      const admin = new GroupAdmin(client);
      const { group } = request.params;
      const [description, committed] = await Promise.all([admin.describeGroup(group), committedOffsets(admin, group)]);
      if (description.errorCode !== ErrorCode.NONE) {
        throw new RestError(502, `DescribeGroups failed: ${errorName(description.errorCode)}`);
      }
      if (description.state === 'Dead' && committed.length === 0) throw new RestError(404, `Group ${group} not found.`);
      const partitions = groupPartitions(committed, description.members);
      const rows = groupOffsetRows(committed, description.members, await new EndOffsets(client).read(partitions));
      return {
        groupId: group,
        state: description.state,
        protocolType: description.protocolType,
        protocol: description.protocol,
        members: description.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: (m.assignment ?? []).map((a) => ({
            topic: a.topic,
            partitions: [...a.partitions].sort((x, y) => x - y),
          })),
        })),
        offsets: rows,
        totalLag: totalLag(rows),
        atMs: Date.now(),
      };
    },
  );

  app.post<{ Params: { group: string }; Body: ResetOffsetsBody }>(
    '/ui/api/groups/:group/reset-offsets',
    {
      schema: {
        summary: "Reset a group's committed offsets (the group must have no active members)",
        tags: ['console'],
        params: groupParams,
        body: {
          type: 'object',
          properties: {
            topic: { type: 'string', minLength: 1 },
            to: { type: 'string', enum: ['earliest', 'latest', 'offset', 'timestamp'] },
            offset: { type: 'integer', minimum: 0 },
            timestampMs: { type: 'integer', minimum: 0 },
            dryRun: { type: 'boolean' },
          },
          required: ['to'],
          additionalProperties: false,
        },
      },
    },
    async (request): Promise<ResetOffsetsAnswer> => {
      const body = request.body;
      const problem = resetBodyProblem(body);
      if (problem !== null) throw new RestError(422, problem);
      const client = context.client();
      const admin = new GroupAdmin(client);
      const { group } = request.params;
      const description = await admin.describeGroup(group);
      const refusal = resetRefusal(group, description.state);
      if (refusal !== null) throw new RestError(409, refusal.message);
      const committed = await committedOffsets(admin, group);
      const topics = body.topic === undefined ? [...new Set(committed.map((c) => c.topic))] : [body.topic];
      if (topics.length === 0)
        throw new RestError(422, `Group ${group} has no committed offsets; name a topic to reset.`);
      const metadata = await client.metadata(topics);
      const partitions: { topic: string; partition: number }[] = [];
      for (const name of topics) {
        const info = metadata.topics.find((t) => t.name === name);
        if (info === undefined || info.errorCode !== ErrorCode.NONE)
          throw new RestError(404, `Topic ${name} not found.`);
        for (const p of info.partitions) partitions.push({ topic: name, partition: p.partition });
      }
      const previous = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
      const offsets = await Promise.all(
        partitions.map(async ({ topic, partition }) => {
          const bounds = await partitionBounds(
            client,
            topic,
            partition,
            body.to === 'timestamp' ? body.timestampMs : undefined,
          );
          return {
            topic,
            partition,
            previous: previous.get(partitionKey(topic, partition)) ?? null,
            next: resetTarget(body, bounds),
          };
        }),
      );
      offsets.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      if (body.dryRun !== true) {
        const results = await admin.commitOffsets(
          group,
          offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.next) })),
        );
        const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
        if (failed !== undefined) {
          const status =
            failed.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || failed.errorCode === ErrorCode.REBALANCE_IN_PROGRESS
              ? 409
              : 502;
          throw new RestError(
            status,
            `Committing ${failed.topic}-${failed.partition} failed: ${errorName(failed.errorCode)}`,
          );
        }
      }
      return { dryRun: body.dryRun === true, offsets };
    },
  );
}

async function committedOffsets(admin: GroupAdmin, group: string): Promise<CommittedOffset[]> {
  const fetched = await admin.fetchOffsets(group);
  return fetched
    .filter((c) => c.errorCode === ErrorCode.NONE && c.offset >= 0n)
    .map((c) => ({ topic: c.topic, partition: c.partition, offset: Number(c.offset) }));
}

async function partitionBounds(
  client: KafkaClient,
  topic: string,
  partition: number,
  timestampMs: number | undefined,
): Promise<PartitionBounds> {
  const [earliest, latest, atTime] = await Promise.all([
    client.listOffsets(topic, partition, -2n),
    client.listOffsets(topic, partition, -1n),
    timestampMs === undefined ? null : client.listOffsets(topic, partition, BigInt(timestampMs)),
  ]);
  const found = atTime === null || atTime.offset < 0n ? null : Number(atTime.offset);
  return { topic, partition, earliest: Number(earliest.offset), latest: Number(latest.offset), atTimestamp: found };
}

/**
 * Log-end offsets read once per partition for one request (several groups may share partitions). Only
 * partitions the cluster's metadata lists are read: a ListOffsets for a deleted topic would let the
 * client's metadata lookup create it again where auto-creation is on.
 */
class EndOffsets {
  readonly #client: KafkaClient;
  readonly #reads = new Map<string, Promise<number | null>>();
  #existing: Promise<Set<string>> | null = null;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  #existingPartitions(): Promise<Set<string>> {
    this.#existing ??= this.#client
      .metadata(null)
      .then(
        (metadata) =>
          new Set(metadata.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.name, p.partition)))),
      );
    return this.#existing;
  }

  async read(partitions: readonly { topic: string; partition: number }[]): Promise<Map<string, number | null>> {
    const existing = await this.#existingPartitions();
    const entries = await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        const key = partitionKey(topic, partition);
        if (!existing.has(key)) return [key, null] as const;
        let read = this.#reads.get(key);
        if (read === undefined) {
          read = this.#client.listOffsets(topic, partition, -1n).then(
            (answer) => Number(answer.offset),
            () => null,
          );
          this.#reads.set(key, read);
        }
        return [key, await read] as const;
      }),
    );
    return new Map(entries);
  }
}
