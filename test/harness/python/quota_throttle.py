"""A confluent-kafka-python (librdkafka) producer that reports broker throttling.

Usage: quota_throttle.py BOOTSTRAP TOPIC CLIENT_ID
Produces 16 KiB values as fast as librdkafka allows under client id
CLIENT_ID. Every throttle librdkafka reports through throttle_cb (it reads
throttle_time_ms from the broker's responses) prints one JSON line
{"event": "throttle", "broker_id": ..., "throttle_ms": ...}; the statistics
callback's per-broker "throttle" window prints {"event": "stats_throttle",
"max_ms": ...} when its maximum is above 0. Runs until its standard input
closes or says "stop".
"""
import json
import sys
import threading

from confluent_kafka import Producer

bootstrap, topic, client_id = sys.argv[1], sys.argv[2], sys.argv[3]
stop = threading.Event()


def on_throttle(event):
    print(json.dumps({'event': 'throttle', 'broker_id': event.broker_id,
                      'throttle_ms': round(event.throttle_time * 1000)}), flush=True)


def on_stats(text):
    stats = json.loads(text)
    for broker in stats.get('brokers', {}).values():
        peak = broker.get('throttle', {}).get('max', 0)
        if peak > 0:
            print(json.dumps({'event': 'stats_throttle', 'max_ms': peak}), flush=True)


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == 'stop':
            break
    stop.set()


producer = Producer({
    'bootstrap.servers': bootstrap,
    'client.id': client_id,
    'acks': 1,
    'linger.ms': 5,
    # A small local queue: under its quota the producer waits on the broker, not on memory.
    'queue.buffering.max.messages': 1000,
    'statistics.interval.ms': 500,
    'throttle_cb': on_throttle,
    'stats_cb': on_stats,
})
threading.Thread(target=watch_stdin, daemon=True).start()
value = b'q' * 16384
while not stop.is_set():
    try:
        producer.produce(topic, value=value, partition=0)
    except BufferError:
        producer.poll(0.05)
    producer.poll(0)
# What is still queued would take the quota's time to send: drop it, the test is over.
producer.purge()
producer.flush(5)
