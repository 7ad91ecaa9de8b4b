/**
 * A controller stopped with SIGINT stops cleanly: exit code 0 and no line at
 * error level. The active controller is stopped while brokers' admin
 * requests keep it persisting and sending Raft entries, so a stop that
 * closed the Raft transport under a Ready still in flight (it then sent on
 * a closed transport and logged an AssertionError) would show here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type ClusterLogLine, TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const errorLevel = 50;

function errorsOf(cluster: TestCluster, id: number): (ClusterLogLine | string)[] {
  const process = cluster.process('controller', id);
  const plain = process.output.split('\n').filter((line) => !line.startsWith('{') && /error/i.test(line));
  return [...process.logs.filter((line) => line.level >= errorLevel), ...plain];
}

describe('controller stop', () => {
  let cluster: TestCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  it('SIGINT to the active controller under admin load, then to the others: each exits 0, nothing logged at error', async () => {
    cluster = await TestCluster.start({ controllers: 3, brokers: 1, timings: { tickMs: 20 } });
    const active = await cluster.waitForActiveController();
    const port = cluster.ports('broker', 1).kafka;
    const clients = await Promise.all([1, 2, 3, 4].map(() => ProtocolClient.connect(port)));
    let loading = true;
    let created = 0;
    const loops = clients.map(async (client, c) => {
      for (let batch = 0; loading; batch++) {
        const names = Array.from({ length: 10 }, (_, i) => `load-${c}-${batch}-${i}`);
        const response = await client.request(19, 4, {
          topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
          timeoutMs: 5000,
          validateOnly: false,
        });
        created += response.topics.filter((t) => t.errorCode === 0).length;
      }
    });
    // Requests still open when the controller goes away may fail; the load only has to be running at the stop.
    const settled = Promise.allSettled(loops);
    try {
      await waitFor(() => created >= 100, { what: 'the admin load to be committing topics', timeoutMs: 60_000 });
      expect(await cluster.kill('controller', active, 'SIGINT')).toBe(0);
    } finally {
      loading = false;
      await settled;
      for (const client of clients) client.close();
    }
    expect(errorsOf(cluster, active)).toEqual([]);
    for (const id of cluster.ids('controller', { running: true })) {
      expect(await cluster.kill('controller', id, 'SIGINT')).toBe(0);
      expect(errorsOf(cluster, id)).toEqual([]);
    }
  });
});
