/**
 * The in-memory shape of one group and its members, and the pure rules on
 * it that Kafka's GroupMetadata holds: which protocols the members share,
 * which one the members' votes pick, what gets persisted. Mutated only by
 * the group machine (group-machine.ts and the files it delegates to).
 */
import { assert } from '@runnel/common';
import { decodeSubscriptionTopics } from './consumer-protocol.ts';
import type { GroupStateName, JoinMember, ProtocolOffer } from './group-api.ts';
import type { GroupMetadataValue, LoadedPartition, LoggedOffset, MemberMetadata } from './types.ts';

export interface Member {
  memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocols: readonly ProtocolOffer[];
  assignment: Buffer;
  /** Tickets of JoinGroup requests parked until the join phase completes. */
  joinTickets: number[];
  /** Tickets of SyncGroup requests parked until the leader's assignment is persisted. */
  syncTickets: number[];
  /** The member is removed when this passes without a heartbeat (unless a request of it is parked). */
  sessionDeadlineMs: number;
}

export interface Group {
  readonly groupId: string;
  state: GroupStateName;
  stateSinceMs: number;
  protocolType: string | null;
  protocol: string | null;
  generation: number;
  leader: string | null;
  /** In join order: the first member becomes the leader. */
  readonly members: Map<string, Member>;
  /** group.instance.id → current member id (KIP-345). */
  readonly staticMembers: Map<string, string>;
  /** Member ids handed out with MEMBER_ID_REQUIRED (KIP-394) → deadline to rejoin with them. */
  readonly pendingMembers: Map<string, number>;
  /** Members that have not sent SyncGroup since the join phase completed. */
  readonly pendingSync: Set<string>;
  /** When PreparingRebalance ends at the latest (rebalance timeout or initial delay). */
  joinDeadlineMs: number | null;
  /** The initial delay of a new group's first rebalance: budget left to extend it. */
  initialDelay: { remainingMs: number; newMemberAdded: boolean } | null;
  /** When CompletingRebalance gives up on members that did not sync. */
  syncDeadlineMs: number | null;
  /** The leader's assignment of this generation is being persisted. */
  assigning: boolean;
  /** Topics the members subscribe to, when the group is a consumer group whose metadata decodes. */
  subscribedTopics: Set<string> | null;
  /** `${topic}:${partition}` → committed offset (visible only once persisted). */
  readonly offsets: Map<string, LoggedOffset>;
  /**
   * Transactional commits written but not yet ended by their transaction's
   * marker: producerId → key → commits. Never served by OffsetFetch; a
   * COMMIT moves them into `offsets` (where later than what is there), an
   * ABORT drops them. Several per key when the producer's next transaction
   * commits the key before the previous one's completion arrived: each
   * marker ends only those written before it. Never empty lists or maps.
   */
  readonly pendingTxn: Map<bigint, Map<string, LoggedOffset[]>>;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function splitOffsetKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf(':');
  assert(at > 0, `bad offset key ${key}`);
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

export function newGroup(groupId: string, nowMs: number): Group {
  return {
    groupId,
    state: 'Empty',
    stateSinceMs: nowMs,
    protocolType: null,
    protocol: null,
    generation: 0,
    leader: null,
    members: new Map(),
    staticMembers: new Map(),
    pendingMembers: new Map(),
    pendingSync: new Set(),
    joinDeadlineMs: null,
    initialDelay: null,
    syncDeadlineMs: null,
    assigning: false,
    subscribedTopics: null,
    offsets: new Map(),
    pendingTxn: new Map(),
  };
}

export function transition(group: Group, state: GroupStateName, nowMs: number): void {
  group.state = state;
  group.stateSinceMs = nowMs;
}

/** Whether a joining member's protocol type and protocols fit the group (Kafka's supportsProtocols). */
export function supportsProtocols(group: Group, protocolType: string, protocols: readonly ProtocolOffer[]): boolean {
  if (protocolType === '' || protocols.length === 0) return false;
  if (group.members.size === 0) return true;
  if (group.protocolType !== protocolType) return false;
  return protocols.some((p) => supportedByAll(group, p.name));
}

function supportedByAll(group: Group, name: string): boolean {
  for (const m of group.members.values()) if (!m.protocols.some((p) => p.name === name)) return false;
  return true;
}

/**
 * The protocol the members' votes pick among those all support: each member
 * votes for its most preferred candidate; ties go to the candidate the
 * leader prefers (Kafka leaves ties unspecified).
 */
export function selectProtocol(group: Group): string {
  const first = group.members.get(group.leader ?? '') ?? group.members.values().next().value;
  assert(first !== undefined, 'selectProtocol on a group with no members');
  const candidates = first.protocols.map((p) => p.name).filter((name) => supportedByAll(group, name));
  assert(candidates.length > 0, `group ${group.groupId} has no protocol all members support`);
  const votes = new Map<string, number>();
  for (const m of group.members.values()) {
    const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
    if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best = candidates[0] as string;
  for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
  return best;
}

export function memberMetadataFor(member: Member, protocol: string | null): Buffer {
  return member.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
}

export function sameProtocols(a: readonly ProtocolOffer[], b: readonly ProtocolOffer[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i].metadata));
}

export function joinMembers(group: Group): JoinMember[] {
  return [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    metadata: memberMetadataFor(m, group.protocol),
  }));
}

/** Recomputes the subscribed topics after a protocol was chosen (null unless every member's subscription decodes). */
export function refreshSubscribedTopics(group: Group): void {
  group.subscribedTopics = null;
  if (group.protocolType !== 'consumer' || group.protocol === null) return;
  const topics = new Set<string>();
  for (const m of group.members.values()) {
    const decoded = decodeSubscriptionTopics(memberMetadataFor(m, group.protocol));
    if (decoded === null) return;
    for (const t of decoded) topics.add(t);
  }
  group.subscribedTopics = topics;
}

/** What is persisted to `__consumer_offsets` for the group as it stands. */
export function metadataValue(group: Group, assignments?: ReadonlyMap<string, Buffer>): GroupMetadataValue {
  const members: MemberMetadata[] = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    sessionTimeoutMs: m.sessionTimeoutMs,
    subscription: memberMetadataFor(m, group.protocol),
    assignment: assignments?.get(m.memberId) ?? m.assignment,
  }));
  return {
    protocolType: group.protocolType,
    generation: group.generation,
    protocol: group.protocol,
    leader: group.leader,
    currentStateTimestampMs: BigInt(group.stateSinceMs),
    members,
  };
}

/**
 * Rebuilds the groups of one `__consumer_offsets` partition from what the
 * store read: a group with members comes back Stable (they get a full
 * session to heartbeat the new coordinator), one without comes back Empty,
 * and offsets without metadata belong to an Empty group of no protocol type.
 */
export function groupsFromLoaded(state: LoadedPartition, nowMs: number): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const [groupId, value] of state.groups) {
    const group = newGroup(groupId, Number(value.currentStateTimestampMs));
    group.protocolType = value.protocolType;
    group.generation = value.generation;
    if (value.members.length > 0 && value.protocol !== null) {
      group.protocol = value.protocol;
      group.leader = value.leader;
      transition(group, 'Stable', Number(value.currentStateTimestampMs));
      for (const m of value.members) {
        group.members.set(m.memberId, {
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          protocols: [{ name: value.protocol, metadata: m.subscription }],
          assignment: m.assignment,
          joinTickets: [],
          syncTickets: [],
          sessionDeadlineMs: nowMs + m.sessionTimeoutMs,
        });
        if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
      }
      if (group.leader === null || !group.members.has(group.leader)) group.leader = value.members[0]?.memberId ?? null;
      refreshSubscribedTopics(group);
    }
    groups.set(groupId, group);
  }
  for (const [groupId, offsets] of state.offsets) {
    let group = groups.get(groupId);
    if (group === undefined) {
      group = newGroup(groupId, nowMs);
      groups.set(groupId, group);
    }
    for (const [key, value] of offsets) group.offsets.set(key, value);
  }
  for (const [producerId, byGroup] of state.pendingTxnOffsets) {
    for (const [groupId, offsets] of byGroup) {
      let group = groups.get(groupId);
      if (group === undefined) {
        group = newGroup(groupId, nowMs);
        groups.set(groupId, group);
      }
      group.pendingTxn.set(producerId, new Map([...offsets].map(([key, logged]) => [key, [logged]])));
    }
  }
  return groups;
}

/** Whether any open transaction holds a commit of `key` (any key when omitted) for the group. */
export function hasPendingTxn(group: Group, key?: string): boolean {
  for (const pending of group.pendingTxn.values()) if (key === undefined || pending.has(key)) return true;
  return false;
}
