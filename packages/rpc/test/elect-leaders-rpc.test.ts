import { afterEach, describe, expect, it } from 'vitest';
import { answer } from '../src/controller-answer.ts';
import { registerBrokerRequestFromProto } from '../src/controller-request-codec.ts';
import { electLeadersResponseFromProto, electLeadersResponseToProto } from '../src/elect-leaders-codec.ts';
import type { RegisterBrokerRequestProto } from '../src/generated/controller-proto.ts';
import { GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { protoMessageType } from '../src/load-protos.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';

const started = new Started();
afterEach(() => started.closeAll());

describe('ElectLeaders and the clean-shutdown flag over gRPC', () => {
  it('ElectLeaders carries the partitions asked for and every result back through GrpcControllerChannel', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    const results = await channel.call('electLeaders', {
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 1 },
      ],
    });
    expect(results).toEqual([
      { topic: 'a', partition: 0, result: { ok: true, value: null } },
      {
        topic: 'a',
        partition: 1,
        result: { ok: false, error: 'election_not_needed', message: 'already the preferred leader' },
      },
    ]);
    expect(await channel.call('electLeaders', { partitions: null })).toEqual([]);
    expect(fake.served).toEqual(['electLeaders', 'electLeaders']);
  });

  it('an ElectLeaders error name outside the union is a malformed response', () => {
    const frame = electLeadersResponseToProto(
      answer([{ topic: 'a', partition: 0, result: { ok: false, error: 'election_not_needed' } }], 3n),
    );
    const bad = {
      ...frame,
      results: {
        results: [{ topic: 'a', partition: 0, error: { name: 'nope', message: '' }, outcome: 'error' as const }],
      },
      outcome: 'results' as const,
    };
    expect(electLeadersResponseFromProto(bad)).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it.each([true, false])('previousShutdownClean=%s survives the registration call', async (clean) => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    await client.call('registerBroker', {
      brokerId: 1,
      incarnationId: 'a',
      listeners: [],
      rack: null,
      previousShutdownClean: clean,
      clusterId: null,
    });
    expect(fake.lastRegistration?.previousShutdownClean).toBe(clean);
  });

  it('a registration from a broker that predates the flag reads as an unclean shutdown', () => {
    const type = protoMessageType<RegisterBrokerRequestProto>('runnel.controller.v1.RegisterBrokerRequest');
    const old = type.serialize({
      brokerId: 1,
      incarnationId: 'a',
      listeners: [],
    } as unknown as RegisterBrokerRequestProto);
    expect(registerBrokerRequestFromProto(type.deserialize(old)).previousShutdownClean).toBe(false);
  });
});
