/**
 * GroupAdmin: the consumer-group admin calls (FindCoordinator, ListGroups,
 * DescribeGroups, OffsetFetch, OffsetCommit, DeleteGroups) over a
 * KafkaClient's pooled connections, for `runnel groups` and tests.
 *
 * Every group call goes to the group's coordinator, found with
 * FindCoordinator and retried while it moves or loads (and while the brokers
 * create __consumer_offsets on first use) until `coordinatorWaitMs` has
 * passed (coordinator-lookup.ts).
 */
import { ApiKeys, ErrorCode } from '@runnel/protocol';
import type { BrokerAddress } from './bootstrap.ts';
import type { Connection } from './connection.ts';
import { type AssignedPartitions, decodeConsumerAssignment } from './consumer-assignment.ts';
import { type CoordinatorKey, CoordinatorKeyType, findCoordinator, onCoordinator } from './coordinator-lookup.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';

export interface GroupOverview {
  groupId: string;
  /** Kafka's group state name: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  /** "consumer" for Kafka consumers; "" for groups that only commit offsets. */
  protocolType: string;
  /** The broker that coordinates the group. */
  coordinator: number;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for "consumer" groups; null when the group is another kind or the bytes do not parse. */
  assignment: AssignedPartitions[] | null;
}

export interface GroupDescription {
  /** Kafka error code for the group, as data. An unknown group is NONE with state Dead. */
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor the members agreed on (e.g. "range"), "" when none. */
  protocol: string;
  members: GroupMember[];
  coordinator: number;
}

export interface CommittedPartitionOffset {
  topic: string;
  partition: number;
  /** -1n when the group has no commit for the partition. */
  offset: bigint;
  metadata: string | null;
  /** Kafka error code for the partition, as data. */
  errorCode: number;
}

export interface PartitionCommit {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface PartitionCommitResult {
  topic: string;
  partition: number;
  errorCode: number;
}

/** ListGroups' answer: the groups of every broker that answered, and why the others did not. */
export interface GroupListing {
  groups: GroupOverview[];
  failures: { nodeId: number; message: string }[];
}

/**
 * Owned by its creator; holds no connections of its own (the KafkaClient
 * does, and outlives it). Group-level Kafka codes come back as data, except
 * where a call cannot answer at all (no coordinator after the wait, an
 * OffsetFetch refused as a whole): those throw KafkaError. Transport
 * failures throw ConnectionError.
 */
export class GroupAdmin {
  readonly #client: KafkaClient;
  readonly #coordinatorWaitMs: number;

  constructor(client: KafkaClient, options: { coordinatorWaitMs?: number } = {}) {
    this.#client = client;
    this.#coordinatorWaitMs = options.coordinatorWaitMs ?? 15_000;
  }

  /**
   * Every broker's groups (ListGroups answers only the groups a broker
   * coordinates), with their state; with `states`, only groups in one of
   * them (Kafka's names, any case). ListGroups v4+ reports and filters states
   * on the broker; below that each broker's groups are described for their
   * state and filtered here.
   */
  async listGroups(options: { states?: readonly string[] } = {}): Promise<GroupListing> {
    const states = options.states ?? [];
    const metadata = await this.#client.metadata([]);
    const answers = await Promise.all(
      metadata.brokers.map(async (broker): Promise<GroupListing> => {
        try {
          const groups = await this.#brokerGroups(broker.nodeId, broker, states);
          return { groups, failures: [] };
        } catch (error) {
          if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
          return { groups: [], failures: [{ nodeId: broker.nodeId, message: error.message }] };
        }
      }),
    );
    return {
      groups: answers.flatMap((a) => a.groups).sort((a, b) => a.groupId.localeCompare(b.groupId)),
      failures: answers.flatMap((a) => a.failures),
    };
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.#onCoordinator(groupId, async (connection, coordinator) => {
      const response = await connection.request(ApiKeys.DescribeGroups, {
        groups: [groupId],
        includeAuthorizedOperations: false,
      });
      const g = response.groups.find((x) => x.groupId === groupId);
      if (g === undefined) throw new ConnectionError('malformed_response', `DescribeGroups lacks group ${groupId}`);
      const consumer = g.protocolType === 'consumer';
      // DescribeGroups v6 (KIP-1043) reports a missing group as GROUP_ID_NOT_FOUND; older versions, and this
      // client's callers, see it as a Dead group with no error.
      const missing = g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND;
      return {
        errorCode: missing ? ErrorCode.NONE : g.errorCode,
        groupId,
        state: missing ? 'Dead' : g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        coordinator,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: consumer ? decodeConsumerAssignment(m.memberAssignment) : null,
        })),
      };
    });
  }

  /** Every committed offset of the group (OffsetFetch with topics = null). Throws KafkaError on a group-level error. */
  async fetchOffsets(groupId: string): Promise<CommittedPartitionOffset[]> {
    const result = await this.#onCoordinator(groupId, (connection) => fetchGroupOffsets(connection, groupId));
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode, `group ${groupId}`);
    return result.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        metadata: p.metadata,
        errorCode: p.errorCode,
      })),
    );
  }

  /**
   * Commits offsets as an admin (generation -1, no member id): the coordinator
   * accepts that only while the group has no members. Per-partition codes are data.
   */
  async commitOffsets(groupId: string, offsets: readonly PartitionCommit[]): Promise<PartitionCommitResult[]> {
    const byTopic = new Map<string, PartitionCommit[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const topics = [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: -1,
        committedMetadata: '',
      })),
    }));
    return this.#onCoordinator(groupId, async (connection) => {
      const response = await connection.request(ApiKeys.OffsetCommit, {
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics,
      });
      const results = response.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
      );
      // A moving coordinator answers every partition alike; retry the whole commit then.
      const first = results[0]?.errorCode ?? ErrorCode.NONE;
      return { errorCode: results.every((r) => r.errorCode === first) ? first : ErrorCode.NONE, results };
    }).then((r) => r.results);
  }

  /** DeleteGroups for one group; the group's code (e.g. NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND) is the answer. */
  async deleteGroup(groupId: string): Promise<number> {
    const result = await this.#onCoordinator(groupId, async (connection) => {
      const response = await connection.request(ApiKeys.DeleteGroups, { groupsNames: [groupId] });
      const r = response.results.find((x) => x.groupId === groupId);
      if (r === undefined) throw new ConnectionError('malformed_response', `DeleteGroups lacks group ${groupId}`);
      return { errorCode: r.errorCode };
    });
    return result.errorCode;
  }

  /** The coordinator's node id and connection; throws KafkaError once the wait is spent. */
  findCoordinator(groupId: string): Promise<{ nodeId: number; connection: Connection }> {
    return findCoordinator(this.#client, this.#key(groupId));
  }

  #key(groupId: string): CoordinatorKey {
    return { key: groupId, keyType: CoordinatorKeyType.group, waitMs: this.#coordinatorWaitMs };
  }

  async #brokerGroups(nodeId: number, address: BrokerAddress, states: readonly string[]): Promise<GroupOverview[]> {
    const connection = await this.#client.connectionTo(address);
    if ((connection.versionOf(ApiKeys.ListGroups) ?? 0) >= listGroupsStatesVersion) {
      const listed = await connection.request(ApiKeys.ListGroups, { statesFilter: [...states], typesFilter: [] });
      if (listed.errorCode !== ErrorCode.NONE) throw new KafkaError(listed.errorCode, `broker ${nodeId}`);
      return listed.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.groupState ?? 'Unknown',
        coordinator: nodeId,
      }));
    }
    const listed = await connection.request(ApiKeys.ListGroups, {});
    if (listed.errorCode !== ErrorCode.NONE) throw new KafkaError(listed.errorCode, `broker ${nodeId}`);
    if (listed.groups.length === 0) return [];
    const described = await connection.request(ApiKeys.DescribeGroups, {
      groups: listed.groups.map((g) => g.groupId),
      includeAuthorizedOperations: false,
    });
    const stateOf = new Map(described.groups.map((g) => [g.groupId, g.groupState]));
    const wanted = new Set(states.map((s) => s.trim().toLowerCase()));
    return listed.groups
      .map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: stateOf.get(g.groupId) ?? 'Unknown',
        coordinator: nodeId,
      }))
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()));
  }

  /** Runs `call` on the group's coordinator (see coordinator-lookup.ts). */
  #onCoordinator<T extends { errorCode: number }>(
    groupId: string,
    call: (connection: Connection, coordinator: number) => Promise<T>,
  ): Promise<T> {
    return onCoordinator(this.#client, this.#key(groupId), call);
  }
}

/** The first ListGroups version that reports group states and filters by them (KIP-518). */
const listGroupsStatesVersion = 4;

/** The first OffsetFetch version that batches groups (KIP-709): groupId and topics move into groups[]. */
const batchedOffsetFetchVersion = 8;

/** Every committed offset of one group (topics = null), at the version the connection negotiated. */
async function fetchGroupOffsets(connection: Connection, groupId: string) {
  if ((connection.versionOf(ApiKeys.OffsetFetch) ?? 0) < batchedOffsetFetchVersion) {
    const response = await connection.request(ApiKeys.OffsetFetch, { groupId, topics: null });
    return { errorCode: response.errorCode ?? ErrorCode.NONE, topics: response.topics ?? [] };
  }
  const response = await connection.request(ApiKeys.OffsetFetch, {
    groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }],
    requireStable: false,
  });
  const group = response.groups?.find((g) => g.groupId === groupId);
  if (group === undefined) throw new ConnectionError('malformed_response', `OffsetFetch lacks group ${groupId}`);
  return { errorCode: group.errorCode ?? ErrorCode.NONE, topics: group.topics };
}
