/*
 * librdkafka tools for the benchmarks: its in-memory mock cluster (the peer)
 * and a transactional load generator (scripts/bench/rdkafka-tool.ts builds it
 * with the system's librdkafka-dev). Two modes, each its own process:
 *
 *   rdkafka-tool mock BROKERS TOPIC PARTITIONS
 *     starts librdkafka's in-memory mock cluster (rdkafka_mock.h) with the
 *     topic created, prints "bootstrap <servers>" and serves until its
 *     standard input closes.
 *
 *   rdkafka-tool txn BOOTSTRAP TOPIC PARTITIONS TXNS RECORDS_PER_TXN RECORD_BYTES TXN_ID
 *     one transactional producer (acks=all, idempotent): TXNS transactions of
 *     RECORDS_PER_TXN records spread over the partitions, each committed
 *     before the next begins; prints one JSON line with the transactions per
 *     second, records per second and the commit latencies (ms, from the
 *     commit call to its return) p50/p99/max.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
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

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "mock") == 0) return mock(atoi(argv[2]), argv[3], atoi(argv[4]));
  if (argc == 9 && strcmp(argv[1], "txn") == 0) {
    return run(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]), argv[8]);
  }
  fprintf(stderr,
          "usage: rdkafka-tool mock BROKERS TOPIC PARTITIONS\n"
          "       rdkafka-tool txn BOOTSTRAP TOPIC PARTITIONS TXNS RECORDS_PER_TXN RECORD_BYTES TXN_ID\n");
  return 2;
}
