"""confluent-kafka-python (librdkafka) topic admin for tests.

Usage: topic_admin.py BOOTSTRAP TOPIC
Creates TOPIC without a partition count or replication factor (-1: the
broker's num.partitions and default.replication.factor), prints what
metadata then says about it, deletes it and prints whether it is gone.
One JSON line per step: {"event": "created" | "described" | "deleted"
| "listed", ...}.
"""
import json
import sys

from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})


def emit(event, **fields):
    print(json.dumps({'event': event, **fields}), flush=True)


def outcome(futures):
    out = {}
    for name, future in futures.items():
        try:
            future.result(30)
            out[name] = None
        except Exception as error:  # the Kafka error, reported as data
            out[name] = str(error)
    return out


emit('created', errors=outcome(admin.create_topics([NewTopic(topic, -1, -1)], operation_timeout=30)))
described = admin.list_topics(topic, timeout=30).topics[topic]
emit(
    'described',
    error=None if described.error is None else str(described.error),
    partitions=[
        {'id': p.id, 'leader': p.leader, 'replicas': list(p.replicas)}
        for p in sorted(described.partitions.values(), key=lambda p: p.id)
    ],
)
emit('deleted', errors=outcome(admin.delete_topics([topic], operation_timeout=30)))
emit('listed', topics=sorted(admin.list_topics(timeout=30).topics.keys()))
