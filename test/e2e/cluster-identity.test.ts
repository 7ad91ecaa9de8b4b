/**
 * One cluster, one identity: the quorum creates the cluster id once; every
 * broker of a 3-controller, 3-broker cluster reports that same id in
 * Metadata (v2+) and DescribeCluster, before and after every process
 * restarts; and a broker whose data directory belongs to another cluster
 * refuses to join, naming both ids. Real processes on real sockets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

interface Reported {
  metadata: string | null;
  describeCluster: string | null;
  brokers: number;
}

/** What one broker answers to Metadata v6 and DescribeCluster v0. */
async function reportedBy(port: number): Promise<Reported> {
  const client = await ProtocolClient.connect(port);
  try {
    const metadata = await client.request(3, 6, { topics: [], allowAutoTopicCreation: false });
    const described = await client.request(60, 0, { includeClusterAuthorizedOperations: false });
    return {
      metadata: metadata.clusterId ?? null,
      describeCluster: described.clusterId,
      brokers: metadata.brokers.length,
    };
  } finally {
    client.close();
  }
}

async function allReports(cluster: TestCluster, brokers: readonly number[]): Promise<Reported[]> {
  return Promise.all(brokers.map((id) => reportedBy(cluster.ports('broker', id).kafka)));
}

/** The cluster id a broker keeps in its data directory. */
async function storedClusterId(cluster: TestCluster, broker: number): Promise<string | undefined> {
  const text = await readFile(join(cluster.rootDir, `broker-${broker}`, 'meta.properties'), 'utf8');
  return /^cluster\.id=(\S+)$/m.exec(text)?.[1];
}

describe('cluster identity', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('every broker reports the quorum id in Metadata and DescribeCluster, before and after every process restarts', async () => {
    const brokers = [1, 2, 3];
    const before = await waitFor(
      async () => {
        const reports = await allReports(cluster, brokers);
        return reports.every((r) => r.brokers === 3) && reports;
      },
      { what: 'every broker live in every broker’s metadata' },
    );
    const clusterId = before[0]?.metadata;
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const r of before) expect(r).toMatchObject({ metadata: clusterId, describeCluster: clusterId });
    for (const id of brokers) expect(await storedClusterId(cluster, id)).toBe(clusterId);

    for (const id of [1, 2, 3]) {
      await cluster.kill('controller', id, 'SIGTERM');
      await cluster.restart('controller', id);
    }
    for (const id of brokers) {
      await cluster.kill('broker', id, 'SIGKILL');
      await cluster.restart('broker', id);
    }
    const after = await waitFor(
      async () => {
        const reports = await allReports(cluster, brokers);
        return reports.every((r) => r.brokers === 3) && reports;
      },
      { what: 'every broker back in every broker’s metadata' },
    );
    for (const r of after) expect(r).toMatchObject({ metadata: clusterId, describeCluster: clusterId });
  });

  it('a broker with another cluster’s data directory refuses to join, naming both ids', async () => {
    const other = await TestCluster.start({ controllers: 1, brokers: 1 });
    try {
      const otherId = await storedClusterId(other, 1);
      const ourId = await storedClusterId(cluster, 1);
      expect(otherId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(otherId).not.toBe(ourId);
      // Broker 1 of our cluster, with its data directory, pointed at the other cluster's controller.
      await cluster.kill('broker', 1, 'SIGTERM');
      const services = `127.0.0.1:${other.ports('controller', 1).service}`;
      const exit = await cluster.process('broker', 1).runToExit(['--controllers', services]);
      expect(exit.code).toBe(2);
      expect(exit.output).toContain(`${ourId}`);
      expect(exit.output).toContain(`${otherId}`);
      // Its data still belongs to our cluster, which takes it back.
      expect(await storedClusterId(cluster, 1)).toBe(ourId);
      await cluster.restart('broker', 1);
      expect((await reportedBy(cluster.ports('broker', 1).kafka)).metadata).toBe(ourId);
    } finally {
      await other.stop();
    }
  });
});
