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
 *   rdkafka-tool produce BOOTSTRAP TOPIC PARTITIONS RECORDS SECONDS RECORD_BYTES ACKS [--producers N] [--key]
 *     one producer as a new user would configure it for throughput
 *     (linger.ms=5, batch.size=1000000, a deep local queue), null keys, the
 *     records taken by the partitions in turn; stops after RECORDS records or
 *     SECONDS seconds (0: no time bound), whichever comes first, then waits
 *     for every delivery report. The clock runs from the first produce call
 *     to the last delivery report. --producers N: N producer handles, one
 *     thread each, RECORDS split between them and the local queue too (the
 *     process buffers as much as one producer does); --key: each record gets
 *     a key out of 100,000 and librdkafka's partitioner picks its partition.
 *     Code: rdkafka-load.c.
 *
 *   rdkafka-tool consume BOOTSTRAP TOPIC PARTITIONS MAX_RECORDS [--consumers N]
 *     one consumer assigned every partition from the beginning (no group),
 *     default fetch settings; reads until MAX_RECORDS records or the end of
 *     every partition. The clock runs from the first record to the last.
 *     --consumers N: N consumers, one thread each, each the only member of
 *     its own new group (subscribe, auto.offset.reset=earliest), each
 *     reading the whole topic; the line adds the slowest and fastest
 *     consumer's own MB/s. Code: rdkafka-load.c.
 *
 *   rdkafka-tool latency BOOTSTRAP TOPIC PARTITIONS RATE_MB SECONDS RECORD_BYTES ACKS
 *     one producer (the produce mode's settings) offered RATE_MB MB/s, paced
 *     every millisecond, for one warm-up second and then SECONDS measured
 *     seconds; the delivery latency of a record is its delivery report's time
 *     minus its produce call's time. Prints p50/p99/p99.9/max in ms.
 */
#include "rdkafka-tool.h"

#include <librdkafka/rdkafka_mock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* This process's CPU so far (user + system, every thread), so the bench can tell a saturated client. */
double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", name, value, err);
    exit(2);
  }
}

void fail_on(rd_kafka_error_t *error, const char *what) {
  if (error == NULL) return;
  fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  exit(1);
}

int compare(const void *a, const void *b) {
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


void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
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

rd_kafka_t *producer(const char *bootstrap, const char *acks, struct deliveries *d, long queue_messages) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", acks);
  set(conf, "linger.ms", "5");
  set(conf, "batch.size", "1000000");
  char queue[32];
  snprintf(queue, sizeof(queue), "%ld", queue_messages);
  set(conf, "queue.buffering.max.messages", queue);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, d);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(2);
  }
  return rk;
}

/* Copies the value (and key) as an application that does not own its buffers for long would. */
void send_one(rd_kafka_t *rk, const char *topic, int partition, const char *key, size_t key_len, const char *payload,
              int record_bytes, long index) {
  rd_kafka_resp_err_t e;
  while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_KEY((void *)key, key_len), RD_KAFKA_V_VALUE((void *)payload, record_bytes),
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
void drain(rd_kafka_t *rk, struct deliveries *d, long sent) {
  if (rd_kafka_flush(rk, 300000) != RD_KAFKA_RESP_ERR_NO_ERROR || d->failed > 0 || d->delivered != sent) {
    fprintf(stderr, "%ld of %ld records delivered, %ld failed\n", d->delivered, sent, d->failed);
    exit(1);
  }
}

static int latency(const char *bootstrap, const char *topic, int partitions, double rate_mb, double seconds,
                   int record_bytes, const char *acks) {
  const double warmup_ms = 1000;
  long total = (long)((seconds + warmup_ms / 1000) * rate_mb * 1e6 / record_bytes) + 1;
  struct deliveries d = {0};
  d.sent_ms = calloc(total, sizeof(double));
  d.latency_ms = calloc(total, sizeof(double));
  rd_kafka_t *rk = producer(bootstrap, acks, &d, queue_messages_total);
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
      send_one(rk, topic, (int)(sent % partitions), NULL, 0, payload, record_bytes, sent);
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
  if (argc >= 9 && strcmp(argv[1], "produce") == 0) return produce_mode(argc - 2, argv + 2);
  if (argc >= 6 && strcmp(argv[1], "consume") == 0) return consume_mode(argc - 2, argv + 2);
  if (argc == 9 && strcmp(argv[1], "latency") == 0) {
    return latency(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atof(argv[6]), atoi(argv[7]), argv[8]);
  }
  fprintf(stderr,
          "usage: rdkafka-tool mock BROKERS TOPIC PARTITIONS\n"
          "       rdkafka-tool txn BOOTSTRAP TOPIC PARTITIONS TXNS RECORDS_PER_TXN RECORD_BYTES TXN_ID\n"
          "       rdkafka-tool produce BOOTSTRAP TOPIC PARTITIONS RECORDS SECONDS RECORD_BYTES ACKS [--producers N] [--key]\n"
          "       rdkafka-tool consume BOOTSTRAP TOPIC PARTITIONS MAX_RECORDS [--consumers N]\n"
          "       rdkafka-tool latency BOOTSTRAP TOPIC PARTITIONS RATE_MB SECONDS RECORD_BYTES ACKS\n");
  return 2;
}
