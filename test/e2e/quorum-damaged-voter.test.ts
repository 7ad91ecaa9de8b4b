/**
 * A controller whose Raft store is damaged while it is stopped (64 bad bytes
 * in LevelDB's write-ahead log) refuses to start, naming the file and the
 * fix. Following the fix (move the store aside, restart), it rejoins as an
 * empty voter, copies the log from the leader (its metadata offset reaches
 * the leader's, topics and __consumer_offsets included), and once the
 * leader is then killed the quorum it forms with the third controller still
 * holds every committed record.
 */
import { open, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { expectQuorumOutlivesLeader } from '../harness/quorum-checks.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

function offsetOf(controllerId: number): Promise<number> {
  return cluster.controllerMetadataOffset(controllerId);
}

/** Overwrites 64 bytes in the middle of the store's write-ahead log; returns the log's path. */
async function damageWriteAheadLog(raftDir: string): Promise<string> {
  const name = (await readdir(raftDir)).find((n) => n.endsWith('.log'));
  if (name === undefined) throw new Error(`no write-ahead log in ${raftDir}`);
  const path = join(raftDir, name);
  const { size } = await stat(path);
  expect(size).toBeGreaterThan(1000);
  const file = await open(path, 'r+');
  await file.write(Buffer.alloc(64, 0xab), 0, 64, Math.floor(size / 2));
  await file.close();
  return path;
}

describe('a controller with a damaged Raft store', () => {
  it('refuses to start naming the file; moved aside, it rejoins empty, catches up from the leader, and the quorum keeps every committed record', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'damaged',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin({ retry: { retries: 10 } });
    await admin.connect();
    try {
      const topics = Array.from({ length: 8 }, (_, i) => `before-${i}`);
      for (const topic of topics) expect(await admin.createTopics({ topics: [{ topic }] })).toBe(true);
      // Asking for a group's coordinator creates __consumer_offsets.
      await admin.describeGroups(['damaged-group']);
      await waitFor(async () => (await admin.listTopics()).includes('__consumer_offsets'), {
        what: '__consumer_offsets to exist',
      });
      const leader = await cluster.waitForActiveController();
      const [damaged, third] = [1, 2, 3].filter((id) => id !== leader);
      if (damaged === undefined || third === undefined) throw new Error('expected two followers');
      await waitFor(async () => (await offsetOf(damaged)) === (await offsetOf(leader)), {
        what: `controller ${damaged} to follow before it is stopped`,
      });
      const committedOffset = await offsetOf(leader);
      expect(await cluster.kill('controller', damaged, 'SIGTERM')).toBe(0);

      const raftDir = join(cluster.rootDir, `controller-${damaged}`, 'raft');
      const wal = await damageWriteAheadLog(raftDir);
      const refused = await cluster.process('controller', damaged).runToExit();
      expect(refused.code).toBe(2);
      expect(refused.output).toContain(`the Raft store in ${raftDir} is damaged: ${wal}: checksum mismatch`);
      expect(refused.output).toContain(`move ${raftDir} aside`);

      // The documented fix.
      await rename(raftDir, `${raftDir}.damaged`);
      await cluster.restart('controller', damaged);
      await cluster.waitForLog(
        'controller',
        damaged,
        (l) => l.msg.startsWith('the Raft store is empty although this controller has run before'),
        'the rejoin warning',
      );
      await cluster.waitForLog(
        'controller',
        damaged,
        (l) => l.msg.startsWith('rejoined: copied the log from the leader'),
        'the end of the rejoin',
        60_000,
      );
      await waitFor(async () => (await offsetOf(damaged)) >= committedOffset, {
        what: `controller ${damaged} to reach the leader's metadata offset ${committedOffset}`,
      });

      // The old leader dies: the rejoined voter and the third must elect one of them.
      await expectQuorumOutlivesLeader(cluster, admin, {
        leader,
        survivors: [damaged, third],
        newTopic: 'after-rejoin',
        topics: [...topics, '__consumer_offsets'],
        sinceOffset: committedOffset,
      });
    } finally {
      await admin.disconnect();
    }
  });
});
