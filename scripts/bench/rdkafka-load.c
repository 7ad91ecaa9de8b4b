/*
 * The throughput modes of rdkafka-tool (see the usage in rdkafka-tool.c):
 * produce with one or many producer handles, consume with one consumer or
 * many, each in its own group. Every handle runs in its own thread, as N
 * independent applications would, and the process prints one JSON line of
 * aggregate numbers: bytes over the span from the first produce call (first
 * record) of any handle to the last delivery report (last record) of any.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdkafka-tool.h"

/* Distinct keys of the keyed workload: enough that the client's hash spreads them over every partition. */
#define key_space 100000L

struct options {
  int handles;
  int keyed;
  /* Whether the count flag was given: --consumers 1 is one consumer in its own group, no flag the plain reader. */
  int counted;
};

/* Reads the optional flags after a mode's positional arguments: --producers N / --consumers N, --key. */
static struct options flags(int argc, char **argv, int from, const char *count_flag) {
  struct options o = {1, 0, 0};
  for (int i = from; i < argc; i++) {
    if (strcmp(argv[i], count_flag) == 0 && i + 1 < argc) {
      o.handles = atoi(argv[++i]);
      o.counted = 1;
    } else if (strcmp(argv[i], "--key") == 0 && strcmp(count_flag, "--producers") == 0) {
      o.keyed = 1;
    } else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      exit(2);
    }
  }
  if (o.handles < 1) {
    fprintf(stderr, "%s wants a positive count\n", count_flag);
    exit(2);
  }
  return o;
}

struct producer_job {
  const char *bootstrap, *topic, *acks;
  int partitions, record_bytes, keyed, index, handles;
  long records;
  double seconds;
  long sent;
  double started_ms;
  struct deliveries d;
};

static void *produce_one(void *arg) {
  struct producer_job *j = arg;
  rd_kafka_t *rk = producer(j->bootstrap, j->acks, &j->d, queue_messages_total / j->handles);
  char *payload = malloc(j->record_bytes);
  memset(payload, 'x', j->record_bytes);
  char key[32];
  /* Each producer its own key sequence (a simple LCG) and its own first partition, so they do not move in step. */
  uint64_t state = 0x9e3779b97f4a7c15ULL * (uint64_t)(j->index + 1);
  j->started_ms = now_ms();
  long sent = 0;
  for (; sent < j->records; sent++) {
    if ((sent & 1023) == 0) {
      rd_kafka_poll(rk, 0);
      if (j->seconds > 0 && now_ms() - j->started_ms >= j->seconds * 1000) break;
    }
    if (j->keyed) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      int len = snprintf(key, sizeof(key), "key-%05ld", (long)((state >> 33) % key_space));
      send_one(rk, j->topic, RD_KAFKA_PARTITION_UA, key, (size_t)len, payload, j->record_bytes, sent);
    } else {
      send_one(rk, j->topic, (int)((sent + j->index) % j->partitions), NULL, 0, payload, j->record_bytes, sent);
    }
  }
  drain(rk, &j->d, sent);
  j->sent = sent;
  rd_kafka_destroy(rk);
  free(payload);
  return NULL;
}

/* produce BOOTSTRAP TOPIC PARTITIONS RECORDS SECONDS RECORD_BYTES ACKS [--producers N] [--key] */
int produce_mode(int argc, char **argv) {
  if (argc < 7) return 2;
  struct options o = flags(argc, argv, 7, "--producers");
  struct producer_job *jobs = calloc(o.handles, sizeof(*jobs));
  pthread_t *threads = calloc(o.handles, sizeof(*threads));
  for (int i = 0; i < o.handles; i++) {
    jobs[i] = (struct producer_job){.bootstrap = argv[0], .topic = argv[1], .partitions = atoi(argv[2]),
                                    .records = atol(argv[3]) / o.handles, .seconds = atof(argv[4]),
                                    .record_bytes = atoi(argv[5]), .acks = argv[6], .keyed = o.keyed,
                                    .index = i, .handles = o.handles};
    pthread_create(&threads[i], NULL, produce_one, &jobs[i]);
  }
  long sent = 0;
  double first = 0, last = 0;
  for (int i = 0; i < o.handles; i++) {
    pthread_join(threads[i], NULL);
    sent += jobs[i].sent;
    if (i == 0 || jobs[i].started_ms < first) first = jobs[i].started_ms;
    if (jobs[i].d.last_ms > last) last = jobs[i].d.last_ms;
  }
  double elapsed_ms = last - first;
  int record_bytes = atoi(argv[5]);
  printf("{\"records\":%ld,\"bytes\":%.0f,\"elapsedMs\":%.1f,\"recordsPerSec\":%.0f,\"mbPerSec\":%.2f,"
         "\"producers\":%d,\"clientCpuMs\":%.0f}\n",
         sent, (double)sent * record_bytes, elapsed_ms, sent / (elapsed_ms / 1000.0),
         sent * (double)record_bytes / 1e6 / (elapsed_ms / 1000.0), o.handles, cpu_ms());
  free(jobs);
  free(threads);
  return 0;
}

struct consumer_job {
  const char *bootstrap, *topic;
  int partitions, index, grouped;
  long max_records;
  long records;
  double bytes, first_ms, last_ms;
  int failed;
};

static rd_kafka_t *consumer(struct consumer_job *j) {
  char err[512], group[128];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", j->bootstrap);
  set(conf, "enable.partition.eof", "true");
  set(conf, "enable.auto.commit", "false");
  set(conf, "auto.offset.reset", "earliest");
  /* One consumer: a fixed group it never joins (manual assignment). Many: a fresh group each, joined. */
  if (j->grouped) snprintf(group, sizeof(group), "runnel-bench-%d-%d", (int)getpid(), j->index);
  else snprintf(group, sizeof(group), "runnel-bench-real-client");
  set(conf, "group.id", group);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(2);
  }
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(j->grouped ? 1 : j->partitions);
  rd_kafka_resp_err_t e;
  if (j->grouped) {
    rd_kafka_topic_partition_list_add(list, j->topic, RD_KAFKA_PARTITION_UA);
    e = rd_kafka_subscribe(rk, list);
  } else {
    for (int p = 0; p < j->partitions; p++)
      rd_kafka_topic_partition_list_add(list, j->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    e = rd_kafka_assign(rk, list);
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    fprintf(stderr, "subscribe/assign: %s\n", rd_kafka_err2str(e));
    exit(1);
  }
  return rk;
}

static void *consume_one(void *arg) {
  struct consumer_job *j = arg;
  rd_kafka_t *rk = consumer(j);
  double idle_since = now_ms();
  int at_end = 0;
  while (j->records < j->max_records && at_end < j->partitions) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (m == NULL) {
      if (now_ms() - idle_since > 30000) {
        fprintf(stderr, "consumer %d: no record for 30 s after %ld records\n", j->index, j->records);
        j->failed = 1;
        break;
      }
      continue;
    }
    idle_since = now_ms();
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end++;
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "consumer %d: %s\n", j->index, rd_kafka_message_errstr(m));
      j->failed = 1;
      rd_kafka_message_destroy(m);
      break;
    } else {
      if (j->records++ == 0) j->first_ms = idle_since;
      j->last_ms = idle_since;
      j->bytes += m->len;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return NULL;
}

/* consume BOOTSTRAP TOPIC PARTITIONS MAX_RECORDS [--consumers N] */
int consume_mode(int argc, char **argv) {
  if (argc < 4) return 2;
  struct options o = flags(argc, argv, 4, "--consumers");
  struct consumer_job *jobs = calloc(o.handles, sizeof(*jobs));
  pthread_t *threads = calloc(o.handles, sizeof(*threads));
  for (int i = 0; i < o.handles; i++) {
    jobs[i] = (struct consumer_job){.bootstrap = argv[0], .topic = argv[1], .partitions = atoi(argv[2]),
                                    .max_records = atol(argv[3]), .index = i, .grouped = o.counted};
    pthread_create(&threads[i], NULL, consume_one, &jobs[i]);
  }
  long records = 0;
  double bytes = 0, first = 0, last = 0, slowest = 0, fastest = 0;
  int failed = 0;
  for (int i = 0; i < o.handles; i++) {
    pthread_join(threads[i], NULL);
    struct consumer_job *j = &jobs[i];
    failed |= j->failed;
    records += j->records;
    bytes += j->bytes;
    if (i == 0 || j->first_ms < first) first = j->first_ms;
    if (j->last_ms > last) last = j->last_ms;
    double mb = j->bytes / 1e6 / ((j->last_ms - j->first_ms) / 1000.0);
    if (i == 0 || mb < slowest) slowest = mb;
    if (i == 0 || mb > fastest) fastest = mb;
  }
  if (failed) return 1;
  double elapsed_ms = last - first;
  printf("{\"records\":%ld,\"bytes\":%.0f,\"elapsedMs\":%.1f,\"recordsPerSec\":%.0f,\"mbPerSec\":%.2f,"
         "\"consumers\":%d,\"slowestMbPerSec\":%.2f,\"fastestMbPerSec\":%.2f,\"clientCpuMs\":%.0f}\n",
         records, bytes, elapsed_ms, records / (elapsed_ms / 1000.0), bytes / 1e6 / (elapsed_ms / 1000.0), o.handles,
         slowest, fastest, cpu_ms());
  free(jobs);
  free(threads);
  return 0;
}
