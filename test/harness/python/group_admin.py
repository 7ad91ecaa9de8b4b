"""A confluent-kafka-python (librdkafka) group member and group admin for tests.

Usage: group_admin.py BOOTSTRAP TOPIC GROUP COUNT
Joins GROUP as a consumer of TOPIC, reads COUNT records from the earliest
offset, commits them synchronously and prints what the coordinator reports
as committed (OffsetFetch); then, still a member, lists the groups the
cluster knows (AdminClient.list_groups: ListGroups, then DescribeGroups) and
prints each; then closes the consumer (LeaveGroup) and lists them again.
Every line is one JSON event. Exits 0 when all of that worked.
"""
import json
import sys
import time

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

bootstrap, topic, group, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def emit(event, **fields):
    print(json.dumps({'event': event, **fields}), flush=True)


def list_groups(admin, phase):
    for g in admin.list_groups(timeout=20):
        emit('group', phase=phase, id=g.id, state=g.state, protocol_type=g.protocol_type,
             protocol=g.protocol, members=[m.client_id for m in g.members],
             error=None if g.error is None else g.error.name())


consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'client.id': 'py-group-admin',
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': False,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
})
consumer.subscribe([topic])
read = 0
deadline = time.monotonic() + 60
while read < count and time.monotonic() < deadline:
    message = consumer.poll(0.5)
    if message is None or message.error() is not None:
        continue
    read += 1
emit('read', count=read)
consumer.commit(asynchronous=False)
assigned = consumer.assignment()
committed = consumer.committed([TopicPartition(topic, tp.partition) for tp in assigned], timeout=20)
emit('committed', offsets=sorted([tp.partition, tp.offset] for tp in committed))

admin = AdminClient({'bootstrap.servers': bootstrap})
list_groups(admin, 'member')
consumer.close()
list_groups(admin, 'closed')
