"""Transactional confluent-kafka-python (librdkafka) scenarios for tests.

Usage: transactional_client.py SCENARIO BOOTSTRAP TOPIC TXN_ID [EXTRA...]
Prints one JSON object per line: {"event": ..., ...}. Scenarios:

  commit PREFIX N            one transaction of PREFIX-0..N-1, committed
  abort PREFIX N             one transaction of PREFIX-0..N-1, aborted
  abort-then-commit PREFIX N the same producer aborts PREFIX-a-*, then commits PREFIX-c-*
  zombie PREFIX N            producer 1 opens a transaction; producer 2 with the same
                             transactional id fences it and commits PREFIX-new-*; producer 1's
                             commit must fail (fenced)
  hold PREFIX N TIMEOUT_MS   opens a transaction with transaction.timeout.ms=TIMEOUT_MS, produces,
                             prints "produced", waits for a line on stdin, then tries to commit
  copy INPUT GROUP N         read-process-write: a read_committed consumer in GROUP reads N records
                             of INPUT, the producer writes them upper-cased to TOPIC and sends the
                             consumer's offsets to the transaction, then commits
Exits 0 when the scenario ran as expected (including an expected failure).
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

scenario, bootstrap, topic, txn_id = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
extra = sys.argv[5:]


def emit(event, **fields):
    print(json.dumps({'event': event, **fields}), flush=True)


def producer(timeout_ms=60000):
    p = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': txn_id,
        'transaction.timeout.ms': timeout_ms,
        'linger.ms': 1,
    })
    p.init_transactions(60)
    return p


def send(p, values):
    for v in values:
        p.produce(topic, value=v.encode('utf-8'), partition=0)
    p.flush(60)


def error_of(e):
    err = e.args[0] if e.args else None
    return {
        'code': err.name() if err is not None else str(e),
        'fatal': bool(err.fatal()) if err is not None else False,
        'abortable': bool(err.txn_requires_abort()) if err is not None else False,
    }


if scenario in ('commit', 'abort'):
    prefix, n = extra[0], int(extra[1])
    p = producer()
    p.begin_transaction()
    send(p, [f'{prefix}-{i}' for i in range(n)])
    if scenario == 'commit':
        p.commit_transaction(60)
    else:
        p.abort_transaction(60)
    emit('committed' if scenario == 'commit' else 'aborted')
elif scenario == 'abort-then-commit':
    prefix, n = extra[0], int(extra[1])
    p = producer()
    p.begin_transaction()
    send(p, [f'{prefix}-a-{i}' for i in range(n)])
    p.abort_transaction(60)
    p.begin_transaction()
    send(p, [f'{prefix}-c-{i}' for i in range(n)])
    p.commit_transaction(60)
    emit('done')
elif scenario == 'zombie':
    prefix, n = extra[0], int(extra[1])
    old = producer()
    old.begin_transaction()
    send(old, [f'{prefix}-old-{i}' for i in range(n)])
    new = producer()
    new.begin_transaction()
    send(new, [f'{prefix}-new-{i}' for i in range(n)])
    new.commit_transaction(60)
    emit('new-committed')
    try:
        old.commit_transaction(60)
        emit('old-committed')
        sys.exit(1)
    except KafkaException as e:
        emit('old-refused', **error_of(e))
elif scenario == 'hold':
    prefix, n, timeout_ms = extra[0], int(extra[1]), int(extra[2])
    p = producer(timeout_ms)
    p.begin_transaction()
    send(p, [f'{prefix}-{i}' for i in range(n)])
    emit('produced')
    sys.stdin.readline()
    try:
        p.commit_transaction(30)
        emit('committed')
        sys.exit(1)
    except KafkaException as e:
        emit('refused', **error_of(e))
elif scenario == 'copy':
    source, group, n = extra[0], extra[1], int(extra[2])
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
    })
    consumer.assign([TopicPartition(source, 0)])
    p = producer()
    p.begin_transaction()
    copied = 0
    while copied < n:
        m = consumer.poll(1.0)
        if m is None or m.error() is not None:
            continue
        p.produce(topic, value=m.value().decode('utf-8').upper().encode('utf-8'), partition=0)
        copied += 1
    p.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 60)
    p.commit_transaction(60)
    consumer.close()
    emit('copied', count=copied)
else:
    emit('unknown-scenario', scenario=scenario)
    sys.exit(2)
