"""An idempotent confluent-kafka-python (librdkafka) producer for tests.

Usage: idempotent_producer.py BOOTSTRAP TOPIC PREFIX COUNT PACE_MS
Produces PREFIX-0 .. PREFIX-(COUNT-1) to partition 0 with acks=all and
enable.idempotence=true, PACE_MS apart, and prints one line per delivery
report: "ack <value>" or "err <value> <error>". Exits 0 once every report
has arrived.
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, prefix, count, pace_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    'linger.ms': 5,
    'message.timeout.ms': 120000,
    'topic.metadata.refresh.interval.ms': 1000,
})


def report(error, message):
    value = message.value().decode('utf-8')
    if error is None:
        print(f'ack {value}', flush=True)
    else:
        print(f'err {value} {error}', flush=True)


for i in range(count):
    producer.produce(topic, value=f'{prefix}-{i}'.encode('utf-8'), partition=0, on_delivery=report)
    producer.poll(0)
    time.sleep(pace_ms / 1000)
producer.flush(180)
