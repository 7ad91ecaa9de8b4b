/**
 * A member of a classic Kafka group (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) for any protocol type, not only consumers: processes use it
 * to agree on something through the group coordinator, as Kafka Connect
 * workers and Confluent's Schema Registry do. The coordinator picks a
 * leader among the members; the leader's `assign` turns every member's
 * metadata into one assignment each; every member is told its own through
 * `onAssigned`, and `onRevoked` when that assignment stops holding (a
 * rebalance began, the coordinator forgot the member or could not be
 * reached). Between the two, the member is in the
 * generation the assignment was made for.
 *
 * The member should have its own KafkaClient: a JoinGroup waits at the
 * coordinator for the whole rebalance, and a broker answers one
 * connection's requests in order.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ApiKeys, ErrorCode, errorName, type JoinGroupResponseMember } from '@runnel/protocol';
import type { Connection } from './connection.ts';
import { backoff, CoordinatorKeyType, coordinatorMovingCodes, findCoordinator } from './coordinator-lookup.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';

export interface GroupAssignmentContext {
  readonly generationId: number;
  readonly memberId: string;
  readonly leader: boolean;
}

export interface GroupMembershipOptions {
  readonly groupId: string;
  readonly protocolType: string;
  /** The protocols this member speaks, preferred first, each with its metadata. */
  readonly protocols: readonly { name: string; metadata: Buffer }[];
  /** Without a heartbeat for this long the coordinator drops the member. Default 10000 (Kafka's minimum is 6000). */
  readonly sessionTimeoutMs?: number;
  /** How long a rebalance waits for members to rejoin. Default 30000. */
  readonly rebalanceTimeoutMs?: number;
  /** Default a third of the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /**
   * Run on the leader only (`leaderId` is its own member id): one
   * assignment per member id; members left out get an empty one.
   */
  readonly assign: (
    members: readonly JoinGroupResponseMember[],
    context: { protocol: string; leaderId: string },
  ) => Map<string, Buffer>;
  readonly onAssigned: (assignment: Buffer, context: GroupAssignmentContext) => void;
  /**
   * `reason` is 'rebalance' when the coordinator started a new generation
   * this member is joining (it may well get the same assignment back), and
   * 'lost' when the member left, was forgotten, or lost the coordinator.
   */
  readonly onRevoked: (reason: 'rebalance' | 'lost') => void;
  /** Told of each failure that made the member rejoin (for logging); optional. */
  readonly onError?: (error: unknown) => void;
  /**
   * Static membership (KIP-345): the coordinator knows the member by this id, so a new process joining with it
   * replaces (fences) the previous one at once instead of waiting for its session to end.
   */
  readonly groupInstanceId?: string;
  /**
   * A static member whose id another member took (FENCED_INSTANCE_ID): the member stops for good (rejoining
   * would fence the newer holder in turn); the owner decides what follows.
   */
  readonly onFenced?: () => void;
}

/** Answers after which the member keeps its id and joins again. */
const rejoinCodes: ReadonlySet<number> = new Set([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION]);

export class GroupMembership {
  readonly #client: KafkaClient;
  readonly #options: GroupMembershipOptions;
  readonly #sessionTimeoutMs: number;
  readonly #rebalanceTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #stop = new AbortController();
  #memberId = '';
  #generationId = -1;
  /** Why the next JoinGroup is sent (JoinGroup v8+, KIP-800): the coordinator logs it beside the rebalance. */
  #joinReason = 'the member starts';
  /** 'held' between onAssigned and onRevoked; 'rebalancing' after a revoke for a rebalance, until the next one. */
  #assignment: 'none' | 'held' | 'rebalancing' = 'none';
  #loop: Promise<void> = Promise.resolve();

  constructor(client: KafkaClient, options: GroupMembershipOptions) {
    this.#client = client;
    this.#options = options;
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.#rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.floor(this.#sessionTimeoutMs / 3);
  }

  start(): void {
    this.#loop = this.#run();
  }

  /**
   * Stops heartbeating and leaves the group, so another member takes over at once rather than after a session.
   * `leave: false` only stops (a static member handing its id to another process must not remove the new holder).
   */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#revoke('lost');
    if (this.#memberId === '' || options.leave === false) return;
    try {
      const { connection } = await findCoordinator(this.#client, this.#coordinatorKey(2_000));
      // v0-2 name the one member; v3+ a batch of members (the single field is gone, so it must not be set).
      const batch = (connection.versionOf(ApiKeys.LeaveGroup) ?? 0) >= 3;
      await connection.request(
        ApiKeys.LeaveGroup,
        batch
          ? {
              groupId: this.#options.groupId,
              // The reason (v5+) lands in the coordinator's log; v3-4 drop it (an ignorable field).
              members: [{ memberId: this.#memberId, groupInstanceId: this.#instanceId, reason: 'the member stopped' }],
            }
          : { groupId: this.#options.groupId, memberId: this.#memberId },
      );
    } catch (error) {
      // Leaving is a courtesy: the coordinator drops a silent member after its session anyway.
      this.#options.onError?.(error);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const connection = (await findCoordinator(this.#client, this.#coordinatorKey(this.#sessionTimeoutMs)))
          .connection;
        if (!(await this.#joinAndSync(connection))) continue;
        failures = 0;
        await this.#heartbeat(connection);
      } catch (error) {
        const rebalance = error instanceof KafkaError && error.code === ErrorCode.REBALANCE_IN_PROGRESS;
        this.#revoke(rebalance ? 'rebalance' : 'lost');
        if (signal.aborted) return;
        if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
        if (error instanceof KafkaError && error.code === ErrorCode.FENCED_INSTANCE_ID) {
          this.#options.onError?.(error);
          this.#options.onFenced?.();
          return;
        }
        if (error instanceof KafkaError && error.code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = '';
        this.#joinReason = `rejoining after ${error instanceof KafkaError ? errorName(error.code) : error.message}`;
        this.#options.onError?.(error);
        await backoff(failures++);
      }
    }
  }

  /** One round of JoinGroup and SyncGroup; true once the member holds an assignment, false to join again. */
  async #joinAndSync(connection: Connection): Promise<boolean> {
    const { groupId, protocolType, protocols } = this.#options;
    const joined = await connection.request(
      ApiKeys.JoinGroup,
      {
        groupId,
        sessionTimeoutMs: this.#sessionTimeoutMs,
        rebalanceTimeoutMs: this.#rebalanceTimeoutMs,
        memberId: this.#memberId,
        groupInstanceId: this.#instanceId,
        protocolType,
        protocols: protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        // Dropped below v8 (an ignorable field).
        reason: this.#joinReason,
      },
      // The coordinator holds the join until every member rejoined or the rebalance timed out.
      { timeoutMs: this.#rebalanceTimeoutMs + 5_000 },
    );
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.#memberId = joined.memberId;
      this.#joinReason = 'rejoining with the member id the coordinator assigned (MEMBER_ID_REQUIRED)';
      return false;
    }
    if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.#memberId = '';
      this.#joinReason = 'rejoining as a new member: the coordinator did not know the member id';
      return false;
    }
    if (coordinatorMovingCodes.has(joined.errorCode) || rejoinCodes.has(joined.errorCode)) {
      throw new KafkaError(joined.errorCode);
    }
    if (joined.errorCode !== ErrorCode.NONE) throw new KafkaError(joined.errorCode);
    this.#memberId = joined.memberId;
    this.#generationId = joined.generationId;
    const leader = joined.leader === joined.memberId;
    // JoinGroup v9 may tell the leader the current assignment stands (KIP-814): then it assigns nothing.
    const assignments =
      leader && joined.skipAssignment !== true
        ? this.#options.assign(joined.members, { protocol: joined.protocolName ?? '', leaderId: joined.memberId })
        : new Map();
    const synced = await connection.request(
      ApiKeys.SyncGroup,
      {
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: this.#instanceId,
        assignments: [...assignments].map(([memberId, assignment]) => ({ memberId, assignment })),
      },
      { timeoutMs: this.#rebalanceTimeoutMs + 5_000 },
    );
    if (rejoinCodes.has(synced.errorCode)) {
      this.#joinReason = `rejoining after SyncGroup answered ${errorName(synced.errorCode)}`;
      return false;
    }
    if (synced.errorCode !== ErrorCode.NONE) throw new KafkaError(synced.errorCode);
    this.#assignment = 'held';
    this.#options.onAssigned(synced.assignment, {
      generationId: joined.generationId,
      memberId: joined.memberId,
      leader,
    });
    return true;
  }

  /**
   * Heartbeats until the generation ends (a rebalance, a forgotten member,
   * a coordinator that moved or cannot be reached): the caller then revokes
   * the assignment and joins again.
   */
  async #heartbeat(connection: Connection): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      // Ends early (without throwing) when stop() aborts.
      await delay(this.#heartbeatIntervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const answer = await connection.request(
        ApiKeys.Heartbeat,
        {
          groupId: this.#options.groupId,
          generationId: this.#generationId,
          memberId: this.#memberId,
          groupInstanceId: this.#instanceId,
        },
        { timeoutMs: this.#sessionTimeoutMs },
      );
      if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode);
    }
  }

  #revoke(reason: 'rebalance' | 'lost'): void {
    // After a revoke for a rebalance, losing the membership before the next assignment is still news.
    if (this.#assignment === 'none' || (this.#assignment === 'rebalancing' && reason === 'rebalance')) return;
    this.#assignment = reason === 'rebalance' ? 'rebalancing' : 'none';
    this.#options.onRevoked(reason);
  }

  /** The member's generation and id while it holds an assignment (for commits as a member); null otherwise. */
  get generation(): { generationId: number; memberId: string; groupInstanceId: string | null } | null {
    if (this.#assignment !== 'held') return null;
    return { generationId: this.#generationId, memberId: this.#memberId, groupInstanceId: this.#instanceId };
  }

  get #instanceId(): string | null {
    return this.#options.groupInstanceId ?? null;
  }

  #coordinatorKey(waitMs: number) {
    return { key: this.#options.groupId, keyType: CoordinatorKeyType.group, waitMs };
  }
}
