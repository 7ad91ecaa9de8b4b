/**
 * GroupMembership against a scripted broker at Runnel's newest group
 * versions: it finds its coordinator with the batched FindCoordinator,
 * goes through the MEMBER_ID_REQUIRED round (JoinGroup v4+), rejoins after
 * a SyncGroup that answers REBALANCE_IN_PROGRESS, and tells the coordinator
 * why each time (JoinGroup v8+ reason) and why it leaves (LeaveGroup v5).
 */
import {
  ApiKeys,
  ErrorCode,
  type FindCoordinatorRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type SyncGroupResponse,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupMembership, KafkaClient } from '../src/index.ts';
import { type FakeRequest, reply, startFakeBroker } from './fake-broker.ts';

const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function joined(errorCode: number, memberId: string): JoinGroupResponse {
  const ok = errorCode === ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: ok ? 1 : -1,
    protocolType: ok ? 'runnel-test' : null,
    protocolName: ok ? 'p' : null,
    leader: ok ? memberId : '',
    skipAssignment: false,
    memberId,
    members: ok ? [{ memberId, groupInstanceId: null, metadata: Buffer.from('meta') }] : [],
  };
}

describe('GroupMembership at the newest group versions', () => {
  it('joins through MEMBER_ID_REQUIRED and a failed sync, giving a reason for every JoinGroup and for leaving', async () => {
    let port = 0;
    const joins = [joined(ErrorCode.MEMBER_ID_REQUIRED, 'm-1'), joined(0, 'm-1'), joined(0, 'm-1')];
    const syncs = [ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.NONE];
    const broker = await startFakeBroker((request: FakeRequest) => {
      switch (request.header.apiKey) {
        case ApiKeys.FindCoordinator: {
          const keys = (request.body as unknown as FindCoordinatorRequest).coordinatorKeys ?? [];
          const coordinators = keys.map((key) => ({
            key,
            nodeId: 1,
            host: '127.0.0.1',
            port,
            errorCode: 0,
            errorMessage: null,
          }));
          reply(request, { throttleTimeMs: 0, coordinators });
          return;
        }
        case ApiKeys.JoinGroup:
          reply(request, joins.shift() ?? joined(0, 'm-1'));
          return;
        case ApiKeys.SyncGroup: {
          const errorCode = syncs.shift() ?? ErrorCode.NONE;
          const answer: SyncGroupResponse = {
            throttleTimeMs: 0,
            errorCode,
            protocolType: 'runnel-test',
            protocolName: 'p',
            assignment: Buffer.from(errorCode === ErrorCode.NONE ? 'mine' : ''),
          };
          reply(request, answer);
          return;
        }
        case ApiKeys.Heartbeat:
          reply(request, { throttleTimeMs: 0, errorCode: 0 });
          return;
        case ApiKeys.LeaveGroup:
          reply(request, {
            throttleTimeMs: 0,
            errorCode: 0,
            members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }],
          });
          return;
      }
    });
    port = broker.port;
    cleanup.push(() => broker.close());
    const client = await KafkaClient.connect({ bootstrap: `127.0.0.1:${port}` });
    cleanup.push(() => client.close());
    const assigned: string[] = [];
    const errors: unknown[] = [];
    const member = new GroupMembership(client, {
      groupId: 'g',
      protocolType: 'runnel-test',
      protocols: [{ name: 'p', metadata: Buffer.from('meta') }],
      heartbeatIntervalMs: 50,
      assign: (members) => new Map(members.map((m) => [m.memberId, Buffer.from('mine')])),
      onAssigned: (assignment) => assigned.push(assignment.toString()),
      onRevoked: () => {},
      onError: (error) => errors.push(error),
    });
    member.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (broker.requests.some((r) => r.header.apiKey === ApiKeys.Heartbeat)) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await member.stop();
    expect(assigned).toEqual(['mine']);
    expect(errors).toEqual([]);

    const sent = (key: number) => broker.requests.filter((r) => r.header.apiKey === key);
    expect(sent(ApiKeys.FindCoordinator).every((r) => r.header.apiVersion === 6)).toBe(true);
    const joinRequests = sent(ApiKeys.JoinGroup);
    expect(joinRequests.map((r) => r.header.apiVersion)).toEqual([9, 9, 9]);
    expect(joinRequests.map((r) => (r.body as unknown as JoinGroupRequest).reason)).toEqual([
      'the member starts',
      'rejoining with the member id the coordinator assigned (MEMBER_ID_REQUIRED)',
      'rejoining after SyncGroup answered REBALANCE_IN_PROGRESS',
    ]);
    const [leave] = sent(ApiKeys.LeaveGroup);
    expect(leave?.header.apiVersion).toBe(5);
    expect((leave?.body as unknown as LeaveGroupRequest | undefined)?.members).toEqual([
      { memberId: 'm-1', groupInstanceId: null, reason: 'the member stopped' },
    ]);
  });

  it('a static member names its instance id in every request, stops for good when fenced, and may stop without leaving', async () => {
    let port = 0;
    const broker = await startFakeBroker((request: FakeRequest) => {
      switch (request.header.apiKey) {
        case ApiKeys.FindCoordinator: {
          const keys = (request.body as unknown as FindCoordinatorRequest).coordinatorKeys ?? [];
          reply(request, {
            throttleTimeMs: 0,
            coordinators: keys.map((key) => ({
              key,
              nodeId: 1,
              host: '127.0.0.1',
              port,
              errorCode: 0,
              errorMessage: null,
            })),
          });
          return;
        }
        case ApiKeys.JoinGroup:
          reply(request, joined(0, 'c1-1'));
          return;
        case ApiKeys.SyncGroup:
          reply(request, {
            throttleTimeMs: 0,
            errorCode: 0,
            protocolType: 'runnel-test',
            protocolName: 'p',
            assignment: Buffer.from('mine'),
          });
          return;
        case ApiKeys.Heartbeat:
          // Another process joined with the same group.instance.id.
          reply(request, { throttleTimeMs: 0, errorCode: ErrorCode.FENCED_INSTANCE_ID });
          return;
      }
    });
    port = broker.port;
    cleanup.push(() => broker.close());
    const client = await KafkaClient.connect({ bootstrap: `127.0.0.1:${port}` });
    cleanup.push(() => client.close());
    let fenced = 0;
    const revoked: string[] = [];
    const member = new GroupMembership(client, {
      groupId: 'g',
      protocolType: 'runnel-test',
      protocols: [{ name: 'p', metadata: Buffer.from('meta') }],
      heartbeatIntervalMs: 20,
      groupInstanceId: 'c1',
      assign: (members) => new Map(members.map((m) => [m.memberId, Buffer.from('mine')])),
      onAssigned: () => {},
      onRevoked: (reason) => revoked.push(reason),
      onFenced: () => {
        fenced += 1;
      },
    });
    member.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (fenced > 0) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await member.stop({ leave: false });
    expect(fenced).toBe(1);
    expect(revoked).toEqual(['lost']);
    const sent = (key: number) => broker.requests.filter((r) => r.header.apiKey === key);
    // Fenced: no second JoinGroup (it would fence the newer holder in turn), and no LeaveGroup.
    expect(sent(ApiKeys.JoinGroup).map((r) => (r.body as unknown as JoinGroupRequest).groupInstanceId)).toEqual(['c1']);
    expect(
      sent(ApiKeys.SyncGroup).map((r) => (r.body as unknown as { groupInstanceId: string }).groupInstanceId),
    ).toEqual(['c1']);
    expect(
      sent(ApiKeys.Heartbeat).map((r) => (r.body as unknown as { groupInstanceId: string }).groupInstanceId),
    ).toEqual(['c1']);
    expect(sent(ApiKeys.LeaveGroup)).toEqual([]);
  });
});
