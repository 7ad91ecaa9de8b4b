import { afterEach, describe, expect, it } from 'vitest';
import type { AnswerFrame } from '../src/controller-response-codec.ts';
import type { PartitionReassignmentResultProto } from '../src/generated/controller-proto.ts';
import { ControllerCallFailure, GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { protoMessageType } from '../src/load-protos.ts';
import { alterReassignmentsResponseFromProto } from '../src/reassignment-codec.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';

const started = new Started();
afterEach(() => started.closeAll());

const response = protoMessageType<AnswerFrame<PartitionReassignmentResultProto>>(
  'runnel.controller.v1.AlterPartitionReassignmentsResponse',
);
const roundTrip = (p: AnswerFrame<PartitionReassignmentResultProto>) =>
  alterReassignmentsResponseFromProto(response.deserialize(response.serialize(p)));

describe('partition reassignments over gRPC', () => {
  it('a target list and a cancel both cross the wire, and results come back per partition in order', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const reply = await client.call('alterPartitionReassignments', {
      reassignments: [
        { topic: 'a', partition: 0, replicas: [3, 1, 2] },
        { topic: 'b', partition: 2, replicas: null },
      ],
    });
    expect(reply).toEqual({
      ok: true,
      value: {
        value: [
          { topic: 'a', partition: 0, result: { ok: true, value: null } },
          {
            topic: 'b',
            partition: 2,
            result: { ok: false, error: 'no_reassignment_in_progress', message: 'nothing to cancel' },
          },
        ],
        committedOffset: -1n,
      },
    });
    expect(fake.ongoing).toEqual([
      { topic: 'a', partition: 0, replicas: [3, 1, 2], addingReplicas: [3, 1, 2], removingReplicas: [] },
    ]);
  });

  it('listing all and listing named partitions are told apart on the wire', async () => {
    const fake = new FakeController();
    fake.ongoing.push(
      { topic: 'a', partition: 0, replicas: [3, 1], addingReplicas: [3], removingReplicas: [1] },
      { topic: 'a', partition: 1, replicas: [4, 2], addingReplicas: [4], removingReplicas: [2] },
    );
    const channel = new GrpcControllerChannel(started.client([address(await started.server(fake))]));
    started.onClose(() => channel.close());
    expect(await channel.call('listPartitionReassignments', { query: null })).toEqual(fake.ongoing);
    expect(await channel.call('listPartitionReassignments', { query: [{ topic: 'a', partitions: [1] }] })).toEqual([
      fake.ongoing[1],
    ]);
    expect(await channel.call('listPartitionReassignments', { query: [] })).toEqual([]);
  });

  it('GrpcControllerChannel rejects reassignment calls when no controller answers', async () => {
    const fake = new FakeController();
    fake.leader = { leaderId: null, leaderAddress: null };
    const client = started.client([address(await started.server(fake))], { callTimeoutMs: 500 });
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    await expect(
      channel.call('alterPartitionReassignments', { reassignments: [{ topic: 'a', partition: 0, replicas: [1] }] }),
    ).rejects.toBeInstanceOf(ControllerCallFailure);
    await expect(channel.call('listPartitionReassignments', { query: null })).rejects.toBeInstanceOf(
      ControllerCallFailure,
    );
  });

  it('every reassignment error name survives the wire; a name outside the union is malformed_response', () => {
    for (const name of ['unknown_topic_or_partition', 'invalid_replica_assignment', 'no_reassignment_in_progress']) {
      const p = {
        results: { results: [{ topic: 't', partition: 0, error: { name, message: 'why' } }] },
        committedOffset: '7',
      };
      expect(roundTrip(p)).toEqual({
        ok: true,
        value: {
          status: 'ok',
          value: [{ topic: 't', partition: 0, result: { ok: false, error: name, message: 'why' } }],
          committedOffset: 7n,
        },
      });
    }
    const foreign = {
      results: { results: [{ topic: 't', partition: 0, error: { name: 'unknown_topic', message: '' } }] },
      committedOffset: '-1',
    };
    expect(roundTrip(foreign)).toMatchObject({ ok: false, error: 'malformed_response' });
  });
});
