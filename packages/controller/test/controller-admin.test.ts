import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller } from '@runnel/controller';
import type { CommittedBatch, ControllerChannel } from '@runnel/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let controller: Controller | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runnel-controller-admin-'));
});

afterEach(async () => {
  await controller?.close();
  controller = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function channelWithTopic(partitions: number): Promise<ControllerChannel> {
  controller = await Controller.open({ dir });
  const channel = controller.channel();
  const listeners = [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }];
  expect(
    (
      await channel.registerBroker({
        brokerId: 1,
        incarnationId: 'a',
        listeners,
        rack: null,
        previousShutdownClean: true,
      })
    ).ok,
  ).toBe(true);
  const [created] = await channel.createTopics(
    [
      {
        name: 't',
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: { 'cleanup.policy': 'compact' },
      },
    ],
    { validateOnly: false },
  );
  expect(created?.result.ok).toBe(true);
  return channel;
}

describe('single-node Controller admin calls', () => {
  it('createPartitions commits the new partitions and subscribers see them before the call resolves', async () => {
    const channel = await channelWithTopic(1);
    const seen: CommittedBatch[] = [];
    channel.subscribe((b) => seen.push(b));
    const results = await channel.createPartitions([{ topic: 't', count: 3, assignments: [] }], {
      validateOnly: false,
    });
    expect(results).toEqual([{ topic: 't', result: { ok: true, value: null } }]);
    expect(controller?.image.topic('t')?.partitions).toHaveLength(3);
    expect(seen.at(-1)?.records.map((r) => r.type)).toEqual(['partition', 'partition']);
  });

  it('validateOnly createPartitions answers but changes nothing', async () => {
    const channel = await channelWithTopic(1);
    const results = await channel.createPartitions([{ topic: 't', count: 4, assignments: [] }], { validateOnly: true });
    expect(results[0]?.result.ok).toBe(true);
    expect(controller?.image.topic('t')?.partitions).toHaveLength(1);
  });

  it('alterConfigs sets and deletes overrides; an invalid value is invalid_config and leaves the overrides alone', async () => {
    const channel = await channelWithTopic(1);
    const ok = await channel.alterConfigs(
      [
        {
          resourceType: 'topic',
          resourceName: 't',
          changes: [
            { name: 'retention.ms', op: 'set', value: '1000' },
            { name: 'cleanup.policy', op: 'delete', value: null },
          ],
        },
      ],
      { validateOnly: false },
    );
    expect(ok).toEqual([{ resourceType: 'topic', resourceName: 't', result: { ok: true, value: null } }]);
    expect(Object.fromEntries(controller?.image.configOverrides('topic', 't') ?? [])).toEqual({
      'retention.ms': '1000',
    });

    const bad = await channel.alterConfigs(
      [{ resourceType: 'topic', resourceName: 't', changes: [{ name: 'retention.ms', op: 'set', value: 'abc' }] }],
      { validateOnly: false },
    );
    expect(bad[0]?.result.ok === false && bad[0].result.error).toBe('invalid_config');
    const missing = await channel.alterConfigs(
      [{ resourceType: 'topic', resourceName: 'nope', changes: [{ name: 'retention.ms', op: 'set', value: '1' }] }],
      { validateOnly: false },
    );
    expect(missing[0]?.result.ok === false && missing[0].result.error).toBe('unknown_topic');
    expect(Object.fromEntries(controller?.image.configOverrides('topic', 't') ?? [])).toEqual({
      'retention.ms': '1000',
    });
  });

  it('validateOnly alterConfigs checks the value but writes nothing', async () => {
    const channel = await channelWithTopic(1);
    const results = await channel.alterConfigs(
      [{ resourceType: 'topic', resourceName: 't', changes: [{ name: 'retention.ms', op: 'set', value: '5' }] }],
      { validateOnly: true },
    );
    expect(results[0]?.result.ok).toBe(true);
    expect(controller?.image.configOverrides('topic', 't').get('retention.ms')).toBeUndefined();
  });

  it('describeCluster reports no controller id of its own (the broker names itself)', async () => {
    const channel = await channelWithTopic(1);
    expect(await channel.describeCluster()).toEqual({ controllerId: null });
  });
});
