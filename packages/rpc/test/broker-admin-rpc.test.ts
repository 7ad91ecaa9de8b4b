import { afterEach, describe, expect, it } from 'vitest';
import { decommissionResponseFromProto, describeBrokersResponseFromProto } from '../src/broker-admin-codec.ts';
import { GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';

const started = new Started();
afterEach(() => started.closeAll());

describe('DescribeBrokers and DecommissionBroker over gRPC', () => {
  it('DescribeBrokers carries every status field (rack null or set, fenced, state, counts) through GrpcControllerChannel', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    expect(await channel.call('describeBrokers', {})).toEqual(fake.brokerStatuses);
    expect(fake.served).toEqual(['describeBrokers']);
  });

  it('DecommissionBroker answers the new status, a refusal with its message, and an unknown broker', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    expect(await channel.call('decommissionBroker', { brokerId: 1, cancel: false })).toMatchObject({
      ok: true,
      value: { brokerId: 1, state: 'decommissioning', replicas: 12 },
    });
    expect(await channel.call('decommissionBroker', { brokerId: 1, cancel: true })).toMatchObject({
      ok: true,
      value: { state: 'active' },
    });
    expect(await channel.call('decommissionBroker', { brokerId: 4, cancel: false })).toEqual({
      ok: false,
      error: 'insufficient_brokers',
      message: 'no room',
    });
    const unknown = await client.call('decommissionBroker', { brokerId: 7, cancel: false });
    expect(unknown).toMatchObject({ ok: true, value: { value: { ok: false, error: 'unknown_broker' } } });
  });

  it('a broker state or error name outside its union is a malformed response', () => {
    const status = {
      brokerId: 1,
      listeners: [],
      fenced: false,
      state: 'retired',
      replicas: 0,
      leaders: 0,
      moving: 0,
      pinned: 0,
    };
    expect(
      describeBrokersResponseFromProto({ outcome: 'results', results: { results: [status] }, committedOffset: '-1' }),
    ).toMatchObject({ ok: false, error: 'malformed_response' });
    expect(
      decommissionResponseFromProto({ outcome: 'error', error: { name: 'nope', message: '' }, committedOffset: '-1' }),
    ).toMatchObject({ ok: false, error: 'malformed_response' });
    expect(decommissionResponseFromProto({ outcome: 'status', status, committedOffset: '-1' })).toMatchObject({
      ok: false,
      error: 'malformed_response',
    });
  });
});

describe('DescribeQuorum over gRPC', () => {
  it('carries the whole quorum through GrpcControllerChannel, -1 and int64 values exact', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    expect(await channel.call('describeQuorum', {})).toEqual(fake.quorum);
    expect(fake.served).toEqual(['describeQuorum']);
  });
});
