"""Broker configs through confluent-kafka-python's AdminClient (librdkafka).

Describes broker <id> (printing where num.partitions and log.dirs come
from), sets log.retention.ms on broker <id> as a dynamic broker config with
alter_configs (this client refuses the empty name of the cluster-default
resource), and describes broker <id> again. Prints one JSON line
per step. Usage: configs_admin.py <bootstrap> <broker id>
"""
import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource

bootstrap, broker_id = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": bootstrap})


def source_of(entry):
    return getattr(entry.source, "value", entry.source)


def describe(name):
    futures = admin.describe_configs([ConfigResource(ConfigResource.Type.BROKER, name)], request_timeout=20)
    for future in futures.values():
        return {
            key: {
                "value": e.value,
                "source": source_of(e),
                "is_default": e.is_default,
                "read_only": e.is_read_only,
            }
            for key, e in future.result().items()
        }
    return {}


before = describe(broker_id)
print(json.dumps({"event": "described", "num.partitions": before["num.partitions"], "log.dirs": before["log.dirs"]}))
futures = admin.alter_configs(
    [ConfigResource(ConfigResource.Type.BROKER, broker_id, set_config={"log.retention.ms": "3600000"})], request_timeout=20
)
for future in futures.values():
    future.result()
print(json.dumps({"event": "altered"}))
after = describe(broker_id)
print(json.dumps({"event": "described-after", "log.retention.ms": after["log.retention.ms"]}))
