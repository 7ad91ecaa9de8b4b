/**
 * Admin calls (CreatePartitions, IncrementalAlterConfigs, DescribeCluster)
 * through the gRPC channel of a one-voter quorum (combined mode).
 */
import type { CommittedBatch } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';
import { describe, expect, it } from 'vitest';
import type { RunningQuorum } from './fixtures/local-quorum.ts';
import { useLocalQuorum } from './fixtures/local-quorum.ts';
import { waitFor } from './fixtures/ports-and-waits.ts';

const fixture = useLocalQuorum('controller-admin');
let q: RunningQuorum;

/** A live broker 1 and topic `t` (compacted) with `partitions` partitions. */
async function channelWithTopic(partitions: number): Promise<ControllerChannel> {
  q = await fixture.start();
  const listeners = [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }];
  await q.liveBrokers([1], { listeners: () => listeners });
  const [created] = await q.channel.call('createTopics', {
    topics: [
      {
        name: 't',
        numPartitions: partitions,
        replicationFactor: 1,
        assignments: [],
        configs: { 'cleanup.policy': 'compact' },
      },
    ],
    validateOnly: false,
  });
  expect(created?.result.ok).toBe(true);
  return q.channel;
}

describe('admin calls on a one-voter quorum', () => {
  it('createPartitions commits the new partitions and subscribers see them before the call resolves', async () => {
    const channel = await channelWithTopic(1);
    const seen: CommittedBatch[] = [];
    channel.subscribe((b) => seen.push(b));
    const backlogEnd = q.image.lastOffset;
    await waitFor(() => seen.at(-1)?.lastOffset === backlogEnd, 'the backlog');
    const results = await channel.call('createPartitions', {
      topics: [{ topic: 't', count: 3, assignments: [] }],
      validateOnly: false,
    });
    expect(results).toEqual([{ topic: 't', result: { ok: true, value: null } }]);
    expect(q.image.topic('t')?.partitions).toHaveLength(3);
    expect(seen.at(-1)?.records.map((r) => r.type)).toEqual(['partition', 'partition']);
  });

  it('validateOnly createPartitions answers but changes nothing', async () => {
    const channel = await channelWithTopic(1);
    const results = await channel.call('createPartitions', {
      topics: [{ topic: 't', count: 4, assignments: [] }],
      validateOnly: true,
    });
    expect(results[0]?.result.ok).toBe(true);
    expect(q.image.topic('t')?.partitions).toHaveLength(1);
  });

  it('alterConfigs sets and deletes overrides; an invalid value is invalid_config and leaves the overrides alone', async () => {
    const channel = await channelWithTopic(1);
    const ok = await channel.call('alterConfigs', {
      resources: [
        {
          resourceType: 'topic',
          resourceName: 't',
          changes: [
            { name: 'retention.ms', op: 'set', value: '1000' },
            { name: 'cleanup.policy', op: 'delete', value: null },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(ok).toEqual([{ resourceType: 'topic', resourceName: 't', result: { ok: true, value: null } }]);
    expect(Object.fromEntries(q.image.configOverrides('topic', 't') ?? [])).toEqual({
      'retention.ms': '1000',
    });

    const bad = await channel.call('alterConfigs', {
      resources: [
        { resourceType: 'topic', resourceName: 't', changes: [{ name: 'retention.ms', op: 'set', value: 'abc' }] },
      ],
      validateOnly: false,
    });
    expect(bad[0]?.result.ok === false && bad[0].result.error).toBe('invalid_config');
    const missing = await channel.call('alterConfigs', {
      resources: [
        { resourceType: 'topic', resourceName: 'nope', changes: [{ name: 'retention.ms', op: 'set', value: '1' }] },
      ],
      validateOnly: false,
    });
    expect(missing[0]?.result.ok === false && missing[0].result.error).toBe('unknown_topic');
    expect(Object.fromEntries(q.image.configOverrides('topic', 't') ?? [])).toEqual({
      'retention.ms': '1000',
    });
  });

  it('validateOnly alterConfigs checks the value but writes nothing', async () => {
    const channel = await channelWithTopic(1);
    const results = await channel.call('alterConfigs', {
      resources: [
        { resourceType: 'topic', resourceName: 't', changes: [{ name: 'retention.ms', op: 'set', value: '5' }] },
      ],
      validateOnly: true,
    });
    expect(results[0]?.result.ok).toBe(true);
    expect(q.image.configOverrides('topic', 't').get('retention.ms')).toBeUndefined();
  });

  it('describeCluster names the active controller: the sole voter, node 1', async () => {
    const channel = await channelWithTopic(1);
    expect(await channel.call('describeCluster', {})).toMatchObject({ controllerId: 1, clusterId: q.image.clusterId });
  });
});
