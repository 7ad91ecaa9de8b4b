/**
 * Which gateway writes `_schemas`: the gateways join one Kafka group
 * (protocol type "sr", as Confluent's registries do with theirs), each
 * with its registry URL as metadata; the coordinator's group leader names
 * the writer (itself, when it may write; else the first member that may)
 * and every member learns the writer's URL from its assignment. Writes
 * that reach another gateway are forwarded to that URL.
 *
 * The election is advice, not a lock: a gateway that believes it is the
 * writer after the group moved on is stopped by the store's producer
 * fencing (store.ts), not by this module. The decisions are pure functions
 * (chooseWriter and the metadata/assignment codecs); WriterElection is the
 * thin wiring over GroupMembership.
 */
import { GroupMembership, KafkaClient } from '@runnel/client';
import type { Logger } from '@runnel/common';
import type { JoinGroupResponseMember } from '@runnel/protocol';

export const writerGroupProtocolType = 'sr';
const defaultSessionTimeoutMs = 10_000;
const protocolName = 'runnel-registry-v1';

/** What a gateway tells the group about itself. */
export interface MemberIdentity {
  readonly url: string;
  /** Whether this gateway may be the writer. */
  readonly eligible: boolean;
}

/** What every member is told: the writer's member id and URL, or none when no member may write. */
export interface WriterAssignment {
  readonly writerMemberId: string | null;
  readonly writerUrl: string | null;
}

export function encodeIdentity(identity: MemberIdentity): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, url: identity.url, eligible: identity.eligible }));
}

export function decodeIdentity(metadata: Buffer): MemberIdentity | null {
  try {
    const parsed = JSON.parse(metadata.toString('utf8')) as Record<string, unknown>;
    if (typeof parsed.url !== 'string') return null;
    return { url: parsed.url, eligible: parsed.eligible === true };
  } catch {
    return null;
  }
}

export function encodeAssignment(assignment: WriterAssignment): Buffer {
  return Buffer.from(JSON.stringify(assignment));
}

export function decodeAssignment(bytes: Buffer): WriterAssignment | null {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const memberId = typeof parsed.writerMemberId === 'string' ? parsed.writerMemberId : null;
    const url = typeof parsed.writerUrl === 'string' ? parsed.writerUrl : null;
    return { writerMemberId: memberId, writerUrl: memberId === null ? null : url };
  } catch {
    return null;
  }
}

/**
 * The writer for one generation: the group leader when it may write (the
 * coordinator keeps the leader across rebalances while it stays, so the
 * writer does not move when other gateways come and go), else the eligible
 * member with the smallest id; none when no member may write.
 */
export function chooseWriter(members: readonly JoinGroupResponseMember[], leaderId: string): WriterAssignment {
  const eligible = members
    .map((m) => ({ memberId: m.memberId, identity: decodeIdentity(m.metadata) }))
    .filter((m): m is { memberId: string; identity: MemberIdentity } => m.identity?.eligible === true)
    .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const chosen = eligible.find((m) => m.memberId === leaderId) ?? eligible[0];
  if (chosen === undefined) return { writerMemberId: null, writerUrl: null };
  return { writerMemberId: chosen.memberId, writerUrl: chosen.identity.url };
}

/** Where writes go right now. */
export type WriterRole =
  | { readonly kind: 'electing' }
  | { readonly kind: 'writer'; readonly generation: number }
  | { readonly kind: 'forward'; readonly url: string; readonly generation: number }
  | { readonly kind: 'none'; readonly generation: number };

export interface WriterElectionOptions {
  bootstrap: string;
  groupId: string;
  identity: MemberIdentity;
  logger: Logger;
  sessionTimeoutMs?: number;
  /** Called on every change of role (also back to 'electing' when a generation ends). */
  onRole: (role: WriterRole) => void;
}

export class WriterElection {
  readonly #options: WriterElectionOptions;
  #client: KafkaClient | null = null;
  #membership: GroupMembership | null = null;
  #role: WriterRole = { kind: 'electing' };

  constructor(options: WriterElectionOptions) {
    this.#options = options;
  }

  get role(): WriterRole {
    return this.#role;
  }

  /** Joins the group on its own client (a JoinGroup waits out whole rebalances). */
  async start(): Promise<void> {
    const { bootstrap, groupId, identity, logger } = this.#options;
    const client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-gateway-registry-election' });
    const sessionTimeoutMs = this.#options.sessionTimeoutMs ?? defaultSessionTimeoutMs;
    this.#client = client;
    const membership = new GroupMembership(client, {
      groupId,
      protocolType: writerGroupProtocolType,
      protocols: [{ name: protocolName, metadata: encodeIdentity(identity) }],
      sessionTimeoutMs,
      // A gateway has nothing to flush before it rejoins: a rebalance waits no longer for a member that does not
      // come back (one that stopped mid-join) than a silent member's session, instead of Kafka's usual minutes.
      rebalanceTimeoutMs: sessionTimeoutMs,
      assign: (members, { leaderId }) => {
        const assignment = encodeAssignment(chooseWriter(members, leaderId));
        return new Map(members.map((m) => [m.memberId, assignment]));
      },
      onAssigned: (bytes, context) => {
        const assignment = decodeAssignment(bytes);
        const generation = context.generationId;
        let role: WriterRole;
        if (assignment === null || assignment.writerMemberId === null || assignment.writerUrl === null) {
          role = { kind: 'none', generation };
        } else if (assignment.writerMemberId === context.memberId) {
          role = { kind: 'writer', generation };
        } else {
          role = { kind: 'forward', url: assignment.writerUrl, generation };
        }
        logger.info(
          { group: groupId, generation, registryRole: role.kind, writer: assignment?.writerUrl },
          'registry writer elected',
        );
        this.#setRole(role);
      },
      // A rebalance usually hands the same writer back (the leader stays): keep writing and forwarding meanwhile
      // rather than pausing every write for it. Producer fencing keeps that safe if the writer does change.
      onRevoked: (reason) => {
        if (reason === 'lost') this.#setRole({ kind: 'electing' });
      },
      onError: (error) => logger.warn({ err: error, group: groupId }, 'registry writer group: rejoining'),
    });
    this.#membership = membership;
    membership.start();
  }

  async stop(): Promise<void> {
    await this.#membership?.stop();
    this.#client?.close();
    this.#client = null;
  }

  #setRole(role: WriterRole): void {
    this.#role = role;
    this.#options.onRole(role);
  }
}
