"""An idempotent confluent-kafka-python (librdkafka) producer for tests.

Usage: idempotent_producer.py BOOTSTRAP TOPIC PREFIX COUNT
Produces PREFIX-0 .. PREFIX-(COUNT-1) to partition 0 with acks=all and
enable.idempotence=true and prints one line per delivery report: "ack
<value>" or "err <value> <error>". After the first half it waits until
those are all reported, then for a line on standard input (the test's "go"),
then sends the rest. Exits 0 once every report has arrived.
"""
import sys

from confluent_kafka import Producer

bootstrap, topic, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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
    if i == count // 2:
        producer.flush(180)
        sys.stdin.readline()
    producer.produce(topic, value=f'{prefix}-{i}'.encode('utf-8'), partition=0, on_delivery=report)
    producer.poll(0)
producer.flush(180)
