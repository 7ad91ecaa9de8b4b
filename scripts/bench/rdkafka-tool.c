/*
 * librdkafka tools for the benchmarks: its in-memory mock cluster (the peer)
 * and load generators (scripts/bench/rdkafka-tool.ts builds it with the
 * system's librdkafka-dev). Each mode is its own process and prints one JSON
 * line; the rates are measured here, in the client, the same way for Runnel
 * and for the mock; the produce, consume and latency lines also carry the
 * tool's own CPU ms (clientCpuMs).
 *
 *   rdkafka-tool mock BROKERS TOPIC PARTITIONS
 *     starts librdkafka's in-memory mock cluster (rdkafka_mock.h) with the
 *     topic created, prints "bootstrap <servers>" and serves until its
 *     standard input closes.
 *
 *   rdkafka-tool txn BOOTSTRAP TOPIC PARTITIONS TXNS RECORDS_PER_TXN RECORD_BYTES TXN_ID
 *     one transactional producer (acks=all, idempotent): TXNS transactions of
 *     RECORDS_PER_TXN records spread over the partitions, each committed
 *     before the next begins; prints the transactions per second, records
 *     per second and the commit latencies (ms, from the commit call to its
 *     return) p50/p99/max.
 *
 *   rdkafka-tool produce BOOTSTRAP TOPIC PARTITIONS RECORDS SECONDS RECORD_BYTES ACKS
 *     one producer as a new user would configure it for throughput
 *     (linger.ms=5, batch.size=1000000, a deep local queue), null keys, the
 *     records taken by the partitions in turn; stops after RECORDS records or
 *     SECONDS seconds (0: no time bound), whichever comes first, then waits
 *     for every delivery report. The clock runs from the first produce call
 *     to the last delivery report.
 *
 *   rdkafka-tool consume BOOTSTRAP TOPIC PARTITIONS MAX_RECORDS
 *     one consumer assigned every partition from the beginning (no group),
 *     default fetch settings; reads until MAX_RECORDS records or the end of
 *     every partition. The clock runs from the first record to the last.
 *
 *   rdkafka-tool latency BOOTSTRAP TOPIC PARTITIONS RATE_MB SECONDS RECORD_BYTES ACKS
 *     one producer (the produce mode's settings) offered RATE_MB MB/s, paced
 *     every millisecond, for one warm-up second and then SECONDS measured
 *     seconds; the delivery latency of a record is its delivery report's time
 *     minus its produce call's time. Prints p50/p99/p99.9/max in ms.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* This process's CPU so far (user + system, every thread), so the bench can tell a saturated client. */
static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", name, value, err);
    exit(2);
  }
}

static void fail_on(rd_kafka_error_t *error, const char *what) {
  if (error == NULL) return;
  fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  exit(1);
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int mock(int brokers, const char *topic, int partitions) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 2;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == NULL) {
    fprintf(stderr, "no mock cluster\n");
    return 2;
  }
  if (rd_kafka_mock_topic_create(cluster, topic, partitions, brokers < 3 ? brokers : 3) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "mock topic create failed\n");
    return 2;
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof(line), stdin) != NULL) {
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}

static int run(const char *bootstrap, const char *topic, int partitions, int txns, int per_txn, int record_bytes,
               const char *txn_id) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "transactional.id", txn_id);
  set(conf, "linger.ms", "1");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 2;
  }
  fail_on(rd_kafka_init_transactions(rk, 60000), "init_transactions");
  char *payload = malloc(record_bytes);
  memset(payload, 'x', record_bytes);
  double *latencies = calloc(txns, sizeof(double));
  double started = now_ms();
  for (int t = 0; t < txns; t++) {
    fail_on(rd_kafka_begin_transaction(rk), "begin_transaction");
    for (int r = 0; r < per_txn; r++) {
      rd_kafka_resp_err_t e;
      while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION((t * per_txn + r) % partitions),
                                    RD_KAFKA_V_VALUE(payload, record_bytes), RD_KAFKA_V_END)) ==
             RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 10);
      }
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
        return 1;
      }
    }
    double before = now_ms();
    fail_on(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
    latencies[t] = now_ms() - before;
  }
  double elapsed_ms = now_ms() - started;
  qsort(latencies, txns, sizeof(double), compare);
  printf("{\"txns\":%d,\"recordsPerTxn\":%d,\"txnsPerSec\":%.1f,\"recordsPerSec\":%.0f,"
         "\"commitP50Ms\":%.2f,\"commitP99Ms\":%.2f,\"commitMaxMs\":%.2f}\n",
         txns, per_txn, txns / (elapsed_ms / 1000.0), (double)txns * per_txn / (elapsed_ms / 1000.0),
         latencies[txns / 2], latencies[(int)(txns * 0.99) < txns ? (int)(txns * 0.99) : txns - 1],
         latencies[txns - 1]);
  rd_kafka_flush(rk, 10000);
  rd_kafka_destroy(rk);
  free(payload);
  free(latencies);
  return 0;
}

/* What the delivery-report callback fills in, shared by the produce and latency modes. */
struct deliveries {
  long delivered;
  long failed;
  double last_ms;
  /* Latency mode only: produce-call time per record, and delivery latency per record (ms). */
  double *sent_ms;
  double *latency_ms;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  struct deliveries *d = opaque;
  double at = now_ms();
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (d->failed++ == 0) fprintf(stderr, "delivery: %s\n", rd_kafka_err2str(m->err));
    return;
  }
  d->delivered++;
  d->last_ms = at;
  if (d->sent_ms != NULL) {
    long i = (long)(intptr_t)m->_private;
    d->latency_ms[i] = at - d->sent_ms[i];
  }
}

static rd_kafka_t *producer(const char *bootstrap, const char *acks, struct deliveries *d) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", acks);
  set(conf, "linger.ms", "5");
  set(conf, "batch.size", "1000000");
  set(conf, "queue.buffering.max.messages", "1000000");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, d);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(2);
  }
  return rk;
}

/* Copies the value as an application that does not own its buffers for long would. */
static void send_one(rd_kafka_t *rk, const char *topic, int partition, const char *payload, int record_bytes,
                     long index) {
  rd_kafka_resp_err_t e;
  while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_VALUE((void *)payload, record_bytes),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(intptr_t)index),
                                RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    rd_kafka_poll(rk, 1);
  }
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
    exit(1);
  }
}

/* Waits for every outstanding delivery report; any failed delivery fails the run. */
static void drain(rd_kafka_t *rk, struct deliveries *d, long sent) {
  if (rd_kafka_flush(rk, 300000) != RD_KAFKA_RESP_ERR_NO_ERROR || d->failed > 0 || d->delivered != sent) {
    fprintf(stderr, "%ld of %ld records delivered, %ld failed\n", d->delivered, sent, d->failed);
    exit(1);
  }
}

static int produce(const char *bootstrap, const char *topic, int partitions, long records, double seconds,
                   int record_bytes, const char *acks) {
  struct deliveries d = {0};
  rd_kafka_t *rk = producer(bootstrap, acks, &d);
  char *payload = malloc(record_bytes);
  memset(payload, 'x', record_bytes);
  double started = now_ms();
  long sent = 0;
  for (; sent < records; sent++) {
    if ((sent & 1023) == 0) {
      rd_kafka_poll(rk, 0);
      if (seconds > 0 && now_ms() - started >= seconds * 1000) break;
    }
    send_one(rk, topic, (int)(sent % partitions), payload, record_bytes, sent);
  }
  drain(rk, &d, sent);
  double elapsed_ms = d.last_ms - started;
  printf("{\"records\":%ld,\"bytes\":%.0f,\"elapsedMs\":%.1f,\"recordsPerSec\":%.0f,\"mbPerSec\":%.2f,\"clientCpuMs\":%.0f}\n", sent,
         (double)sent * record_bytes, elapsed_ms, sent / (elapsed_ms / 1000.0),
         sent * (double)record_bytes / 1e6 / (elapsed_ms / 1000.0), cpu_ms());
  rd_kafka_destroy(rk);
  free(payload);
  return 0;
}

static int consume(const char *bootstrap, const char *topic, int partitions, long max_records) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "enable.partition.eof", "true");
  /* librdkafka wants a group even for a manual assignment; nothing is committed to it. */
  set(conf, "group.id", "runnel-bench-real-client");
  set(conf, "enable.auto.commit", "false");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 2;
  }
  rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t assigned = rd_kafka_assign(rk, assignment);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "assign: %s\n", rd_kafka_err2str(assigned));
    return 1;
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  long records = 0;
  double bytes = 0, first_ms = 0, last_ms = 0, idle_since = now_ms();
  int at_end = 0;
  while (records < max_records && at_end < partitions) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (m == NULL) {
      if (now_ms() - idle_since > 30000) {
        fprintf(stderr, "no record for 30 s after %ld records\n", records);
        return 1;
      }
      continue;
    }
    idle_since = now_ms();
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end++;
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
      return 1;
    } else {
      if (records++ == 0) first_ms = idle_since;
      last_ms = idle_since;
      bytes += m->len;
    }
    rd_kafka_message_destroy(m);
  }
  double elapsed_ms = last_ms - first_ms;
  printf("{\"records\":%ld,\"bytes\":%.0f,\"elapsedMs\":%.1f,\"recordsPerSec\":%.0f,\"mbPerSec\":%.2f,\"clientCpuMs\":%.0f}\n", records,
         bytes, elapsed_ms, records / (elapsed_ms / 1000.0), bytes / 1e6 / (elapsed_ms / 1000.0), cpu_ms());
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}

static int latency(const char *bootstrap, const char *topic, int partitions, double rate_mb, double seconds,
                   int record_bytes, const char *acks) {
  const double warmup_ms = 1000;
  long total = (long)((seconds + warmup_ms / 1000) * rate_mb * 1e6 / record_bytes) + 1;
  struct deliveries d = {0};
  d.sent_ms = calloc(total, sizeof(double));
  d.latency_ms = calloc(total, sizeof(double));
  rd_kafka_t *rk = producer(bootstrap, acks, &d);
  char *payload = malloc(record_bytes);
  memset(payload, 'x', record_bytes);
  double started = now_ms();
  long sent = 0, first_measured = -1;
  while (sent < total) {
    double now = now_ms();
    long due = (long)((now - started) * rate_mb * 1e3 / record_bytes);
    if (due > total) due = total;
    for (; sent < due; sent++) {
      if (first_measured < 0 && now - started >= warmup_ms) first_measured = sent;
      d.sent_ms[sent] = now_ms();
      send_one(rk, topic, (int)(sent % partitions), payload, record_bytes, sent);
    }
    /* Serves delivery reports as they come, and paces the next round to about a millisecond. */
    rd_kafka_poll(rk, 1);
  }
  drain(rk, &d, sent);
  if (first_measured < 0) first_measured = 0;
  long n = sent - first_measured;
  double *measured = d.latency_ms + first_measured;
  qsort(measured, n, sizeof(double), compare);
  double span_ms = d.sent_ms[sent - 1] - d.sent_ms[first_measured];
  printf("{\"records\":%ld,\"sent\":%ld,\"offeredMbPerSec\":%.2f,\"achievedMbPerSec\":%.2f,\"p50Ms\":%.2f,\"p99Ms\":%.2f,"
         "\"p999Ms\":%.2f,\"maxMs\":%.2f,\"clientCpuMs\":%.0f}\n",
         n, sent, rate_mb, n * (double)record_bytes / 1e6 / (span_ms / 1000.0), measured[n / 2], measured[(long)(n * 0.99)],
         measured[(long)(n * 0.999)], measured[n - 1], cpu_ms());
  rd_kafka_destroy(rk);
  free(payload);
  free(d.sent_ms);
  free(d.latency_ms);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "mock") == 0) return mock(atoi(argv[2]), argv[3], atoi(argv[4]));
  if (argc == 9 && strcmp(argv[1], "txn") == 0) {
    return run(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]), argv[8]);
  }
  if (argc == 9 && strcmp(argv[1], "produce") == 0) {
    return produce(argv[2], argv[3], atoi(argv[4]), atol(argv[5]), atof(argv[6]), atoi(argv[7]), argv[8]);
  }
  if (argc == 6 && strcmp(argv[1], "consume") == 0) return consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
  if (argc == 9 && strcmp(argv[1], "latency") == 0) {
    return latency(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atof(argv[6]), atoi(argv[7]), argv[8]);
  }
  fprintf(stderr,
          "usage: rdkafka-tool mock BROKERS TOPIC PARTITIONS\n"
          "       rdkafka-tool txn BOOTSTRAP TOPIC PARTITIONS TXNS RECORDS_PER_TXN RECORD_BYTES TXN_ID\n"
          "       rdkafka-tool produce BOOTSTRAP TOPIC PARTITIONS RECORDS SECONDS RECORD_BYTES ACKS\n"
          "       rdkafka-tool consume BOOTSTRAP TOPIC PARTITIONS MAX_RECORDS\n"
          "       rdkafka-tool latency BOOTSTRAP TOPIC PARTITIONS RATE_MB SECONDS RECORD_BYTES ACKS\n");
  return 2;
}
