/**
 * A broker answers Kafka requests only once it can answer Metadata with
 * itself in it. A client that connects as soon as the port is bound — here
 * while the broker's only controller is down, so it cannot register — gets
 * its Metadata answered after the broker has registered and been unfenced,
 * listing the broker; never an empty cluster. /healthz answers all along,
 * /readyz only once the broker serves.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

describe('broker start order', () => {
  let cluster: TestCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a client connected while the broker waits for its controller gets Metadata listing that broker', async () => {
    cluster = await TestCluster.start({ controllers: 1, brokers: 1, brokersStartedLater: 1 });
    await cluster.waitForActiveController();
    expect(await cluster.kill('controller', 1, 'SIGTERM')).toBe(0);
    const brokerStarted = cluster.restart('broker', 1);
    brokerStarted.catch(() => undefined); // awaited below; a failure before that must not also be reported unhandled
    await cluster.waitForLog(
      'broker',
      1,
      (line) => line.msg === 'no controller answered registration; retrying',
      'the broker to find no controller',
    );
    const { kafka, http } = cluster.ports('broker', 1);
    const client = await waitFor(() => ProtocolClient.connect(kafka).catch(() => undefined), {
      what: 'a TCP connection to the starting broker',
    });
    try {
      // Sent while the broker is not registered anywhere: the answer must wait until it is live.
      const metadata = client.request(3, 6, { topics: null, allowAutoTopicCreation: false });
      expect((await fetch(`http://127.0.0.1:${http}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${http}/readyz`)).status).toBe(503);
      await cluster.restart('controller', 1);
      const answer = await metadata;
      expect(answer.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: kafka })]);
      await brokerStarted;
      expect((await fetch(`http://127.0.0.1:${http}/readyz`)).status).toBe(200);
    } finally {
      client.close();
    }
  });
});
