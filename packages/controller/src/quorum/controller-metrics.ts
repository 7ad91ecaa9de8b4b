/**
 * The controller process's Prometheus metrics. Names follow what operators
 * already dashboard for KRaft (kafka_controller_kafkacontroller_*), so the
 * usual "exactly one active controller" and "offline partitions" alerts
 * carry over; Raft internals get runnel_raft_* names.
 *
 * Owned by the controller process, which passes it to QuorumController as
 * its observer and then attach()es the controller; gauges are read from the
 * controller at scrape time, so they cost nothing between scrapes. Each
 * instance has its own registry (several controllers share a process in
 * tests). Nothing here throws on the controller's path.
 */
import type { MetadataImage, PartitionImage } from '@runnel/metadata';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BalanceStatus } from '../logic/balance-duties.ts';
import { balanceStatus } from '../logic/balance-duties.ts';
import { preferredReplicaImbalanceCount } from '../logic/preferred-leaders.ts';
import type { QuorumObserver } from './quorum-controller.ts';

/** What the metrics read from a running controller (QuorumController satisfies it). */
export interface ControllerMetricsSource {
  readonly isActive: boolean;
  readonly leaderId: number;
  readonly image: MetadataImage;
  readonly raftStatus: { readonly term: number; readonly commit: number; readonly applied: number };
  readonly brokerMetadataOffsets: ReadonlyMap<number, bigint>;
}

/** Commit latency buckets: a local quorum commits in about a millisecond, a struggling one in seconds. */
const commitBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ControllerMetrics implements QuorumObserver {
  readonly registry = new Registry();
  readonly #leaderChanges: Counter;
  readonly #commitSeconds: Histogram<'operation'>;
  #source: ControllerMetricsSource | null = null;

  constructor(options: { defaultMetrics: boolean }) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.#leaderChanges = new Counter({
      name: 'runnel_raft_leader_changes_total',
      help: 'Times this node learned of a new Raft leader',
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'runnel_controller_commit_latency_seconds',
      help: 'Time from proposing an admin operation to its records being committed and applied, by operation',
      labelNames: ['operation'],
      buckets: commitBuckets,
      registers,
    });
    const read = (gauge: Gauge, value: (s: ControllerMetricsSource) => number): void => {
      gauge.reset();
      if (this.#source !== null) gauge.set(value(this.#source));
    };
    new Gauge({
      name: 'kafka_controller_kafkacontroller_activecontrollercount',
      help: '1 on the active controller (the Raft leader), 0 elsewhere; the sum over the quorum should be 1',
      registers,
      collect() {
        read(this, (s) => (s.isActive ? 1 : 0));
      },
    });
    new Gauge({
      name: 'runnel_raft_term',
      help: 'Current Raft term of this node',
      registers,
      collect() {
        read(this, (s) => s.raftStatus.term);
      },
    });
    new Gauge({
      name: 'runnel_raft_commit_index',
      help: 'Highest Raft log index known to be committed',
      registers,
      collect() {
        read(this, (s) => s.raftStatus.commit);
      },
    });
    new Gauge({
      name: 'runnel_raft_applied_index',
      help: 'Highest Raft log index applied to the metadata image on this node',
      registers,
      collect() {
        read(this, (s) => s.raftStatus.applied);
      },
    });
    new Gauge({
      name: 'runnel_raft_leader_id',
      help: 'Node id of the Raft leader as this node knows it; 0 when unknown',
      registers,
      collect() {
        read(this, (s) => s.leaderId);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_activebrokercount',
      help: 'Registered brokers that are not fenced',
      registers,
      collect() {
        read(this, (s) => s.image.liveBrokers().length);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_fencedbrokercount',
      help: 'Registered brokers that are fenced',
      registers,
      collect() {
        read(this, (s) => s.image.brokers().filter((b) => b.fenced).length);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_offlinepartitionscount',
      help: 'Partitions without a leader (leader -1)',
      registers,
      collect() {
        read(this, (s) => countPartitions(s.image, (p) => p.leader === -1));
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_preferredreplicaimbalancecount',
      help: 'Partitions whose leader is not their preferred (first) replica',
      registers,
      collect() {
        read(this, (s) => preferredReplicaImbalanceCount(s.image));
      },
    });
    new Gauge({
      name: 'runnel_controller_elr_partitions',
      help: 'Partitions with eligible leader replicas (KIP-966): their ISR is below min.insync.replicas',
      registers,
      collect() {
        read(this, (s) => countPartitions(s.image, (p) => p.elr.length > 0));
      },
    });
    const balance: [string, string, (b: BalanceStatus) => number][] = [
      [
        'runnel_controller_reassigning_partitions',
        'Partitions with a reassignment in progress',
        (b) => b.movesInFlight,
      ],
      [
        'runnel_controller_broker_replica_imbalance',
        'Replicas on the fullest live, not decommissioning broker minus on the emptiest (0 or 1 is balanced)',
        (b) => b.replicaImbalance,
      ],
      [
        'runnel_controller_broker_leader_imbalance',
        'Partitions led by the busiest live, not decommissioning broker minus by the idlest (0 or 1 is balanced)',
        (b) => b.leaderImbalance,
      ],
      [
        'runnel_controller_decommissioning_replicas',
        'Replicas still on brokers being decommissioned',
        (b) => b.decommissioningReplicas,
      ],
    ];
    for (const [name, help, pick] of balance) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          read(this, (s) => pick(balanceStatus(s.image)));
        },
      });
    }
    new Gauge({
      name: 'runnel_controller_metadata_offset',
      help: 'Offset of the last metadata record applied on this node (-1 before the first)',
      registers,
      collect() {
        read(this, (s) => Number(s.image.lastOffset));
      },
    });
    const source = (): ControllerMetricsSource | null => this.#source;
    new Gauge({
      name: 'runnel_controller_broker_metadata_lag',
      help: 'Metadata records a broker is behind, from its last heartbeat (reported by the active controller only)',
      labelNames: ['broker'],
      registers,
      collect() {
        this.reset();
        const s = source();
        if (s === null || !s.isActive) return;
        for (const [brokerId, offset] of brokerLags(s)) this.set({ broker: String(brokerId) }, offset);
      },
    });
  }

  /** Binds the gauges to a started controller; before this they report nothing. */
  attach(source: ControllerMetricsSource): void {
    this.#source = source;
  }

  leaderChanged(): void {
    this.#leaderChanges.inc();
  }

  committed(operation: string, seconds: number): void {
    this.#commitSeconds.observe({ operation }, seconds);
  }
}

function countPartitions(image: MetadataImage, counts: (p: PartitionImage) => boolean): number {
  let n = 0;
  for (const name of image.topicNames()) {
    for (const p of image.topic(name)?.partitions ?? []) if (counts(p)) n++;
  }
  return n;
}

/** Lag per registered broker that has heartbeated: records between its offset and this image's. */
function brokerLags(s: ControllerMetricsSource): [number, number][] {
  const lags: [number, number][] = [];
  for (const b of s.image.brokers()) {
    const reported = s.brokerMetadataOffsets.get(b.brokerId);
    if (reported === undefined) continue;
    const lag = s.image.lastOffset - reported;
    lags.push([b.brokerId, Number(lag > 0n ? lag : 0n)]);
  }
  return lags;
}
