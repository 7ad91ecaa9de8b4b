"""One compatibility-matrix operation with kafka-python (Debian's 2.0.2).

Usage: matrix_kafka_python.py BOOTSTRAP OPERATION PREFIX
Creates what it needs under topic/group names starting with PREFIX, checks
the outcome, and prints "ok <detail>" (exit 0) or raises (exit 1).
"""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic

from matrix_common import check, client_operations, wait_until

bootstrap, operation, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='matrix-kafka-python')


def create(topic, partitions=1, configs=None):
    admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs or {})], timeout_ms=30000)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    wait_until(lambda: consumer.partitions_for_topic(topic) is not None, f'{topic} in metadata')
    consumer.close()


def produce(topic, values, **config):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', **config)
    futures = [producer.send(topic, key=v.encode(), value=v.encode(), partition=0, headers=[('origin', b'matrix')])
               for v in values]
    for future in futures:
        future.get(timeout=60)
    producer.close()


def consume(topic, group, count):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                             enable_auto_commit=False, consumer_timeout_ms=60000)
    values = []
    for message in consumer:
        values.append(message.value.decode())
        if len(values) >= count:
            break
    consumer.commit()
    consumer.close()
    check(len(values) == count, f'read {values}, wanted {count}')
    return values


def op_version_inference():
    version = admin.config['api_version']
    check(version >= (2, 4, 0), f'inferred {version}')
    return '.'.join(str(part) for part in version)


def op_metadata():
    create(f'{prefix}-metadata', 3)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    partitions = consumer.partitions_for_topic(f'{prefix}-metadata')
    consumer.close()
    check(partitions == {0, 1, 2}, f'partitions {partitions}')
    return '3 partitions'


def op_create_topic():
    create(f'{prefix}-create', 2, {'retention.ms': '60000'})
    return ''


def op_create_partitions():
    topic = f'{prefix}-grow'
    create(topic)
    admin.create_partitions({topic: NewPartitions(total_count=4)})
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    wait_until(lambda: consumer.topics() is not None and len(consumer.partitions_for_topic(topic) or ()) == 4, '4 partitions')
    consumer.close()
    return '1 → 4 partitions'


def op_delete_topic():
    topic = f'{prefix}-delete'
    create(topic)
    admin.delete_topics([topic], timeout_ms=30000)
    wait_until(lambda: topic not in admin.list_topics(), 'the topic to go')
    return ''


def op_produce():
    create(f'{prefix}-produce')
    produce(f'{prefix}-produce', ['k1', 'k2'])
    return ''


def op_produce_compressed():
    topic = f'{prefix}-gzip'
    create(topic)
    produce(topic, [f'gz-{i}' for i in range(50)], compression_type='gzip', linger_ms=50)
    values = consume(topic, f'{prefix}-gzip-group', 50)
    check(values[-1] == 'gz-49', 'last record')
    return '50 records'


def op_list_offsets():
    topic = f'{prefix}-offsets'
    create(topic)
    produce(topic, ['a', 'b', 'c', 'd'])
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition(topic, 0)
    low, high = consumer.beginning_offsets([tp])[tp], consumer.end_offsets([tp])[tp]
    consumer.close()
    check((low, high) == (0, 4), f'{low}..{high}')
    return 'earliest 0, latest 4'


def op_offsets_for_times():
    topic = f'{prefix}-times'
    create(topic)
    base = int(time.time() * 1000) - 60000
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=100)
    futures = [producer.send(topic, value=f't{i}'.encode(), partition=0, timestamp_ms=base + i * 1000) for i in range(10)]
    for future in futures:
        future.get(timeout=60)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition(topic, 0)
    found = consumer.offsets_for_times({tp: base + 5000})[tp]
    consumer.close()
    check(found is not None and found.offset == 5, f'found {found}')
    return 'record 5 of one batch of 10'


def topic_config(topic, name):
    response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])[0]
    entries = response.resources[0][4]
    return next(entry[1] for entry in entries if entry[0] == name)


def op_describe_topic_configs():
    topic = f'{prefix}-desc'
    create(topic)
    check(topic_config(topic, 'cleanup.policy') == 'delete', 'cleanup.policy')
    return ''


def op_alter_topic_configs():
    topic = f'{prefix}-alter'
    create(topic)
    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'retention.ms': '120000'})])
    check(topic_config(topic, 'retention.ms') == '120000', 'retention.ms')
    return ''


def group_with_commit():
    topic = f'{prefix}-lg'
    create(topic)
    produce(topic, ['x'])
    consume(topic, f'{prefix}-lg-group', 1)
    return f'{prefix}-lg-group'


def op_list_groups():
    group = group_with_commit()
    groups = [g[0] for g in admin.list_consumer_groups()]
    check(group in groups, f'groups {groups}')
    return ''


def op_describe_groups():
    group = group_with_commit()
    described = admin.describe_consumer_groups([group])[0]
    check(described.state == 'Empty', f'state {described.state}')
    return 'Empty after the member left'


def op_fetch_group_offsets():
    group = group_with_commit()
    offsets = admin.list_consumer_group_offsets(group)
    committed = offsets[TopicPartition(f'{prefix}-lg', 0)].offset
    check(committed == 1, f'committed {committed}')
    return ''


def op_delete_groups():
    group = group_with_commit()
    results = admin.delete_consumer_groups([group])
    check(all(error.errno == 0 for _, error in results), f'results {results}')
    check(group not in [g[0] for g in admin.list_consumer_groups()], 'group still listed')
    return ''


def op_describe_cluster():
    cluster = admin.describe_cluster()
    check(len(cluster['brokers']) == 1, f'brokers {cluster["brokers"]}')
    check(cluster['controller_id'] == cluster['brokers'][0]['node_id'], 'controller')
    return '1 broker'


def broker_entry(name):
    response = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1')], include_synonyms=True)[0]
    # DescribeConfigs v1+: (name, value, read_only, config_source, is_sensitive, synonyms)
    return next(entry for entry in response.resources[0][4] if entry[0] == name)


def op_describe_broker_configs():
    entry = broker_entry('log.retention.ms')
    check(entry[3] == 5, f'config_source {entry[3]}')  # DEFAULT_CONFIG
    return f'log.retention.ms {entry[1]} (DEFAULT_CONFIG)'


def op_alter_broker_configs():
    admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, '1', configs={'log.retention.ms': '7200000'})])
    wait_until(lambda: broker_entry('log.retention.ms')[1] == '7200000', 'the new broker config')
    entry = broker_entry('log.retention.ms')
    check(entry[3] == 2, f'config_source {entry[3]}')  # DYNAMIC_BROKER_CONFIG
    return 'log.retention.ms 7200000 (DYNAMIC_BROKER_CONFIG)'


operations = {
    **client_operations(prefix, create, produce, consume),
    'version-inference': op_version_inference,
    'metadata': op_metadata,
    'create-topic': op_create_topic,
    'create-partitions': op_create_partitions,
    'delete-topic': op_delete_topic,
    'produce': op_produce,
    'produce-compressed': op_produce_compressed,
    'list-offsets': op_list_offsets,
    'offsets-for-times': op_offsets_for_times,
    'describe-topic-configs': op_describe_topic_configs,
    'alter-topic-configs': op_alter_topic_configs,
    'list-groups': op_list_groups,
    'describe-groups': op_describe_groups,
    'fetch-group-offsets': op_fetch_group_offsets,
    'delete-groups': op_delete_groups,
    'describe-cluster': op_describe_cluster,
    'describe-broker-configs': op_describe_broker_configs,
    'alter-broker-configs': op_alter_broker_configs,
}

try:
    print(f'ok {operations[operation]()}', flush=True)
finally:
    admin.close()
