"""One compatibility-matrix operation with confluent-kafka-python (librdkafka).

Usage: matrix_confluent.py BOOTSTRAP OPERATION PREFIX
Creates what it needs under topic/group names starting with PREFIX, checks
the outcome, and prints "ok <detail>" (exit 0) or raises (exit 1).
"""
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from matrix_common import check, client_operations, wait_until

bootstrap, operation, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
admin = AdminClient({'bootstrap.servers': bootstrap})


def create(topic, partitions=1, config=None):
    futures = admin.create_topics([NewTopic(topic, partitions, 1, config=config or {})], operation_timeout=30)
    futures[topic].result(60)


def produce(topic, values, **config):
    producer = Producer({'bootstrap.servers': bootstrap, **config})
    errors = []
    for value in values:
        producer.produce(topic, key=value.encode(), value=value.encode(), partition=0,
                         headers=[('origin', b'matrix')],
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
    check(producer.flush(60) == 0, 'undelivered records')
    check(not errors, f'delivery errors {errors}')


def consume(topic, group, count, **config):
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                         'enable.auto.commit': False, **config})
    consumer.subscribe([topic])
    values = []
    deadline = time.monotonic() + 60
    while len(values) < count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            raise KafkaException(message.error())
        values.append(message.value().decode())
    if values:
        consumer.commit(asynchronous=False)
    consumer.close()
    check(len(values) == count, f'read {values}, wanted {count} records')
    return values


def op_metadata():
    create(f'{prefix}-metadata', 3)
    topic = admin.list_topics(timeout=30).topics[f'{prefix}-metadata']
    check(len(topic.partitions) == 3, f'{len(topic.partitions)} partitions')
    return '3 partitions'


def op_create_topic():
    create(f'{prefix}-create', 2, {'retention.ms': '60000'})
    return ''


def op_create_topic_defaults():
    topic = f'{prefix}-defaults'
    admin.create_topics([NewTopic(topic, -1, -1)], operation_timeout=30)[topic].result(60)
    partitions = len(admin.list_topics(topic, timeout=30).topics[topic].partitions)
    check(partitions > 0, 'no partitions')
    return f'{partitions} partitions'


def op_create_partitions():
    topic = f'{prefix}-grow'
    create(topic)
    admin.create_partitions([NewPartitions(topic, 4)])[topic].result(60)
    partitions = len(admin.list_topics(topic, timeout=30).topics[topic].partitions)
    check(partitions == 4, f'{partitions} partitions')
    return '1 → 4 partitions'


def op_delete_topic():
    topic = f'{prefix}-delete'
    create(topic)
    admin.delete_topics([topic], operation_timeout=30)[topic].result(60)
    wait_until(lambda: topic not in admin.list_topics(timeout=30).topics, 'the topic to go')
    return ''


def op_produce():
    create(f'{prefix}-produce')
    produce(f'{prefix}-produce', ['k1', 'k2'])
    return ''


def op_produce_compressed():
    topic = f'{prefix}-gzip'
    create(topic)
    produce(topic, [f'gz-{i}' for i in range(50)], **{'compression.type': 'gzip', 'linger.ms': 50})
    values = consume(topic, f'{prefix}-gzip-group', 50)
    check(values[-1] == 'gz-49', 'last record')
    return '50 records'


def op_produce_idempotent():
    topic = f'{prefix}-idem'
    create(topic)
    produce(topic, ['a', 'b', 'c'], **{'enable.idempotence': True})
    low, high = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'x'}).get_watermark_offsets(TopicPartition(topic, 0), 30)
    check(high == 3, f'high watermark {high}')
    return ''


def op_list_offsets():
    topic = f'{prefix}-offsets'
    create(topic)
    produce(topic, ['a', 'b', 'c', 'd'])
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'{prefix}-wm'})
    low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), 30)
    consumer.close()
    check((low, high) == (0, 4), f'{low}..{high}')
    return 'earliest 0, latest 4'


def op_offsets_for_times():
    topic = f'{prefix}-times'
    create(topic)
    base = int(time.time() * 1000) - 60000
    producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 100})
    for i in range(10):
        producer.produce(topic, value=f't{i}'.encode(), partition=0, timestamp=base + i * 1000)
    check(producer.flush(60) == 0, 'undelivered')
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'{prefix}-times'})
    found = consumer.offsets_for_times([TopicPartition(topic, 0, base + 5000)], 30)[0]
    consumer.close()
    check(found.offset == 5, f'offset {found.offset}')
    return 'record 5 of one batch of 10'


def op_describe_topic_configs():
    topic = f'{prefix}-desc'
    create(topic)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(60)
    check(configs['cleanup.policy'].value == 'delete', 'cleanup.policy')
    return ''


def op_alter_topic_configs():
    topic = f'{prefix}-alter'
    create(topic)
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={'retention.ms': '120000'})
    admin.alter_configs([resource])[resource].result(60)
    described = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
    configs = list(described.values())[0].result(60)
    check(configs['retention.ms'].value == '120000', 'retention.ms')
    return ''


def op_list_groups():
    topic = f'{prefix}-lg'
    create(topic)
    produce(topic, ['x'])
    consume(topic, f'{prefix}-lg-group', 1)
    groups = [g.id for g in admin.list_groups(timeout=30)]
    check(f'{prefix}-lg-group' in groups, f'groups {groups}')
    return ''


def broker_entry(name):
    resource = ConfigResource(ConfigResource.Type.BROKER, '1')
    return admin.describe_configs([resource])[resource].result(60)[name]


def op_describe_broker_configs():
    entry = broker_entry('log.retention.ms')
    check(entry.is_default, f'is_default {entry.is_default}')
    check(entry.source == 5, f'source {entry.source}')  # DEFAULT_CONFIG
    return f'log.retention.ms {entry.value} (DEFAULT_CONFIG)'


def op_alter_broker_configs():
    resource = ConfigResource(ConfigResource.Type.BROKER, '1', set_config={'log.retention.ms': '7200000'})
    admin.alter_configs([resource])[resource].result(60)
    wait_until(lambda: broker_entry('log.retention.ms').value == '7200000', 'the new broker config')
    entry = broker_entry('log.retention.ms')
    check(entry.source == 2, f'source {entry.source}')  # DYNAMIC_BROKER_CONFIG
    return 'log.retention.ms 7200000 (DYNAMIC_BROKER_CONFIG)'


operations = {
    **client_operations(prefix, create, produce, consume),
    'metadata': op_metadata,
    'create-topic': op_create_topic,
    'create-topic-defaults': op_create_topic_defaults,
    'create-partitions': op_create_partitions,
    'delete-topic': op_delete_topic,
    'produce': op_produce,
    'produce-compressed': op_produce_compressed,
    'produce-idempotent': op_produce_idempotent,
    'list-offsets': op_list_offsets,
    'offsets-for-times': op_offsets_for_times,
    'describe-topic-configs': op_describe_topic_configs,
    'alter-topic-configs': op_alter_topic_configs,
    'list-groups': op_list_groups,
    'describe-broker-configs': op_describe_broker_configs,
    'alter-broker-configs': op_alter_broker_configs,
}

print(f'ok {operations[operation]()}', flush=True)
