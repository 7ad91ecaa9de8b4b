/**
 * The broker's Prometheus metrics. Names follow what operators already
 * dashboard for Kafka (kafka_server_brokertopicmetrics_*, per-request
 * latency) so existing alerts carry over. Owned by Broker; handlers only
 * increment. Each broker has its own registry (several may share a process
 * in tests).
 */
import type { HandleCacheStats } from '@runnel/storage';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BudgetSnapshot } from './network/request-bytes-budget.ts';

export interface GaugeSources {
  partitionCount(): number;
  segmentCount(): number;
  logSizeBytes(): number;
  connectionCount(): number;
  /** Producer ids with state, summed over the partitions hosted here. */
  producerIdCount(): number;
  /** Buffers taken from the frame pool (request frames, fetch reads), and how many of them on recycled memory (see FramePool). */
  pooledFrames(): { acquired: number; reused: number };
  /** The segment file budget and its use (docs/resource-limits-metadata.md); absent in tests that do not care. */
  segmentFiles?(): { handlesMax: number; stats: HandleCacheStats };
  /** Log directories offline after a storage fault (Runnel has one: 0 or 1); absent: 0. */
  offlineLogDirCount?(): number;
  /** The request-bytes budget (queued.max.request.bytes); null before the listener is bound. */
  requestBudget?(): BudgetSnapshot | null;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'request'>;
  readonly requestErrors: Counter<'request' | 'reason'>;
  readonly requestSeconds: Histogram<'request'>;
  readonly bytesIn: Counter<'topic'>;
  readonly bytesOut: Counter<'topic'>;
  readonly messagesIn: Counter<'topic'>;
  readonly messagesOut: Counter<'topic'>;
  readonly produceErrors: Counter<'topic' | 'error'>;
  /** Fetches parked waiting for data (Kafka's Fetch purgatory). */
  readonly parkedFetches: Gauge;
  /** Storage faults (ENOSPC, EIO, ...) met by partition logs, by errno code. */
  readonly storageErrors: Counter<'code'>;

  constructor(sources: GaugeSources, options: { defaultMetrics: boolean }) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'kafka_network_requests_total',
      help: 'Kafka requests handled, by API',
      labelNames: ['request'],
      registers,
    });
    this.requestErrors = new Counter({
      name: 'kafka_network_request_errors_total',
      help: 'Requests that closed the connection (malformed, unsupported, oversized), by API and reason',
      labelNames: ['request', 'reason'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'kafka_network_request_duration_seconds',
      help: 'Time from a request being read to its response being ready, by API',
      labelNames: ['request'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.bytesIn = new Counter({
      name: 'kafka_server_brokertopicmetrics_bytesin_total',
      help: 'Record batch bytes appended by producers, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 'kafka_server_brokertopicmetrics_bytesout_total',
      help: 'Record batch bytes sent to consumers, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.messagesIn = new Counter({
      name: 'kafka_server_brokertopicmetrics_messagesin_total',
      help: 'Records appended by producers, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.messagesOut = new Counter({
      name: 'kafka_server_brokertopicmetrics_messagesout_total',
      help: 'Records sent to consumers (counted from batch headers), by topic',
      labelNames: ['topic'],
      registers,
    });
    this.produceErrors = new Counter({
      name: 'kafka_server_brokertopicmetrics_failedproducerequests_total',
      help: 'Partition produce attempts that failed, by topic and error',
      labelNames: ['topic', 'error'],
      registers,
    });
    this.parkedFetches = new Gauge({
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Fetch requests parked until data arrives or max_wait_ms passes',
      registers,
    });
    this.storageErrors = new Counter({
      name: 'runnel_log_storage_errors_total',
      help: 'Storage faults (ENOSPC, EIO, ...) met by partition logs, by errno code; the first takes the log directory offline',
      labelNames: ['code'],
      registers,
    });
    new Gauge({
      // Kafka's LogManager OfflineLogDirectoryCount.
      name: 'kafka_log_logmanager_offlinelogdirectorycount',
      help: 'Log directories offline after a storage fault (their partitions answer KAFKA_STORAGE_ERROR)',
      registers,
      collect() {
        this.set(sources.offlineLogDirCount?.() ?? 0);
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_partitioncount',
      help: 'Partitions hosted on this broker',
      registers,
      collect() {
        this.set(sources.partitionCount());
      },
    });
    new Gauge({
      name: 'kafka_log_segments',
      help: 'Log segments on this broker, all partitions',
      registers,
      collect() {
        this.set(sources.segmentCount());
      },
    });
    new Gauge({
      name: 'kafka_log_size_bytes',
      help: 'Bytes of log on this broker, all partitions',
      registers,
      collect() {
        this.set(sources.logSizeBytes());
      },
    });
    new Gauge({
      // Kafka's ReplicaManager ProducerIdCount (KIP-854): one broker-wide number, no per-partition labels.
      name: 'kafka_server_replicamanager_produceridcount',
      help: 'Producer ids with idempotence state in the partitions hosted on this broker',
      registers,
      collect() {
        this.set(sources.producerIdCount());
      },
    });
    new Gauge({
      name: 'kafka_server_socketserver_connections',
      help: 'Open client connections',
      registers,
      collect() {
        this.set(sources.connectionCount());
      },
    });
    // Counters read at scrape time from the pool's own tallies, which only grow.
    new Counter({
      name: 'runnel_network_pooled_request_frames_total',
      help: 'Buffers taken from the frame pool: large request frames, and fetch reads of 64 KiB or more',
      registers,
      collect() {
        this.reset();
        this.inc(sources.pooledFrames().acquired);
      },
    });
    new Counter({
      name: 'runnel_network_recycled_request_frames_total',
      help: 'Buffers from the frame pool on memory recycled from an earlier frame or fetch read',
      registers,
      collect() {
        this.reset();
        this.inc(sources.pooledFrames().reused);
      },
    });
    const segmentFiles = sources.segmentFiles;
    if (segmentFiles !== undefined) {
      new Gauge({
        name: 'runnel_log_open_files',
        help: 'Log files (segments, indexes, checkpoints) open now, within runnel_log_open_files_max',
        registers,
        collect() {
          const { stats } = segmentFiles();
          this.set(stats.openCount + stats.transientCount);
        },
      });
      new Gauge({
        name: 'runnel_log_open_files_max',
        help: 'The log file budget (log.open.files.max, default half the open-files limit)',
        registers,
        collect() {
          this.set(segmentFiles().handlesMax);
        },
      });
      new Counter({
        name: 'runnel_log_file_evictions_total',
        help: 'Idle log files closed to stay within the budget (reopened when used again)',
        registers,
        collect() {
          this.reset();
          this.inc(segmentFiles().stats.evictions);
        },
      });
    }
    this.#requestBudgetMetrics(sources, registers);
  }

  /** Kafka has MemoryPoolAvailable / MemoryPoolUsed for queued.max.request.bytes; these add the time reading paused. */
  #requestBudgetMetrics(sources: GaugeSources, registers: Registry[]): void {
    const budget = () => sources.requestBudget?.() ?? null;
    new Gauge({
      name: 'runnel_network_request_bytes_in_flight',
      help: 'Request bytes read and not yet handled, all connections (counted against queued.max.request.bytes)',
      registers,
      collect() {
        this.set(budget()?.inFlightBytes ?? 0);
      },
    });
    new Gauge({
      name: 'runnel_network_request_bytes_max',
      help: 'queued.max.request.bytes (0: unbounded)',
      registers,
      collect() {
        this.set(Math.max(0, budget()?.bytesMax ?? 0));
      },
    });
    new Gauge({
      name: 'runnel_network_connections_paused_for_request_bytes',
      help: 'Connections not read because queued.max.request.bytes is spent',
      registers,
      collect() {
        this.set(budget()?.pausedConnections ?? 0);
      },
    });
    new Counter({
      name: 'runnel_network_request_bytes_exhausted_seconds_total',
      help: 'Time queued.max.request.bytes has been spent (reading paused on every connection without a grant)',
      registers,
      collect() {
        this.reset();
        this.inc(budget()?.exhaustedSeconds ?? 0);
      },
    });
  }
}
