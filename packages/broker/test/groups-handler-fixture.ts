/**
 * The group handlers on a real coordinator with an in-memory store, for
 * handler tests: `call` runs a decoded request at a version and checks the
 * response encodes at that version.
 */
import { type Logger, ManualClock } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import {
  decodeResponseFrame,
  encodeResponseFrame,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from '@runnel/protocol';
import { encodeSubscription } from '../src/groups/consumer-protocol.ts';
import { GroupCoordinator } from '../src/groups/group-coordinator.ts';
import { groupHandlers } from '../src/handlers/group-handlers.ts';
import type { Handler, RequestContext } from '../src/handlers/handler.ts';
import { FakeStore, ManualTimers } from './groups-fakes.ts';

/** Topic "t" with three partitions is all the image knows. */
export const image = {
  partition: (topic: string, index: number) => (topic === 't' && index >= 0 && index < 3 ? {} : undefined),
} as unknown as MetadataImage;

/** `partitions` offsets partitions, of which this broker hosts partition 0 (when `hosted`). */
export function setup(hosted = true, options: { partitions?: number; logger?: Logger } = {}) {
  const clock = new ManualClock();
  let n = 0;
  const store = new FakeStore();
  const coordinator = new GroupCoordinator({
    store,
    clock,
    timers: new ManualTimers(clock),
    newMemberSuffix: () => `u${++n}`,
    config: { offsetsTopicPartitions: options.partitions ?? 1, initialRebalanceDelayMs: 0 },
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  if (hosted) coordinator.loaded(0, { groups: new Map(), offsets: new Map(), pendingTxnOffsets: new Map() });
  const handlers = new Map(groupHandlers(coordinator, { image: () => image }).map((h) => [h.apiKey, h]));
  /** Runs a request at `version` and checks the response encodes at that version. */
  async function call(apiKey: number, version: number, request: object): Promise<Record<string, unknown>> {
    const handler = handlers.get(apiKey as Handler['apiKey']) as Handler | undefined;
    if (handler === undefined) throw new Error(`no handler for ${apiKey}`);
    const header = { apiKey, apiVersion: version, correlationId: 7, clientId: 'cli' };
    const context = { header, connection: { id: 1, remoteAddress: '10.0.0.9' } } as RequestContext;
    const response = await handler.handle(request as never, context);
    if (response === null) throw new Error('no response');
    const frame = Buffer.concat(encodeResponseFrame(header, response));
    decodeResponseFrame(apiKey, version, frame.subarray(4));
    return response as unknown as Record<string, unknown>;
  }
  return { coordinator, store, handlers, call };
}

export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
    ...overrides,
  };
}

/** A single member through JoinGroup v5 and SyncGroup v3: returns its id. */
export async function stable(call: ReturnType<typeof setup>['call']): Promise<string> {
  const first = (await call(11, 5, joinRequest())) as unknown as JoinGroupResponse;
  const joined = (await call(11, 5, joinRequest({ memberId: first.memberId }))) as unknown as JoinGroupResponse;
  const memberId = joined.memberId;
  await call(14, 3, {
    groupId: 'g',
    generationId: joined.generationId,
    memberId,
    groupInstanceId: null,
    assignments: [{ memberId, assignment: Buffer.from('x') }],
  });
  return memberId;
}
