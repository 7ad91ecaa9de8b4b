/**
 * Replication metrics, under Kafka's names where Kafka has one so existing
 * dashboards and alerts carry over: under-replicated and under-min-ISR
 * partitions, ISR shrinks and expands, leader count, replication bytes,
 * and per-follower lag as the leader sees it. Gauges are computed when
 * scraped from the partitions this broker leads. Owned by ReplicaManager,
 * registered in the broker's registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Partition } from '../partition.ts';

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
    this.isrShrinks = new Counter({
      name: 'kafka_server_replicamanager_isrshrinks_total',
      help: 'ISR shrinks committed for partitions this broker leads',
      registers,
    });
    this.isrExpands = new Counter({
      name: 'kafka_server_replicamanager_isrexpands_total',
      help: 'ISR expands committed for partitions this broker leads',
      registers,
    });
    this.bytesIn = new Counter({
      name: 'kafka_server_brokertopicmetrics_replicationbytesin_total',
      help: 'Record batch bytes this broker copied from leaders as a follower',
      registers,
    });
    this.bytesOut = new Counter({
      name: 'kafka_server_brokertopicmetrics_replicationbytesout_total',
      help: 'Record batch bytes this broker sent to followers as a leader',
      registers,
    });
    this.truncations = new Counter({
      name: 'runnel_replication_follower_truncations_total',
      help: 'Times a follower cut its log back to where it agrees with the leader (diverging epoch)',
      registers,
    });
    this.tailCacheReads = new Counter({
      name: 'runnel_replication_leader_tail_cache_reads_total',
      help: 'Follower fetches answered from the leader tail cache (recent appends in memory)',
      registers,
    });
    this.logReads = new Counter({
      name: 'runnel_replication_leader_log_reads_total',
      help: 'Follower fetches that read the leader log file (follower behind the tail cache)',
      registers,
    });
    const leaders = function* (): Generator<Partition> {
      for (const p of sources.partitions()) if (p.role === 'leader' && !p.closed) yield p;
    };
    new Gauge({
      name: 'kafka_server_replicamanager_leadercount',
      help: 'Partitions this broker leads',
      registers,
      collect() {
        let n = 0;
        for (const _ of leaders()) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_underreplicatedpartitions',
      help: 'Partitions this broker leads whose ISR is smaller than their replica set',
      registers,
      collect() {
        let n = 0;
        for (const p of leaders()) if (p.isr.length < p.replicas.length) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_underminisrpartitioncount',
      help: 'Partitions this broker leads whose ISR is smaller than min.insync.replicas',
      registers,
      collect() {
        let n = 0;
        for (const p of leaders()) if (p.isr.length < sources.minInsyncReplicas(p.topic)) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'runnel_replication_follower_lag_messages',
      help: 'How many records a follower is behind this leader, per partition and follower',
      labelNames: ['topic', 'partition', 'follower'],
      registers,
      collect() {
        this.reset();
        const now = sources.nowMs();
        for (const p of leaders()) {
          for (const id of p.replicas) {
            const state = p.tracker?.followerState(id, now);
            if (state?.lagMessages == null) continue;
            this.set({ topic: p.topic, partition: String(p.index), follower: String(id) }, Number(state.lagMessages));
          }
        }
      },
    });
    new Gauge({
      name: 'runnel_replication_follower_lag_seconds',
      help: 'Time since a follower last held everything this leader had, per partition and follower',
      labelNames: ['topic', 'partition', 'follower'],
      registers,
      collect() {
        this.reset();
        const now = sources.nowMs();
        for (const p of leaders()) {
          for (const id of p.replicas) {
            const state = p.tracker?.followerState(id, now);
            if (state === undefined) continue;
            this.set({ topic: p.topic, partition: String(p.index), follower: String(id) }, state.lagMs / 1000);
          }
        }
      },
    });
  }
}
