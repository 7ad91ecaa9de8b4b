"""What the compatibility-matrix client scripts share.

Assertions, polling for a condition with a deadline, and the operations
that differ between clients only in how they create a topic, produce and
consume (each script passes its own three functions).
"""
import time


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_until(condition, what, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while not condition():
        check(time.monotonic() < deadline, f'timed out waiting for {what}')
        time.sleep(0.1)


def client_operations(prefix, create, produce, consume):
    """The operations written only in terms of the client's create(topic), produce(topic, values) and
    consume(topic, group, count)."""

    def op_consume():
        topic = f'{prefix}-consume'
        create(topic)
        produce(topic, ['one', 'two'])
        check(consume(topic, f'{prefix}-consume-group', 2) == ['one', 'two'], 'values')
        return ''

    def op_consumer_group():
        topic = f'{prefix}-group'
        create(topic)
        produce(topic, ['1', '2'])
        check(consume(topic, f'{prefix}-g', 2) == ['1', '2'], 'first member')
        produce(topic, ['3'])
        check(consume(topic, f'{prefix}-g', 1) == ['3'], 'second member resumes')
        return 'resumed at offset 2'

    return {'consume': op_consume, 'consumer-group': op_consumer_group}
