import { afterEach, describe, expect, it } from 'vitest';
import { answer } from '../src/controller-answer.ts';
import { alterPartitionResponseFromProto, alterPartitionResponseToProto } from '../src/controller-response-codec.ts';
import type { AlterPartitionResponseProto } from '../src/generated/controller-proto.ts';
import { ControllerCallFailure, GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { protoMessageType } from '../src/load-protos.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';

const started = new Started();
afterEach(() => started.closeAll());

const response = protoMessageType<AlterPartitionResponseProto>('runnel.controller.v1.AlterPartitionResponse');
const roundTrip = (p: AlterPartitionResponseProto) =>
  alterPartitionResponseFromProto(response.deserialize(response.serialize(p)));

const request = {
  leaderId: 1,
  topicId: '00000000-0000-0000-0000-000000000001',
  partition: 0,
  leaderEpoch: 2,
  partitionEpoch: 3,
  isr: [1, 3],
};

describe('AlterPartition over gRPC', () => {
  it('an accepted change comes back with the new partition epoch and ISR; a stale epoch is invalid_update_version', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const accepted = await client.call('alterPartition', request);
    expect(accepted).toEqual({
      ok: true,
      value: { value: { ok: true, value: { partitionEpoch: 4, isr: [1, 3] } }, committedOffset: -1n },
    });
    const stale = await client.call('alterPartition', request);
    expect(stale.ok && stale.value.value).toEqual({
      ok: false,
      error: 'invalid_update_version',
      message: 'partition epoch is 4',
    });
  });

  it('GrpcControllerChannel.alterPartition returns the Result and rejects when no controller answers', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))], { callTimeoutMs: 500 });
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    expect(await channel.call('alterPartition', request)).toEqual({
      ok: true,
      value: { partitionEpoch: 4, isr: [1, 3] },
    });

    fake.leader = { leaderId: null, leaderAddress: null };
    await expect(channel.call('alterPartition', request)).rejects.toBeInstanceOf(ControllerCallFailure);
  });

  it('every AlterPartition error name survives the wire; a name outside the union is malformed_response', () => {
    const names = [
      'unknown_topic_or_partition',
      'not_leader_or_follower',
      'fenced_leader_epoch',
      'invalid_update_version',
      'ineligible_replica',
      'invalid_request',
      'not_controller',
    ] as const;
    for (const name of names) {
      expect(roundTrip({ error: { name, message: 'why' }, committedOffset: '-1' })).toEqual({
        ok: true,
        value: { status: 'ok', value: { ok: false, error: name, message: 'why' }, committedOffset: -1n },
      });
    }
    expect(roundTrip({ error: { name: 'unknown_topic', message: '' }, committedOffset: '-1' })).toMatchObject({
      ok: false,
      error: 'malformed_response',
    });
    expect(roundTrip({ committedOffset: '-1' })).toMatchObject({ ok: false, error: 'malformed_response' });
  });

  it('an accepted answer keeps its committed offset and ISR order through encoding', () => {
    const encoded = alterPartitionResponseToProto(
      answer({ ok: true, value: { partitionEpoch: 9, isr: [3, 1, 2] } }, 41n),
    );
    expect(roundTrip(encoded)).toEqual({
      ok: true,
      value: { status: 'ok', value: { ok: true, value: { partitionEpoch: 9, isr: [3, 1, 2] } }, committedOffset: 41n },
    });
  });
});
