/**
 * Replication metrics, under Kafka's names where Kafka has one so existing
 * dashboards and alerts carry over: under-replicated and under-min-ISR
 * partitions, ISR shrinks and expands, leader count, replication bytes,
 * and per-follower lag as the leader sees it. Gauges are computed when
 * scraped from the partitions this broker leads. Owned by ReplicaManager,
 * registered in the broker's registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Partition } from './partition.ts';
import type { FollowerState } from './replica-tracker.ts';

export interface ReplicationSources {
  /** Partitions hosted here. */
  partitions(): Iterable<Partition>;
  /** min.insync.replicas in force for a topic. */
  minInsyncReplicas(topic: string): number;
  nowMs(): number;
}

export class ReplicationMetrics {
  readonly isrShrinks: Counter;
  readonly isrExpands: Counter;
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;
  readonly truncations: Counter;
  readonly tailCacheReads: Counter;
  readonly logReads: Counter;

  constructor(registry: Registry, sources: ReplicationSources) {
    const registers = [registry];
    const counter = (name: string, help: string): Counter => new Counter({ name, help, registers });
    this.isrShrinks = counter(
      'kafka_server_replicamanager_isrshrinks_total',
      'ISR shrinks committed for partitions this broker leads',
    );
    this.isrExpands = counter(
      'kafka_server_replicamanager_isrexpands_total',
      'ISR expands committed for partitions this broker leads',
    );
    this.bytesIn = counter(
      'kafka_server_brokertopicmetrics_replicationbytesin_total',
      'Record batch bytes this broker copied from leaders as a follower',
    );
    this.bytesOut = counter(
      'kafka_server_brokertopicmetrics_replicationbytesout_total',
      'Record batch bytes this broker sent to followers as a leader',
    );
    this.truncations = counter(
      'runnel_replication_follower_truncations_total',
      'Times a follower cut its log back to where it agrees with the leader (diverging epoch)',
    );
    this.tailCacheReads = counter(
      'runnel_replication_leader_tail_cache_reads_total',
      'Follower fetches answered from the leader tail cache (recent appends in memory)',
    );
    this.logReads = counter(
      'runnel_replication_leader_log_reads_total',
      'Follower fetches that read the leader log file (follower behind the tail cache)',
    );
    const leaders = function* (): Generator<Partition> {
      for (const p of sources.partitions()) if (p.role === 'leader' && !p.closed) yield p;
    };
    /** A gauge counting the partitions this broker leads that match `when`. */
    const leaderGauge = (name: string, help: string, when: (p: Partition) => boolean): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          let n = 0;
          for (const p of leaders()) if (when(p)) n++;
          this.set(n);
        },
      });
    };
    /** A gauge per (partition, follower) of the partitions this broker leads, from the tracker's follower state. */
    const followerGauge = (name: string, help: string, value: (state: FollowerState) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition', 'follower'],
        registers,
        collect() {
          this.reset();
          const now = sources.nowMs();
          for (const p of leaders()) {
            for (const id of p.replicas) {
              const state = p.followerState(id, now);
              const v = state === undefined ? null : value(state);
              if (v !== null) this.set({ topic: p.topic, partition: String(p.index), follower: String(id) }, v);
            }
          }
        },
      });
    };
    leaderGauge('kafka_server_replicamanager_leadercount', 'Partitions this broker leads', () => true);
    leaderGauge(
      'kafka_server_replicamanager_underreplicatedpartitions',
      'Partitions this broker leads whose ISR is smaller than their replica set',
      (p) => p.isr.length < p.replicas.length,
    );
    leaderGauge(
      'kafka_server_replicamanager_underminisrpartitioncount',
      'Partitions this broker leads whose ISR is smaller than min.insync.replicas',
      (p) => p.isr.length < sources.minInsyncReplicas(p.topic),
    );
    followerGauge(
      'runnel_replication_follower_lag_messages',
      'How many records a follower is behind this leader, per partition and follower',
      (state) => (state.lagMessages === null ? null : Number(state.lagMessages)),
    );
    followerGauge(
      'runnel_replication_follower_lag_seconds',
      'Time since a follower last held everything this leader had, per partition and follower',
      (state) => state.lagMs / 1000,
    );
  }
}
