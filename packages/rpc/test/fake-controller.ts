import { randomUUID } from 'node:crypto';
import { err, ok } from '@runnel/common';
import type {
  BrokerStatus,
  ClientQuotaAlteration,
  CommittedBatch,
  CreateTopicResult,
  MetadataRecord,
  OngoingReassignment,
  PartitionReassignment,
  QuorumDescription,
  ReassignmentQuery,
  RegisterBrokerRequest,
  TopicPartitionRef,
} from '@runnel/metadata';
import type { ControllerAnswer, ControllerLeaderHint } from '../src/controller-answer.ts';
import { answer, notController } from '../src/controller-answer.ts';
import type { ControllerServiceHandler, MetadataStreamSink } from '../src/controller-types.ts';

/**
 * An in-memory stand-in for the controller: a record list, live sinks, and
 * switches a test flips (leader or not, how far back the log starts, how
 * much a resumed stream overlaps, calls that never answer).
 */
export class FakeController implements ControllerServiceHandler {
  readonly records: MetadataRecord[] = [];
  readonly #sinks = new Set<MetadataStreamSink>();
  /** null = this node leads; otherwise it answers NOT_CONTROLLER with this hint. */
  leader: ControllerLeaderHint | null = null;
  /** Offsets below this are only available as a snapshot. */
  logStartOffset = 0n;
  /** A resumed stream re-sends this many records before the asked offset (a sloppy server the client must trim). */
  resendOverlap = 0;
  /** createTopics never answers while set. */
  hang = false;
  /** Names of RPCs served, in order. */
  readonly served: string[] = [];

  get lastOffset(): bigint {
    return BigInt(this.records.length) - 1n;
  }

  /** Commits records and pushes them to every stream, as a Raft commit would. */
  commit(records: readonly MetadataRecord[]): bigint {
    for (const r of records) this.records.push(r);
    const batch: CommittedBatch = { records, lastOffset: this.lastOffset };
    for (const sink of this.#sinks) sink.batch(batch);
    return this.lastOffset;
  }

  #refuse(): { status: 'not_controller'; leader: ControllerLeaderHint } | null {
    return this.leader === null ? null : notController(this.leader);
  }

  async registerBroker(req: Parameters<ControllerServiceHandler['registerBroker']>[0]) {
    this.served.push('registerBroker');
    this.lastRegistration = req;
    const refused = this.#refuse();
    if (refused !== null) return refused;
    if (req.incarnationId === 'taken') return answer(err('duplicate_broker_registration', 'id in use'));
    const epoch = this.commit([
      {
        type: 'register-broker',
        brokerId: req.brokerId,
        incarnationId: req.incarnationId,
        brokerEpoch: BigInt(this.records.length),
        listeners: req.listeners,
        rack: req.rack,
      },
    ]);
    return answer(ok({ brokerEpoch: epoch }), epoch);
  }

  /** The heartbeats served, as decoded. */
  readonly heartbeats: Parameters<ControllerServiceHandler['brokerHeartbeat']>[0][] = [];

  async brokerHeartbeat(req: Parameters<ControllerServiceHandler['brokerHeartbeat']>[0]) {
    this.heartbeats.push(req);
    const refused = this.#refuse();
    if (refused !== null) return refused;
    if (req.brokerId === 99) return answer(err('unknown_broker'));
    return answer(
      ok({ fenced: false, caughtUp: req.metadataOffset >= this.lastOffset, shouldShutDown: req.wantShutDown }),
    );
  }

  fetchMetadata(afterOffset: bigint, sink: MetadataStreamSink) {
    this.served.push(`fetchMetadata(${afterOffset})`);
    const refused = this.#refuse();
    if (refused !== null) return refused;
    if (afterOffset + 1n < this.logStartOffset) {
      sink.snapshot([...this.records], this.lastOffset);
    } else {
      const from = Math.max(0, Number(afterOffset + 1n) - this.resendOverlap);
      if (from < this.records.length) sink.batch({ records: this.records.slice(from), lastOffset: this.lastOffset });
    }
    this.#sinks.add(sink);
    return { status: 'ok' as const, stop: () => this.#sinks.delete(sink) };
  }

  get streamCount(): number {
    return this.#sinks.size;
  }

  createTopics({ topics, validateOnly }: Parameters<ControllerServiceHandler['createTopics']>[0]) {
    this.served.push('createTopics');
    const refused = this.#refuse();
    if (refused !== null) return Promise.resolve(refused);
    if (this.hang) return new Promise<ControllerAnswer<CreateTopicResult[]>>(() => undefined);
    const results: CreateTopicResult[] = [];
    const records: MetadataRecord[] = [];
    for (const t of topics) {
      if (this.records.some((r) => r.type === 'topic' && r.name === t.name)) {
        results.push({ name: t.name, result: err('topic_already_exists', `${t.name} exists`) });
        continue;
      }
      const topicId = randomUUID();
      records.push({ type: 'topic', name: t.name, topicId });
      results.push({
        name: t.name,
        result: ok({ topicId, numPartitions: t.numPartitions, replicationFactor: 1, configs: t.configs }),
      });
    }
    if (validateOnly || records.length === 0) return Promise.resolve(answer(results));
    return Promise.resolve(answer(results, this.commit(records)));
  }

  async deleteTopics({ names }: { names: readonly string[] }) {
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(names.map((name) => ({ name, result: err('unknown_topic' as const, `no topic ${name}`) })));
  }

  async createPartitions({ topics }: Parameters<ControllerServiceHandler['createPartitions']>[0]) {
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(
      topics.map((t) => ({ topic: t.topic, result: t.count > 0 ? ok(null) : err('invalid_partitions' as const) })),
    );
  }

  async alterConfigs({ resources }: Parameters<ControllerServiceHandler['alterConfigs']>[0]) {
    const refused = this.#refuse();
    if (refused !== null) return refused;
    this.lastAlter = resources;
    return answer(
      resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        result: r.changes.every((c) => c.name !== 'bogus') ? ok(null) : err('invalid_config' as const, 'bogus'),
      })),
    );
  }

  lastAlter: Parameters<ControllerServiceHandler['alterConfigs']>[0]['resources'] = [];

  /** The fake partition's epoch; an AlterPartition naming it succeeds and bumps it (committing nothing). */
  partitionEpoch = 3;

  async alterPartition(req: Parameters<ControllerServiceHandler['alterPartition']>[0]) {
    this.served.push('alterPartition');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    if (req.partitionEpoch !== this.partitionEpoch) {
      return answer(err('invalid_update_version' as const, `partition epoch is ${this.partitionEpoch}`));
    }
    this.partitionEpoch++;
    return answer(ok({ partitionEpoch: this.partitionEpoch, isr: [...req.isr] }));
  }

  /** What listPartitionReassignments answers; an accepted reassignment is added here (nothing is committed). */
  readonly ongoing: OngoingReassignment[] = [];

  async alterPartitionReassignments({ reassignments }: { reassignments: readonly PartitionReassignment[] }) {
    this.served.push('alterPartitionReassignments');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(
      reassignments.map(({ topic, partition, replicas }) => {
        if (replicas === null) {
          return { topic, partition, result: err('no_reassignment_in_progress' as const, 'nothing to cancel') };
        }
        this.ongoing.push({ topic, partition, replicas, addingReplicas: replicas, removingReplicas: [] });
        return { topic, partition, result: ok(null) };
      }),
    );
  }

  async listPartitionReassignments({ query }: { query: readonly ReassignmentQuery[] | null }) {
    this.served.push('listPartitionReassignments');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    const wanted = (r: OngoingReassignment) =>
      query === null || query.some((q) => q.topic === r.topic && q.partitions.includes(r.partition));
    return answer(this.ongoing.filter(wanted));
  }

  /** The last registration served, to check fields survive the wire. */
  lastRegistration: RegisterBrokerRequest | null = null;

  /** ElectLeaders: partition 0 of any topic elects; other partitions need no election; `null` elects nothing. */
  async electLeaders({ partitions }: { partitions: readonly TopicPartitionRef[] | null }) {
    this.served.push('electLeaders');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(
      (partitions ?? []).map(({ topic, partition }) =>
        partition === 0
          ? { topic, partition, result: ok(null) }
          : { topic, partition, result: err('election_not_needed' as const, 'already the preferred leader') },
      ),
    );
  }

  /** What describeBrokers answers; decommissionBroker flips the named broker's state here (nothing is committed). */
  readonly brokerStatuses: BrokerStatus[] = [
    {
      brokerId: 1,
      listeners: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      fenced: false,
      state: 'active',
      replicas: 12,
      leaders: 4,
      moving: 0,
      pinned: 3,
    },
    {
      brokerId: 4,
      listeners: [],
      rack: 'r2',
      fenced: true,
      state: 'removable',
      replicas: 0,
      leaders: 0,
      moving: 1,
      pinned: 0,
    },
  ];

  async describeBrokers() {
    this.served.push('describeBrokers');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(this.brokerStatuses);
  }

  /** What describeQuorum answers: a leader, a lagging voter whose progress is unknown, a broker observer. */
  readonly quorum: QuorumDescription = {
    leaderId: 1,
    leaderEpoch: 7,
    highWatermark: 120n,
    voters: [
      { replicaId: 1, logEndOffset: 120n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: 1_800_000_000_000n },
      { replicaId: 2, logEndOffset: -1n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: -1n },
    ],
    observers: [
      { replicaId: 10, logEndOffset: 118n, lastFetchTimestamp: 1_799_999_999_000n, lastCaughtUpTimestamp: -1n },
    ],
    nodes: [{ nodeId: 1, listeners: [{ name: 'CONTROLLER', host: 'c1', port: 9093 }] }],
  };

  async describeQuorum() {
    this.served.push('describeQuorum');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer(this.quorum, 120n);
  }

  /** Accepts transaction.version updates; refuses anything else as invalid_update_version. */
  async updateFeatures({ updates }: { updates: readonly { feature: string }[] }) {
    this.served.push('updateFeatures');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    const unknown = updates.find((u) => u.feature !== 'transaction.version');
    if (unknown !== undefined) return answer(err('invalid_update_version' as const, `unknown ${unknown.feature}`), 3n);
    return answer(ok(null), 4n);
  }

  /** What the last AlterClientQuotas carried; an entry with a key named "bad" is refused. */
  quotaEntries: readonly ClientQuotaAlteration[] = [];

  async alterClientQuotas({ entries }: { entries: readonly ClientQuotaAlteration[] }) {
    this.served.push('alterClientQuotas');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    this.quotaEntries = entries;
    return answer(
      entries.map((e) => (e.ops.some((o) => o.key === 'bad') ? err('invalid_request' as const, 'bad key') : ok(null))),
      6n,
    );
  }

  /** Broker 1 decommissions (or cancels); broker 4 refuses with insufficient_brokers; others are unknown. */
  async decommissionBroker({ brokerId, cancel }: { brokerId: number; cancel: boolean }) {
    this.served.push('decommissionBroker');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    const status = this.brokerStatuses.find((b) => b.brokerId === brokerId);
    if (status === undefined) return answer(err('unknown_broker' as const, `Broker ${brokerId} is not registered.`));
    if (brokerId === 4) return answer(err('insufficient_brokers' as const, 'no room'), 5n);
    const state = cancel ? ('active' as const) : ('decommissioning' as const);
    return answer(ok({ ...status, state }), -1n);
  }

  /** The next producer id the fake hands out, a block of 1000 at a time (nothing is committed). */
  nextProducerId = 0n;

  async allocateProducerIds(req: { brokerId: number; brokerEpoch: bigint }) {
    this.served.push('allocateProducerIds');
    const refused = this.#refuse();
    if (refused !== null) return refused;
    if (req.brokerId === 99) return answer(err('unknown_broker' as const, 'not registered'));
    const firstProducerId = this.nextProducerId;
    this.nextProducerId += 1000n;
    return answer(ok({ firstProducerId, size: 1000 }));
  }

  async describeCluster() {
    const refused = this.#refuse();
    if (refused !== null) return refused;
    return answer({
      clusterId: 'cluster-1',
      controllerId: 1,
      metadataOffset: 2n ** 63n - 1n,
      brokers: [
        {
          brokerId: 1,
          brokerEpoch: -(2n ** 63n),
          listeners: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' }],
          rack: null,
          fenced: false,
        },
        { brokerId: 2, brokerEpoch: 7n, listeners: [], rack: 'r1', fenced: true },
      ],
    });
  }
}
