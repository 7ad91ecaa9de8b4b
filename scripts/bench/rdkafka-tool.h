/*
 * What rdkafka-tool.c (modes mock, txn, latency; main) and rdkafka-load.c
 * (modes produce, consume) share: clocks, configuration, the producer the
 * produce and latency modes configure alike, and delivery accounting.
 */
#ifndef RDKAFKA_TOOL_H
#define RDKAFKA_TOOL_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* The local queue of one producer process, split between its producers so N of them buffer no more than one. */
#define queue_messages_total 1000000L

double now_ms(void);
double cpu_ms(void);
void set(rd_kafka_conf_t *conf, const char *name, const char *value);
void fail_on(rd_kafka_error_t *error, const char *what);
int compare(const void *a, const void *b);

/* What the delivery-report callback fills in, shared by the produce and latency modes. */
struct deliveries {
  long delivered;
  long failed;
  double last_ms;
  /* Latency mode only: produce-call time per record, and delivery latency per record (ms). */
  double *sent_ms;
  double *latency_ms;
};

void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
rd_kafka_t *producer(const char *bootstrap, const char *acks, struct deliveries *d, long queue_messages);
/* partition may be RD_KAFKA_PARTITION_UA (the client's partitioner picks, by key); key may be NULL. */
void send_one(rd_kafka_t *rk, const char *topic, int partition, const char *key, size_t key_len, const char *payload,
              int record_bytes, long index);
void drain(rd_kafka_t *rk, struct deliveries *d, long sent);

/* Modes of rdkafka-load.c; argv from the mode's first positional argument on. */
int produce_mode(int argc, char **argv);
int consume_mode(int argc, char **argv);

#endif
