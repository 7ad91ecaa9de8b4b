/**
 * One v2 consumer instance held by this gateway: its own KafkaClient, its
 * group membership while subscribed (the "consumer" protocol with the range
 * assignor, static member id = the instance name, so a gateway taking the
 * instance over fences this one's member at once), the partitions it holds
 * and its read positions. Operations run one at a time (a records request
 * and a seek never interleave). Owned by ConsumerInstances
 * (consumer-instances.ts), which creates, routes to and closes it; the
 * decisions are instance-state.ts's.
 */

import type { KafkaClient } from '@runnel/client';
import {
  decodeConsumerAssignment,
  decodeSubscription,
  encodeConsumerAssignment,
  encodeSubscription,
  GroupAdmin,
  GroupMembership,
} from '@runnel/client';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { assignRange, consumerProtocolType, rangeAssignor } from './consumer-protocol.ts';
import type { InstanceDefinition, InstanceTarget, TopicPartition } from './instance-definition.ts';
import {
  commitPositions,
  keepPositions,
  type OffsetCommit,
  partitionKey,
  readOrder,
  seek,
  startPosition,
  subscribedTopics,
  subscriptionChanged,
  unresolved,
} from './instance-state.ts';
import { commitOffsets } from './offset-commits.ts';
import { readRecords, type V2Record } from './record-reader.ts';

/** How often a subscribed instance checks the cluster's topics (Kafka's metadata.max.age.ms is 5 min). */
const metadataRefreshMs = 30_000;

export interface InstanceEvents {
  /** Another process took the static member id: the holder decides whether to rejoin or let go. */
  onFenced(instance: ConsumerInstance): void;
}

export class ConsumerInstance {
  #definition: InstanceDefinition;
  readonly #client: KafkaClient;
  readonly #admin: GroupAdmin;
  readonly #context: RestContext;
  readonly #events: InstanceEvents;
  readonly #closing = new AbortController();
  #membership: GroupMembership | null = null;
  #topics: string[] = [];
  #held: TopicPartition[] = [];
  #positions = new Map<string, bigint>();
  #round = 0;
  #queue: Promise<unknown> = Promise.resolve();
  /** Partition counts of the cluster's topics, for the range assignment this member runs when it leads. */
  #counts = new Map<string, number>();
  readonly #refreshTimer: NodeJS.Timeout;
  /** Whether an earlier records request returned records an auto commit has not committed yet. */
  #uncommitted = false;
  lastUsedMs = Date.now();

  private constructor(
    definition: InstanceDefinition,
    client: KafkaClient,
    context: RestContext,
    events: InstanceEvents,
  ) {
    this.#definition = definition;
    this.#client = client;
    this.#admin = new GroupAdmin(client);
    this.#context = context;
    this.#events = events;
    // As Kafka's metadata.max.age.ms: a pattern's new topics, and new partitions, are picked up by a rejoin.
    this.#refreshTimer = setInterval(() => {
      void this.#serialized(() => this.#refreshMetadata()).catch((error: unknown) =>
        context.logger.warn({ err: error, group: definition.group }, 'v2 consumer metadata refresh failed'),
      );
    }, metadataRefreshMs);
    this.#refreshTimer.unref();
  }

  /** Opens the instance for `definition` and starts reading what it names (a takeover resumes the same way). */
  static async open(definition: InstanceDefinition, context: RestContext, events: InstanceEvents) {
    const client = await context.connectClient({ clientId: `runnel-rest-${definition.group}-${definition.name}` });
    const instance = new ConsumerInstance(definition, client, context, events);
    try {
      await instance.#apply(definition.target);
    } catch (error) {
      clearInterval(instance.#refreshTimer);
      client.close();
      throw error;
    }
    return instance;
  }

  get definition(): InstanceDefinition {
    return this.#definition;
  }

  /** Runs `operation` after the ones before it; marks the instance used. */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    this.lastUsedMs = Date.now();
    return this.#serialized(operation).finally(() => {
      this.lastUsedMs = Date.now();
    });
  }

  /** One operation at a time (requests, metadata refreshes), without counting as use. */
  #serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Switches to a new definition's target (subscribe, assign, unsubscribe); the definition is already stored. */
  async retarget(definition: InstanceDefinition): Promise<void> {
    this.#definition = definition;
    await this.#apply(definition.target);
  }

  /** Records the owner's newer definition (a fresh touchedMs) without changing what it reads. */
  redefine(definition: InstanceDefinition): void {
    this.#definition = definition;
  }

  /** GET subscription: the topics subscribed (a pattern's matches). */
  subscription(): string[] {
    return this.#definition.target.kind === 'subscription' ? [...this.#topics] : [];
  }

  /** GET assignments: the partitions held now. */
  assignment(): TopicPartition[] {
    return [...this.#held];
  }

  async seek(seeks: readonly { tp: TopicPartition; offset: bigint }[]): Promise<void> {
    const decided = seek(this.#held, this.#positions, seeks);
    if (!decided.ok) throw new RestError(restErrorCodes.illegalState, `Illegal state: ${decided.error.message}`);
    this.#positions = decided.value;
  }

  /** Seeks each partition to where `timestamp` says (-2n beginning, -1n end, else the first record at or after). */
  async seekTo(partitions: readonly TopicPartition[], timestamp: bigint): Promise<void> {
    const seeks = await Promise.all(
      partitions.map(async (tp) => {
        const found = await this.#client.listOffsets(tp.topic, tp.partition, timestamp);
        // No record at or after the timestamp: the end, as Kafka's seek after offsetsForTimes finds none.
        const offset =
          found.offset < 0n ? (await this.#client.listOffsets(tp.topic, tp.partition, -1n)).offset : found.offset;
        return { tp, offset };
      }),
    );
    await this.seek(seeks);
  }

  async read(options: { timeoutMs: number; maxBytes: number }): Promise<V2Record[]> {
    const { config, format } = this.#definition;
    if (config.autoCommitEnable && this.#uncommitted) {
      // As Kafka's auto commit: a failed commit (a rebalance, a moving coordinator) is logged, not the read's failure.
      await this.commit(null).catch((error: unknown) =>
        this.#context.logger.warn({ err: error, group: this.#definition.group }, 'v2 consumer auto commit failed'),
      );
    }
    await this.#resolvePositions();
    const records = await readRecords(this.#client, this.#context.formats, {
      order: readOrder(this.#held, this.#round++),
      positions: this.#positions,
      format,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      fetchMinBytes: config.fetchMinBytes,
      autoOffsetReset: config.autoOffsetReset,
      signal: this.#closing.signal,
    });
    if (records.length > 0) this.#uncommitted = true;
    return records;
  }

  /** Commits `given` as they are (already offset + 1), or with null every held partition's position. */
  async commit(given: readonly OffsetCommit[] | null): Promise<void> {
    const commits = given ?? commitPositions(this.#held, this.#positions);
    const member = this.#membership?.generation ?? null;
    if (this.#definition.target.kind === 'subscription' && member === null && commits.length > 0) {
      throw new RestError(restErrorCodes.kafkaRetriableError, 'the group is rebalancing; commit again once it settles');
    }
    await commitOffsets(this.#admin, this.#definition.group, commits, member);
    if (given === null) this.#uncommitted = false;
  }

  /** The group's committed offsets of `partitions` (those it has a commit for). */
  async committed(partitions: readonly TopicPartition[]) {
    const all = await this.#admin.fetchOffsets(this.#definition.group);
    const wanted = new Set(partitions.map(partitionKey));
    return all.filter((o) => o.offset >= 0n && wanted.has(partitionKey(o)));
  }

  /** Stops reading; `leave` false when another gateway took the instance (leaving would remove its member). */
  async close(options: { leave: boolean }): Promise<void> {
    // As Kafka's consumer closing with auto commit on: what was read is committed (only by the recorded owner).
    if (options.leave && this.#definition.config.autoCommitEnable && this.#uncommitted) {
      await this.commit(null).catch(() => undefined);
    }
    this.#closing.abort();
    clearInterval(this.#refreshTimer);
    await this.#membership?.stop({ leave: options.leave });
    this.#membership = null;
    this.#client.close();
  }

  /** Rejoins the group after a fence, when this gateway is still the instance's recorded owner. */
  async rejoin(): Promise<void> {
    await this.#apply(this.#definition.target);
  }

  async #apply(target: InstanceTarget): Promise<void> {
    await this.#membership?.stop({ leave: target.kind !== 'subscription' });
    this.#membership = null;
    if (target.kind === 'assignment') {
      this.#topics = [];
      this.#setHeld(target.partitions);
      return;
    }
    this.#setHeld([]);
    if (target.kind === 'none') {
      this.#topics = [];
      return;
    }
    await this.#join(target);
  }

  async #join(target: InstanceTarget): Promise<void> {
    // Partition counts of every topic, read now: the leader's assignment runs synchronously inside the join.
    const metadata = await this.#client.metadata(null);
    this.#counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    this.#topics = subscribedTopics(
      target,
      metadata.topics.map((t) => t.name),
    );
    const { group, name } = this.#definition;
    const membership = new GroupMembership(this.#client, {
      groupId: group,
      protocolType: consumerProtocolType,
      protocols: [{ name: rangeAssignor, metadata: encodeSubscription(this.#topics) }],
      groupInstanceId: name,
      assign: (members) => {
        const subscribed = members.map((m) => ({
          memberId: m.memberId,
          topics: decodeSubscription(Buffer.from(m.metadata)) ?? [],
        }));
        const assigned = assignRange(subscribed, this.#counts);
        return new Map([...assigned].map(([memberId, parts]) => [memberId, encodeConsumerAssignment(parts)]));
      },
      onAssigned: (bytes) => {
        const parts = decodeConsumerAssignment(Buffer.from(bytes)) ?? [];
        this.#setHeld(parts.flatMap((p) => p.partitions.map((partition) => ({ topic: p.topic, partition }))));
      },
      onRevoked: (reason) => {
        this.#held = [];
        if (reason === 'lost') this.#positions = new Map();
      },
      onError: (error) =>
        this.#context.logger.warn({ err: error, group, instance: name }, 'v2 consumer member rejoins'),
      onFenced: () => this.#events.onFenced(this),
    });
    this.#membership = membership;
    membership.start();
  }

  /** Rejoins when the subscribed topics (a pattern's matches) or their partition counts changed. */
  async #refreshMetadata(): Promise<void> {
    const target = this.#definition.target;
    if (target.kind !== 'subscription' || this.#membership === null || this.#closing.signal.aborted) return;
    const metadata = await this.#client.metadata(null);
    const counts = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const topics = subscribedTopics(
      target,
      metadata.topics.map((t) => t.name),
    );
    const changed = subscriptionChanged({ topics: this.#topics, counts: this.#counts }, { topics, counts });
    this.#counts = counts;
    if (changed) await this.#apply(target);
  }

  #setHeld(partitions: readonly TopicPartition[]): void {
    this.#held = [...partitions];
    this.#positions = keepPositions(this.#positions, this.#held);
  }

  /** Positions for held partitions that have none: the committed offset, else the reset policy. */
  async #resolvePositions(): Promise<void> {
    const missing = unresolved(this.#held, this.#positions);
    if (missing.length === 0) return;
    const committed = new Map(
      (await this.#admin.fetchOffsets(this.#definition.group)).map((o) => [partitionKey(o), o.offset]),
    );
    const reset = this.#definition.config.autoOffsetReset;
    for (const tp of missing) {
      const found = committed.get(partitionKey(tp)) ?? null;
      const ends =
        found !== null && found >= 0n
          ? { earliest: 0n, latest: 0n }
          : {
              earliest: (await this.#client.listOffsets(tp.topic, tp.partition, -2n)).offset,
              latest: (await this.#client.listOffsets(tp.topic, tp.partition, -1n)).offset,
            };
      const position = startPosition(found, reset, ends);
      if (position === null) {
        throw new RestError(
          restErrorCodes.kafkaError,
          `no committed offset for ${partitionKey(tp)} and auto.offset.reset is none`,
        );
      }
      this.#positions.set(partitionKey(tp), position);
    }
  }
}
