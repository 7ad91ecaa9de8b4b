/**
 * A broker whose metadata stream falls behind the controller's log start
 * receives the image as a snapshot (CommittedBatch.reset) and must rebuild
 * its image from it alone: topics deleted meanwhile disappear, topics
 * created meanwhile appear, and their logs are opened or removed. The
 * controller here is a minimal ControllerChannel driven by the test, which
 * is how a stream delivers a reset; the broker is real (sockets, logs).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { silentLogger } from '@runnel/common';
import { afterEach, describe, expect, it } from 'vitest';
import {
  brokerOneRegistration as registration,
  scriptedChannel,
  singleReplicaTopic as topic,
} from '../harness/scripted-channel.ts';
import { waitFor } from '../harness/wait.ts';

const idA = '11111111-1111-1111-1111-111111111111';
const idB = '22222222-2222-2222-2222-222222222222';

let broker: Broker | undefined;
afterEach(async () => {
  await broker?.stop();
});

describe('broker metadata reset', () => {
  it('rebuilds its image and partitions from a snapshot that replaces what it had', async () => {
    const { channel, deliver } = scriptedChannel({ records: [registration, ...topic('old', idA)], lastOffset: 2n });
    const dataDir = await mkdtemp(join(tmpdir(), 'runnel-reset-'));
    broker = await Broker.start({
      config: { ...defaultBrokerConfig, port: 0, httpPort: null, replicationPort: 0, dataDir },
      controller: channel,
      logger: silentLogger(),
    });
    await waitFor(() => broker?.image.topic('old') !== undefined, { what: 'the first topic' });

    // Meanwhile the controller deleted "old", created "new" and took a snapshot past this broker's offset.
    deliver({ records: [registration, ...topic('new', idB)], lastOffset: 40n, reset: true });
    const image = broker.image;
    expect(image.lastOffset).toBe(40n);
    expect(image.topicNames()).toEqual(['new']);
    await waitFor(
      async () => {
        const { readdir } = await import('node:fs/promises');
        const entries = await readdir(dataDir);
        return entries.includes('new-0') && !entries.includes('old-0');
      },
      { what: 'partition logs to follow the reset' },
    );
    // And it keeps following the stream from the snapshot's offset.
    deliver({ records: topic('newer', '33333333-3333-3333-3333-333333333333'), lastOffset: 42n });
    expect(broker.image.topicNames()).toEqual(['new', 'newer']);
  });
});
